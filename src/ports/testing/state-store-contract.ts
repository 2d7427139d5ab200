/**
 * The StateStore contract: one suite that every adapter of the port must pass (memory, Redis,
 * Dapr…). Records are compared through a canonical form (Maps as sorted entries, object keys
 * sorted, undefined members dropped), so a store may keep them in any encoding as long as the
 * same facts come back. Each test opens a store, closes it when done, and names its students with
 * a prefix of its own, so the suite also holds on a store that already holds other students.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import type { Day } from '../../model/days.js';
import type { LearningEvent } from '../../model/learning-event.js';
import { masteryAsOf } from '../../model/mastery-as-of.js';
import { DEFAULT_MODEL_CONFIG } from '../../model/model-config.js';
import { evolveAll, initialState } from '../../model/student-state.js';
import type { CurrentMastery, StateStore, StudentRecord } from '../state-store.js';

// ---------------------------------------------------------------------------------------------
// Canonical form
// ---------------------------------------------------------------------------------------------

type Canonical = null | boolean | number | string | Canonical[] | { [key: string]: Canonical };

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The facts a value holds, whatever the encoding it went through: a Map becomes its entries
 * sorted by key (tagged, so that a Map and a plain object never compare equal), object members
 * are sorted and the undefined ones dropped, -0 becomes 0 (JSON cannot tell them apart).
 */
function canonical(value: unknown): Canonical {
  if (value === null) return null;
  if (value instanceof Map) {
    const entries = [...value.entries()].map(([k, v]): [Canonical, Canonical] => [canonical(k), canonical(v)]);
    entries.sort(([a], [b]) => byCodeUnit(JSON.stringify(a), JSON.stringify(b)));
    return { '(Map)': entries };
  }
  if (Array.isArray(value)) return value.map(canonical);
  switch (typeof value) {
    case 'object': {
      const out: { [key: string]: Canonical } = {};
      for (const key of Object.keys(value).sort(byCodeUnit)) {
        const member: unknown = (value as Record<string, unknown>)[key];
        if (member !== undefined) out[key] = canonical(member);
      }
      return out;
    }
    case 'number':
      return Object.is(value, -0) ? 0 : value;
    case 'string':
    case 'boolean':
      return value;
    default:
      throw new TypeError(`a record holds no ${typeof value}`);
  }
}

function assertSameRecord(actual: StudentRecord | undefined, expected: StudentRecord, message?: string): void {
  assert.ok(actual !== undefined, message ?? `a record for ${expected.state.student_id}`);
  assert.deepEqual(canonical(actual), canonical(expected), message);
}

// ---------------------------------------------------------------------------------------------
// Records built the way the engine builds them: the fold over valid events, and a result.
// ---------------------------------------------------------------------------------------------

const AS_OF: Day = '2026-01-14';

function base(studentId: string, timestamp: string, topic: string) {
  return { event_id: randomUUID(), timestamp, student_id: studentId, topic };
}

/** Events over two topics and four days, with every component and an activity. */
function twoTopicEvents(studentId: string): LearningEvent[] {
  return [
    {
      ...base(studentId, '2026-01-10T09:00:00Z', 'python.loops'),
      event_type: 'mastery.calculation.requested',
      component: 'completion',
      data: { total_exercises: 25, completed_exercises: 20, difficulty: 'intermediate' },
    },
    {
      ...base(studentId, '2026-01-11T10:00:00.500Z', 'python.loops'),
      event_type: 'mastery.calculation.requested',
      component: 'quality',
      data: { avg_code_quality: 0.85, correctness: 1 / 3, efficiency: 0.7 },
    },
    {
      ...base(studentId, '2026-01-12T08:00:00Z', 'python.loops'),
      event_type: 'mastery.calculation.requested',
      component: 'completion',
      data: { total_exercises: 10, completed_exercises: 3 },
    },
    {
      ...base(studentId, '2026-01-12T18:00:00Z', 'python.loops'),
      event_type: 'mastery.calculation.requested',
      component: 'consistency',
      data: {},
    },
    {
      ...base(studentId, '2026-01-11T12:00:00Z', 'python.lists'),
      event_type: 'mastery.calculation.requested',
      component: 'quiz',
      data: { total_questions: 10, correct_answers: 3, avg_time_seconds: 42.5, attempts: 2 },
    },
    { ...base(studentId, '2026-01-13T07:00:00Z', 'python.lists'), event_type: 'activity.recorded', data: {} },
  ];
}

function oneTopicEvents(studentId: string): LearningEvent[] {
  return [
    {
      ...base(studentId, '2026-01-09T09:00:00Z', 'general'),
      event_type: 'mastery.calculation.requested',
      component: 'quiz',
      data: { total_questions: 4, correct_answers: 4 },
    },
  ];
}

function currentOf(record: Omit<StudentRecord, 'current'>): CurrentMastery {
  const result = masteryAsOf(record.state, AS_OF, DEFAULT_MODEL_CONFIG);
  assert.ok(result !== undefined, 'the fixture has a result');
  return { ...result, as_of: AS_OF };
}

/** A student with two topics and a current result (with recommendations). */
function fullRecord(studentId: string): StudentRecord {
  const state = evolveAll(initialState(studentId), twoTopicEvents(studentId));
  const current = currentOf({ state });
  // The fixture is only worth its name if it exercises what it claims to.
  assert.equal(state.topics.size, 2, 'the fixture spans two topics');
  assert.ok(current.recommendations.length > 0, 'the fixture carries recommendations');
  return { state, current };
}

/** A student with one topic and no result computed yet. */
function recordWithoutResult(studentId: string): StudentRecord {
  return { state: evolveAll(initialState(studentId), oneTopicEvents(studentId)), current: null };
}

/** A student with no event at all (an empty Map of topics). */
function emptyRecord(studentId: string): StudentRecord {
  return { state: initialState(studentId), current: null };
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** A student-id prefix no other test (nor an earlier run against the same store) uses. */
const freshPrefix = () => `c${randomUUID().replaceAll('-', '').slice(0, 16)}`;

/** Every id the store lists, read page by page, and the total it reported on each page. */
async function listAll(store: StateStore, limit = 100): Promise<{ studentIds: string[]; totals: number[] }> {
  const studentIds: string[] = [];
  const totals: number[] = [];
  for (let offset = 0; ; offset += limit) {
    const page = await store.list({ offset, limit });
    totals.push(page.total);
    studentIds.push(...page.studentIds);
    if (page.studentIds.length < limit) return { studentIds, totals };
  }
}

// ---------------------------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------------------------

export function stateStoreContract(name: string, open: () => Promise<StateStore>): void {
  /** Opens a store for one test and closes it when the test ends, whatever its outcome. */
  async function openStore(t: TestContext): Promise<StateStore> {
    const store = await open();
    t.after(() => store.close());
    return store;
  }

  describe(name, () => {
    describe('load', () => {
      it('returns an empty map for ids it does not hold, and for no ids', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();

        const loaded = await store.load([`${prefix}-a`, `${prefix}-b`]);

        assert.ok(loaded instanceof Map, 'load returns a Map');
        assert.equal(loaded.size, 0);
        assert.equal((await store.load([])).size, 0);
      });

      it('returns only the records it holds when asked for known and unknown ids', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const known = recordWithoutResult(`${prefix}-known`);
        await store.save([known]);

        const loaded = await store.load([`${prefix}-unknown`, `${prefix}-known`, `${prefix}-know`]);

        assert.deepEqual([...loaded.keys()], [`${prefix}-known`]);
        assertSameRecord(loaded.get(`${prefix}-known`), known);
      });
    });

    describe('save', () => {
      it('round-trips records: state over two topics with a result, one without a result, an empty state', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const full = fullRecord(`${prefix}-full`);
        const noResult = recordWithoutResult(`${prefix}-no-result`);
        const empty = emptyRecord(`${prefix}-empty`);

        await store.save([full, noResult, empty]);
        const loaded = await store.load([`${prefix}-full`, `${prefix}-no-result`, `${prefix}-empty`]);

        assert.equal(loaded.size, 3);
        assertSameRecord(loaded.get(`${prefix}-full`), full, 'the full record');
        assertSameRecord(loaded.get(`${prefix}-no-result`), noResult, 'the record without a result');
        assertSameRecord(loaded.get(`${prefix}-empty`), empty, 'the empty record');
        assert.equal(loaded.get(`${prefix}-no-result`)?.current, null, 'a missing result stays null');
      });

      it('keeps a record when read from another call, and each student apart', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const a = fullRecord(`${prefix}-a`);
        const b = recordWithoutResult(`${prefix}-b`);
        await store.save([a]);
        await store.save([b]);

        assertSameRecord((await store.load([`${prefix}-a`])).get(`${prefix}-a`), a);
        assertSameRecord((await store.load([`${prefix}-b`])).get(`${prefix}-b`), b);
      });

      it('overwrites a student\'s record as a whole, and leaves the other students alone', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const student = `${prefix}-s`;
        const neighbour = fullRecord(`${prefix}-t`);
        const first = fullRecord(student);
        await store.save([first, neighbour]);

        // Fewer topics and no result: nothing of the first record may survive.
        const second = recordWithoutResult(student);
        await store.save([second]);
        assertSameRecord((await store.load([student])).get(student), second, 'after the second save');

        // And back to a record with a result.
        const third = fullRecord(student);
        await store.save([third]);
        assertSameRecord((await store.load([student])).get(student), third, 'after the third save');

        assertSameRecord((await store.load([`${prefix}-t`])).get(`${prefix}-t`), neighbour, 'the neighbour');
      });

      it('accepts an empty batch', async (t) => {
        const store = await openStore(t);
        const before = await listAll(store);

        await store.save([]);

        assert.deepEqual((await listAll(store)).studentIds, before.studentIds);
      });
    });

    describe('list', () => {
      it('returns ids in ascending order, a page at a time, with the total', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const before = await listAll(store);
        const suffixes = ['m', 'B', 'a', 'Z', 'a-b', 'a.b', 'a_b', 'a0', '9'];
        const ours = suffixes.map((s) => `${prefix}${s}`);
        await store.save(ours.map(recordWithoutResult));
        // Saving a student again replaces its record; it must not list it twice.
        await store.save([fullRecord(`${prefix}a`)]);

        const expected = [...before.studentIds, ...ours].sort(byCodeUnit);
        const total = expected.length;
        const all = await listAll(store, 3);

        assert.deepEqual(all.studentIds, expected);
        assert.deepEqual(new Set(all.totals), new Set([total]), 'every page reports the same total');
        assert.deepEqual(
          all.studentIds.filter((id) => id.startsWith(prefix)),
          [...ours].sort(byCodeUnit),
        );

        const firstOfOurs = expected.indexOf(`${prefix}9`);
        assert.deepEqual(await store.list({ offset: firstOfOurs, limit: 4 }), {
          studentIds: expected.slice(firstOfOurs, firstOfOurs + 4),
          total,
        });
        assert.deepEqual(await store.list({ offset: total - 2, limit: 5 }), {
          studentIds: expected.slice(total - 2),
          total,
        }, 'the last page holds what is left');
        assert.deepEqual(await store.list({ offset: total, limit: 5 }), { studentIds: [], total }, 'past the end');
        assert.deepEqual(await store.list({ offset: total + 10, limit: 5 }), { studentIds: [], total }, 'far past the end');
      });

      it('counts a student saved after a listing', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        await store.save([emptyRecord(`${prefix}-b`)]);
        const before = await listAll(store);

        await store.save([emptyRecord(`${prefix}-a`)]);
        const after = await listAll(store);

        assert.deepEqual(after.studentIds, [...before.studentIds, `${prefix}-a`].sort(byCodeUnit));
        assert.equal(after.totals[0], before.totals[0]! + 1);
      });
    });

    it('ping resolves', async (t) => {
      const store = await openStore(t);
      await assert.doesNotReject(store.ping());
    });
  });
}
