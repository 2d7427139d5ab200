/**
 * The AuditTrail contract: one suite that every adapter of the port must pass (memory, PGlite,
 * PostgreSQL…). The trail is shared by the whole engine and never cleared, so each test names its
 * actors and students with a prefix of its own and only ever queries through a filter on them:
 * the suite also holds on a database that other tests (or earlier runs) have written to. Instants
 * are ISO strings with milliseconds, as the engine stamps them (`Date#toISOString`).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AuditEntry, AuditFilter, AuditTrail } from '../../ports/audit-trail.js';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** An id prefix no other test (nor an earlier run against the same database) uses. */
const freshPrefix = () => `a${randomUUID().replaceAll('-', '').slice(0, 16)}`;

/** The ISO instant `ms` milliseconds after `base`. */
const plus = (base: string, ms: number) => new Date(Date.parse(base) + ms).toISOString();

/** A valid entry; the fields a test cares about are given, the rest are plausible values. */
function entry(fields: Partial<AuditEntry> & Pick<AuditEntry, 'at' | 'actor'>): AuditEntry {
  return {
    role: 'admin',
    student_id: null,
    action: 'mastery.read',
    outcome: 'allowed',
    request_id: `req-${randomUUID()}`,
    ...fields,
  };
}

/** `n` entries by one actor, one millisecond apart from `base` on, oldest first. */
function series(actor: string, base: string, n: number, fields: Partial<AuditEntry> = {}): AuditEntry[] {
  return Array.from({ length: n }, (_, i) => entry({ ...fields, actor, at: plus(base, i) }));
}

const newestFirst = (entries: readonly AuditEntry[]) => [...entries].reverse();

/** Every page of a query, following `next` until it is null; fails on a page over the limit. */
async function allPages(trail: AuditTrail, filter: Omit<AuditFilter, 'cursor'>): Promise<AuditEntry[][]> {
  const pages: AuditEntry[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await trail.query(cursor === undefined ? filter : { ...filter, cursor });
    assert.ok(page.entries.length <= filter.limit, `a page holds at most ${filter.limit} entries, not ${page.entries.length}`);
    pages.push(page.entries);
    if (page.next === null) return pages;
    assert.equal(typeof page.next, 'string', '`next` is a string or null');
    assert.ok(pages.length < 1000, 'paging ends');
    cursor = page.next;
  }
}

// ---------------------------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------------------------

export function auditTrailContract(name: string, open: () => Promise<AuditTrail>): void {
  describe(name, () => {
    describe('record and query', () => {
      it('returns each entry deep-equal to what was recorded: every field, detail present or absent, student_id null', async () => {
        const trail = await open();
        const prefix = freshPrefix();
        const actor = `${prefix}-admin`;
        const recorded: AuditEntry[] = [
          {
            at: '2026-01-14T10:30:00.123Z',
            actor,
            role: 'teacher',
            student_id: `${prefix}-s1`,
            action: 'history.read',
            outcome: 'allowed',
            request_id: 'req-1',
          },
          {
            at: '2026-01-14T10:30:01.000Z',
            actor,
            role: 'service',
            student_id: null,
            action: 'events.ingest',
            outcome: 'allowed',
            request_id: 'req-2',
            detail: { accepted: 12, duplicate: 0, rejected: 3, ratio: 0.25, partial: true, reason: 'say "hi" \\ élève 学生' },
          },
          {
            at: '2026-01-14T10:30:02.999Z',
            actor,
            role: 'student',
            student_id: `${prefix}-s2`,
            action: 'erase',
            outcome: 'refused',
            request_id: 'req-3',
            detail: { reason: 'erased' },
          },
          {
            at: '2026-01-14T10:30:03.000Z',
            actor,
            role: 'admin',
            student_id: `${prefix}-s3`,
            action: 'export',
            outcome: 'not_found',
            request_id: 'req-4',
          },
          {
            at: '2026-01-14T10:30:04.000Z',
            actor,
            role: 'teacher',
            student_id: null,
            action: 'students.list',
            outcome: 'allowed',
            request_id: 'req-5',
            students: [`${prefix}-s9`, `${prefix}-s1`],
            detail: { students: 2 },
          },
        ];

        await trail.record(recorded);
        const { entries, next } = await trail.query({ actor, limit: 10 });

        assert.deepEqual(entries, newestFirst(recorded));
        assert.equal(next, null);
        assert.ok(!('detail' in entries[1]!), 'an entry recorded without detail comes back without one');
        assert.equal(entries[3]!.student_id, null);
        assert.ok(!('students' in entries[1]!), 'an entry recorded without students comes back without them');
      });

      it('returns the newest entries first, across several record calls', async () => {
        const trail = await open();
        const actor = `${freshPrefix()}-admin`;
        const all = series(actor, '2026-01-14T08:00:00.000Z', 7);

        await trail.record(all.slice(0, 2));
        await trail.record(all.slice(2, 3));
        await trail.record(all.slice(3));

        assert.deepEqual((await trail.query({ actor, limit: 100 })).entries, newestFirst(all));
      });

      it('stores nothing for an empty batch, and resolves', async () => {
        const trail = await open();
        const actor = `${freshPrefix()}-admin`;

        await trail.record([]);

        assert.deepEqual(await trail.query({ actor, limit: 10 }), { entries: [], next: null });
      });

      it('answers an empty page with next null when nothing matches', async () => {
        const trail = await open();
        const prefix = freshPrefix();
        await trail.record([entry({ actor: `${prefix}-known`, at: '2026-01-14T08:00:00.000Z', student_id: `${prefix}-s` })]);

        assert.deepEqual(await trail.query({ actor: `${prefix}-unknown`, limit: 10 }), { entries: [], next: null });
        assert.deepEqual(await trail.query({ studentId: `${prefix}-t`, limit: 10 }), { entries: [], next: null });
        assert.deepEqual(await trail.query({ actor: `${prefix}-know`, limit: 10 }), { entries: [], next: null }, 'a prefix of an actor is another actor');
      });
    });

    describe('filters', () => {
      it('filters by student: only the entries about that student, whoever the actor', async () => {
        const trail = await open();
        const prefix = freshPrefix();
        const student = `${prefix}-s`;
        const base = '2026-01-14T09:00:00.000Z';
        const recorded = [
          entry({ actor: `${prefix}-teacher`, role: 'teacher', at: plus(base, 0), student_id: student }),
          entry({ actor: `${prefix}-teacher`, role: 'teacher', at: plus(base, 1), student_id: `${prefix}-other` }),
          entry({ actor: `${prefix}-admin`, at: plus(base, 2), student_id: student, action: 'export' }),
          entry({ actor: `${prefix}-admin`, at: plus(base, 3), student_id: null, action: 'students.list' }),
          entry({ actor: student, role: 'student', at: plus(base, 4), student_id: student, action: 'consent.update' }),
          entry({ actor: `${prefix}-admin`, at: plus(base, 5), student_id: `${student}2` }),
        ];
        await trail.record(recorded);

        const { entries } = await trail.query({ studentId: student, limit: 100 });

        assert.deepEqual(entries, [recorded[4], recorded[2], recorded[0]]);
      });

      it('filters by student: a class-wide entry that lists the student, not one listing a longer id or none', async () => {
        const trail = await open();
        const prefix = freshPrefix();
        const student = `${prefix}-s`;
        const base = '2026-01-14T09:30:00.000Z';
        const list = (at: number, students: string[]) =>
          entry({ actor: `${prefix}-teacher`, role: 'teacher', at: plus(base, at), action: 'students.list', students, detail: { students: students.length } });
        const recorded = [
          list(0, [`${prefix}-a`, student, `${prefix}-z`]),
          list(1, [`${student}2`, `${prefix}-s_`]),
          list(2, []),
          entry({ actor: `${prefix}-admin`, at: plus(base, 3), student_id: student }),
          list(4, [student]),
        ];
        await trail.record(recorded);

        const { entries } = await trail.query({ studentId: student, limit: 100 });

        assert.deepEqual(entries, [recorded[4], recorded[3], recorded[0]]);
      });

      it("filters by actor: only that actor's entries, about any student or none", async () => {
        const trail = await open();
        const prefix = freshPrefix();
        const actor = `${prefix}-teacher`;
        const base = '2026-01-14T09:00:00.000Z';
        const recorded = [
          entry({ actor, role: 'teacher', at: plus(base, 0), student_id: `${prefix}-s1` }),
          entry({ actor: `${prefix}-admin`, at: plus(base, 1), student_id: `${prefix}-s1` }),
          entry({ actor, role: 'teacher', at: plus(base, 2), student_id: null, action: 'students.list' }),
          entry({ actor: `${actor}x`, role: 'teacher', at: plus(base, 3), student_id: `${prefix}-s2` }),
          entry({ actor, role: 'teacher', at: plus(base, 4), student_id: `${prefix}-s2`, outcome: 'refused' }),
        ];
        await trail.record(recorded);

        const { entries } = await trail.query({ actor, limit: 100 });

        assert.deepEqual(entries, [recorded[4], recorded[2], recorded[0]]);
      });

      it('filters by time, from and to inclusive, to the millisecond', async () => {
        const trail = await open();
        const actor = `${freshPrefix()}-admin`;
        const recorded = series(actor, '2026-01-14T09:59:59.998Z', 6); // …59.998 … 10:00:00.003
        await trail.record(recorded);
        const at = (i: number) => recorded[i]!.at;
        const query = async (range: Pick<AuditFilter, 'from' | 'to'>) => (await trail.query({ actor, limit: 100, ...range })).entries;

        assert.deepEqual(await query({ from: at(2) }), newestFirst(recorded.slice(2)), 'from alone, inclusive');
        assert.deepEqual(await query({ to: at(2) }), newestFirst(recorded.slice(0, 3)), 'to alone, inclusive');
        assert.deepEqual(await query({ from: at(1), to: at(4) }), newestFirst(recorded.slice(1, 5)), 'from and to, both inclusive');
        assert.deepEqual(await query({ from: at(3), to: at(3) }), [recorded[3]], 'from = to: that instant');
        assert.deepEqual(await query({ from: at(4), to: at(1) }), [], 'from after to: nothing');
        assert.deepEqual(await query({ from: plus(at(5), 1) }), [], 'from after the last entry: nothing');
      });

      it('compares instants, not text, when the bounds carry an offset', async () => {
        const trail = await open();
        const actor = `${freshPrefix()}-admin`;
        const recorded = series(actor, '2026-01-14T09:00:00.000Z', 3);
        await trail.record(recorded);

        // 11:00:00.001+02:00 is 09:00:00.001Z: as text it sorts after every entry, as an instant it is the second one.
        const { entries } = await trail.query({ actor, limit: 100, from: '2026-01-14T11:00:00.001+02:00', to: '2026-01-14T04:00:00.002-05:00' });

        assert.deepEqual(entries, newestFirst(recorded.slice(1, 3)));
      });

      it('combines filters: student, actor and time together', async () => {
        const trail = await open();
        const prefix = freshPrefix();
        const [teacher, admin, student, other] = ['teacher', 'admin', 's', 't'].map((x) => `${prefix}-${x}`);
        const base = '2026-01-14T12:00:00.000Z';
        const recorded = [
          entry({ actor: teacher!, role: 'teacher', at: plus(base, 0), student_id: student! }),
          entry({ actor: teacher!, role: 'teacher', at: plus(base, 10), student_id: student! }),
          entry({ actor: admin!, at: plus(base, 20), student_id: student! }),
          entry({ actor: teacher!, role: 'teacher', at: plus(base, 30), student_id: other! }),
          entry({ actor: teacher!, role: 'teacher', at: plus(base, 40), student_id: student! }),
          entry({ actor: teacher!, role: 'teacher', at: plus(base, 50), student_id: student! }),
        ];
        await trail.record(recorded);

        const { entries } = await trail.query({ studentId: student!, actor: teacher!, from: plus(base, 10), to: plus(base, 40), limit: 100 });

        assert.deepEqual(entries, [recorded[4], recorded[1]]);
        assert.deepEqual((await trail.query({ studentId: other!, actor: admin!, limit: 100 })).entries, [], 'a student and an actor that never met: nothing');
      });
    });

    describe('paging', () => {
      it('pages newest first with `next`, without gaps or repeats, every page within the limit, next null on the last', async () => {
        const trail = await open();
        const actor = `${freshPrefix()}-admin`;
        const recorded = series(actor, '2026-01-14T10:00:00.000Z', 11);
        // In three calls, so that paging does not depend on one batch's order.
        await trail.record(recorded.slice(0, 4));
        await trail.record(recorded.slice(4, 9));
        await trail.record(recorded.slice(9));

        const pages = await allPages(trail, { actor, limit: 3 });

        assert.deepEqual(
          pages.map((p) => p.length),
          [3, 3, 3, 2],
        );
        assert.deepEqual(pages.flat(), newestFirst(recorded));
      });

      it('ends on a full last page: next is null there, not on an extra empty page', async () => {
        const trail = await open();
        const actor = `${freshPrefix()}-admin`;
        const recorded = series(actor, '2026-01-14T10:00:00.000Z', 6);
        await trail.record(recorded);

        const first = await trail.query({ actor, limit: 3 });
        assert.equal(first.entries.length, 3);
        assert.notEqual(first.next, null, 'more entries follow the first page');
        const second = await trail.query({ actor, limit: 3, cursor: first.next! });

        assert.deepEqual([...first.entries, ...second.entries], newestFirst(recorded));
        assert.equal(second.next, null, 'the second page is the last');
      });

      it('answers one page with next null when the limit covers every entry, and respects limit 1', async () => {
        const trail = await open();
        const actor = `${freshPrefix()}-admin`;
        const recorded = series(actor, '2026-01-14T10:00:00.000Z', 4);
        await trail.record(recorded);

        assert.deepEqual(await trail.query({ actor, limit: 4 }), { entries: newestFirst(recorded), next: null });
        assert.deepEqual(await trail.query({ actor, limit: 1000 }), { entries: newestFirst(recorded), next: null });
        const pages = await allPages(trail, { actor, limit: 1 });
        assert.deepEqual(
          pages,
          newestFirst(recorded).map((e) => [e]),
        );
      });

      it('pages through a filtered query: the filter holds on every page', async () => {
        const trail = await open();
        const prefix = freshPrefix();
        const student = `${prefix}-s`;
        const base = '2026-01-14T10:00:00.000Z';
        // Entries about the student interleaved with others, some before the time window.
        const recorded = Array.from({ length: 20 }, (_, i) =>
          entry({ actor: `${prefix}-${i % 3 === 0 ? 'teacher' : 'admin'}`, at: plus(base, i), student_id: i % 2 === 0 ? student : `${prefix}-t` }),
        );
        await trail.record(recorded);

        const pages = await allPages(trail, { studentId: student, from: plus(base, 4), limit: 2 });

        const expected = newestFirst(recorded.filter((e, i) => e.student_id === student && i >= 4));
        assert.deepEqual(pages.flat(), expected);
        assert.equal(pages.length, Math.ceil(expected.length / 2));
      });

      it('keeps its place when entries are recorded between two pages: no repeats, no gaps', async () => {
        const trail = await open();
        const actor = `${freshPrefix()}-admin`;
        const recorded = series(actor, '2026-01-14T10:00:00.000Z', 6);
        await trail.record(recorded);

        const first = await trail.query({ actor, limit: 3 });
        const later = series(actor, '2026-01-14T10:00:01.000Z', 2);
        await trail.record(later);
        const second = await trail.query({ actor, limit: 3, cursor: first.next! });

        assert.deepEqual(first.entries, newestFirst(recorded).slice(0, 3));
        assert.deepEqual(second.entries, newestFirst(recorded).slice(3), 'the next page goes on where the first ended');
        assert.equal(second.next, null);
        assert.deepEqual((await trail.query({ actor, limit: 3 })).entries, newestFirst([...recorded, ...later]).slice(0, 3));
      });
    });

    describe('concurrent record calls', () => {
      it('stores every entry of calls made in the same tick, and each call resolves only once its entries can be read', async () => {
        const trail = await open();
        const prefix = freshPrefix();
        const student = `${prefix}-s`;
        const base = '2026-01-14T11:00:00.000Z';
        // 25 callers in one tick, one to three entries each, and one with none.
        const batches = Array.from({ length: 25 }, (_, i) =>
          Array.from({ length: 1 + (i % 3) }, (_, k) =>
            entry({ actor: `${prefix}-caller-${i}`, at: plus(base, i * 10 + k), student_id: student, request_id: `req-${i}-${k}` }),
          ),
        );

        const calls = [...batches, []].map((batch, i) =>
          trail.record(batch).then(async () => {
            // Read as soon as this caller is told its entries are stored: they must be there.
            const actor = `${prefix}-caller-${i}`;
            const { entries } = await trail.query({ actor, limit: 10 });
            assert.deepEqual(entries, newestFirst(batch), `caller ${i} reads its own entries once record resolved`);
          }),
        );
        await Promise.all(calls);

        const all = (await allPages(trail, { studentId: student, limit: 1000 })).flat();
        assert.equal(all.length, batches.flat().length, 'every entry of every caller stored, once');
        assert.deepEqual(all, newestFirst(batches.flat()), 'in the order the calls were made');
      });

      it('stores the entries of calls made while an earlier burst is being written, each readable once its call resolved', async () => {
        const trail = await open();
        const actor = `${freshPrefix()}-admin`;
        const recorded = series(actor, '2026-01-14T11:00:00.000Z', 6);

        // Two calls per tick, three ticks: each burst is handed to the store while the last may still be written.
        const calls: Array<Promise<void>> = [];
        for (let i = 0; i < recorded.length; i += 2) {
          for (const e of recorded.slice(i, i + 2)) {
            calls.push(
              trail.record([e]).then(async () => {
                const { entries } = await trail.query({ actor, limit: 100 });
                assert.ok(
                  entries.some((x) => x.request_id === e.request_id),
                  `${e.at} readable once its call resolved`,
                );
              }),
            );
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
        await Promise.all(calls);

        const { entries } = await trail.query({ actor, limit: 100 });
        assert.equal(entries.length, recorded.length, 'every entry stored once');
        assert.deepEqual(new Set(entries.map((e) => e.request_id)), new Set(recorded.map((e) => e.request_id)));
      });

      it('lists newest first entries recorded in bursts that follow each other closely', async () => {
        const trail = await open();
        const prefix = freshPrefix();
        // Ten rounds of ten one-entry bursts, a tick apart, each later in time than the one before:
        // bursts that overlap in the store must not come back out of order.
        for (let round = 0; round < 10; round++) {
          const actor = `${prefix}-r${round}`;
          const recorded = series(actor, '2026-01-14T11:00:00.000Z', 10);
          const calls: Array<Promise<void>> = [];
          for (const e of recorded) {
            calls.push(trail.record([e]));
            await new Promise((resolve) => setImmediate(resolve));
          }
          await Promise.all(calls);

          const { entries } = await trail.query({ actor, limit: 100 });
          assert.deepEqual(
            entries.map((e) => e.at),
            newestFirst(recorded).map((e) => e.at),
            `round ${round}: newest first, by the instant and by the order the calls were made`,
          );
        }
      });
    });

    describe('purgeBefore', () => {
      it('drops exactly the entries older than the instant, keeps one exactly at it, and returns how many it dropped', async () => {
        const trail = await open();
        const prefix = freshPrefix();
        // A random millisecond in the 1980s: far before any entry other tests record.
        const cutoff = new Date(Date.parse('1980-01-01T00:00:00.000Z') + Math.floor(Math.random() * 3e11)).toISOString();
        // Whatever an earlier run left before this cutoff goes first, so that the count below is ours.
        await trail.purgeBefore(cutoff);
        const [a, b] = [`${prefix}-a`, `${prefix}-b`];
        const older = [
          entry({ actor: a, at: plus(cutoff, -86_400_000), student_id: `${prefix}-s` }),
          entry({ actor: b, at: plus(cutoff, -2) }),
          entry({ actor: a, at: plus(cutoff, -1) }),
        ];
        const kept = [
          entry({ actor: b, at: cutoff, student_id: `${prefix}-s` }),
          entry({ actor: a, at: plus(cutoff, 1) }),
          entry({ actor: b, at: plus(cutoff, 86_400_000) }),
        ];
        // Recorded out of time order: the instant decides, not the order of arrival.
        await trail.record([kept[1]!, older[0]!, kept[0]!, older[2]!, kept[2]!, older[1]!]);

        assert.equal(await trail.purgeBefore(cutoff), 3);

        assert.deepEqual((await trail.query({ actor: a, limit: 10 })).entries, [kept[1]]);
        assert.deepEqual((await trail.query({ actor: b, limit: 10 })).entries, [kept[2], kept[0]]);
        assert.equal(await trail.purgeBefore(cutoff), 0, 'a second purge finds nothing more');
      });

      it('reads the instant as an instant when it carries an offset', async () => {
        const trail = await open();
        const actor = `${freshPrefix()}-admin`;
        const cutoff = new Date(Date.parse('1985-01-01T00:00:00.000Z') + Math.floor(Math.random() * 3e11)).toISOString();
        await trail.purgeBefore(cutoff);
        const recorded = [entry({ actor, at: plus(cutoff, -1) }), entry({ actor, at: cutoff }), entry({ actor, at: plus(cutoff, 1) })];
        await trail.record(recorded);
        // The same instant as the cutoff, written three hours ahead.
        const shifted = new Date(Date.parse(cutoff) + 3 * 3_600_000).toISOString().replace('Z', '+03:00');

        assert.equal(await trail.purgeBefore(shifted), 1);
        assert.deepEqual((await trail.query({ actor, limit: 10 })).entries, newestFirst(recorded.slice(1)));
      });
    });
  });
}
