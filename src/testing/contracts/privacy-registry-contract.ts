/**
 * The PrivacyRegistry contract: one suite that every adapter of the port must pass (memory,
 * PGlite, PostgreSQL…). Each test names its students with a prefix of its own and only judges
 * those, so the suite also holds on a registry that already holds other students. Instants are
 * ISO strings with milliseconds, as the engine stamps them (`Date#toISOString`).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { PrivacyRegistry, PrivacyStatus } from '../../ports/privacy-registry.js';

/** A student-id prefix no other test (nor an earlier run against the same database) uses. */
const freshPrefix = () => `p${randomUUID().replaceAll('-', '').slice(0, 16)}`;

/** Code-unit order, the order of student ids everywhere in the engine (JS sort, SQL `COLLATE "C"`). */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const T1 = '2026-01-14T10:30:00.123Z';
const T2 = '2026-01-15T08:00:00.000Z';
const T3 = '2026-01-16T23:59:59.999Z';

const status = (consent: boolean | null, consentAt: string | null, erasedAt: string | null): PrivacyStatus => ({
  consent,
  consentAt,
  erasedAt,
});

export function privacyRegistryContract(name: string, open: () => Promise<PrivacyRegistry>): void {
  /** The status the registry holds for one student, or undefined. */
  async function statusOf(registry: PrivacyRegistry, studentId: string): Promise<PrivacyStatus | undefined> {
    const found = await registry.statuses([studentId]);
    assert.ok(found instanceof Map, 'statuses returns a Map');
    return found.get(studentId);
  }

  /** The erased students among those of this test (named with its prefix). */
  async function erasedOf(registry: PrivacyRegistry, prefix: string): Promise<string[]> {
    const all = await registry.erasedStudents();
    assert.deepEqual(all, [...all].sort(byCodeUnit), 'erasedStudents is sorted by code unit');
    assert.equal(new Set(all).size, all.length, 'erasedStudents names each student once');
    return all.filter((id) => id.startsWith(prefix));
  }

  describe(name, () => {
    describe('statuses', () => {
      it('leaves out students it knows nothing of, and answers an empty map for no ids', async () => {
        const registry = await open();
        const prefix = freshPrefix();
        await registry.setConsent(`${prefix}-known`, true, T1);

        const found = await registry.statuses([`${prefix}-unknown`, `${prefix}-known`, `${prefix}-know`]);

        assert.deepEqual([...found.keys()], [`${prefix}-known`]);
        assert.equal((await registry.statuses([])).size, 0);
        assert.equal((await registry.statuses([`${prefix}-never`])).size, 0);
      });

      it('answers for several students at once, each with its own status', async () => {
        const registry = await open();
        const prefix = freshPrefix();
        const [granted, refused, erased] = ['granted', 'refused', 'erased'].map((x) => `${prefix}-${x}`);
        await registry.setConsent(granted!, true, T1);
        await registry.setConsent(refused!, false, T2);
        await registry.markErased(erased!, T3);

        const found = await registry.statuses([erased!, `${prefix}-unknown`, granted!, refused!]);

        assert.deepEqual(
          found,
          new Map([
            [erased!, status(null, null, T3)],
            [granted!, status(true, T1, null)],
            [refused!, status(false, T2, null)],
          ]),
        );
      });
    });

    describe('setConsent', () => {
      it('records consent granted, with its instant, and returns the status it now holds', async () => {
        const registry = await open();
        const student = `${freshPrefix()}-s`;

        const returned = await registry.setConsent(student, true, T1);

        assert.deepEqual(returned, status(true, T1, null));
        assert.deepEqual(await statusOf(registry, student), status(true, T1, null));
      });

      it('records consent withdrawn, with its instant', async () => {
        const registry = await open();
        const student = `${freshPrefix()}-s`;

        const returned = await registry.setConsent(student, false, T1);

        assert.deepEqual(returned, status(false, T1, null));
        assert.deepEqual(await statusOf(registry, student), status(false, T1, null));
      });

      it('replaces an earlier answer with the later one, instant included', async () => {
        const registry = await open();
        const student = `${freshPrefix()}-s`;
        await registry.setConsent(student, true, T1);

        assert.deepEqual(await registry.setConsent(student, false, T2), status(false, T2, null));
        assert.deepEqual(await statusOf(registry, student), status(false, T2, null));
        assert.deepEqual(await registry.setConsent(student, true, T3), status(true, T3, null));
        assert.deepEqual(await statusOf(registry, student), status(true, T3, null));
      });

      it('changes only the student named', async () => {
        const registry = await open();
        const prefix = freshPrefix();
        await registry.setConsent(`${prefix}-a`, true, T1);
        await registry.markErased(`${prefix}-b`, T1);

        await registry.setConsent(`${prefix}-c`, false, T2);
        await registry.setConsent(`${prefix}-b2`, true, T2);

        assert.deepEqual(await statusOf(registry, `${prefix}-a`), status(true, T1, null));
        assert.deepEqual(await statusOf(registry, `${prefix}-b`), status(null, null, T1), "a neighbour's consent lifts no other tombstone");
      });
    });

    describe('markErased', () => {
      it('leaves a tombstone with its instant on a student it knew nothing of', async () => {
        const registry = await open();
        const student = `${freshPrefix()}-s`;

        await registry.markErased(student, T2);

        assert.deepEqual(await statusOf(registry, student), status(null, null, T2));
      });

      it('forgets the consent the student had given, and when', async () => {
        const registry = await open();
        const prefix = freshPrefix();
        await registry.setConsent(`${prefix}-granted`, true, T1);
        await registry.setConsent(`${prefix}-refused`, false, T1);

        await registry.markErased(`${prefix}-granted`, T2);
        await registry.markErased(`${prefix}-refused`, T2);

        assert.deepEqual(await statusOf(registry, `${prefix}-granted`), status(null, null, T2));
        assert.deepEqual(await statusOf(registry, `${prefix}-refused`), status(null, null, T2));
      });

      it('is lifted by consent granted afterwards: the new consent stands and the tombstone goes', async () => {
        const registry = await open();
        const prefix = freshPrefix();
        const student = `${prefix}-s`;
        await registry.setConsent(student, true, T1);
        await registry.markErased(student, T2);

        const returned = await registry.setConsent(student, true, T3);

        assert.deepEqual(returned, status(true, T3, null));
        assert.deepEqual(await statusOf(registry, student), status(true, T3, null));
        assert.deepEqual(await erasedOf(registry, prefix), [], 'no longer listed as erased');
      });

      it('stays when consent is refused afterwards: the refusal is recorded beside the tombstone', async () => {
        const registry = await open();
        const prefix = freshPrefix();
        const student = `${prefix}-s`;
        await registry.markErased(student, T2);

        const returned = await registry.setConsent(student, false, T3);

        assert.deepEqual(returned, status(false, T3, T2));
        assert.deepEqual(await statusOf(registry, student), status(false, T3, T2));
        assert.deepEqual(await erasedOf(registry, prefix), [student], 'still listed as erased');
      });

      it('can be left again after being lifted', async () => {
        const registry = await open();
        const prefix = freshPrefix();
        const student = `${prefix}-s`;
        await registry.markErased(student, T1);
        await registry.setConsent(student, true, T2);

        await registry.markErased(student, T3);

        assert.deepEqual(await statusOf(registry, student), status(null, null, T3));
        assert.deepEqual(await erasedOf(registry, prefix), [student]);
      });
    });

    describe('erasedStudents', () => {
      it('lists exactly the students with a tombstone, sorted by code unit', async () => {
        const registry = await open();
        const prefix = freshPrefix();
        const erased = ['m', 'B', 'a', 'Z', 'a-b', 'a.b', 'a_b', 'a0', '9'].map((x) => `${prefix}${x}`);
        for (const [i, id] of erased.entries()) await registry.markErased(id, i % 2 === 0 ? T1 : T2);
        // Not erased: consent only, erased then granted again, erased then refused (still erased).
        await registry.setConsent(`${prefix}consent`, true, T1);
        await registry.setConsent(`${prefix}refused`, false, T1);
        await registry.markErased(`${prefix}lifted`, T1);
        await registry.setConsent(`${prefix}lifted`, true, T2);
        await registry.markErased(`${prefix}kept`, T1);
        await registry.setConsent(`${prefix}kept`, false, T2);
        // Erased twice: listed once.
        await registry.markErased(erased[0]!, T3);

        assert.deepEqual(await erasedOf(registry, prefix), [...erased, `${prefix}kept`].sort(byCodeUnit));
      });

      it("lists none of this test's students before any is erased", async () => {
        const registry = await open();
        const prefix = freshPrefix();
        await registry.setConsent(`${prefix}-a`, true, T1);

        assert.deepEqual(await erasedOf(registry, prefix), []);
      });
    });
  });
}
