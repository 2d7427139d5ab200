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
import { dayOfTimestamp } from '../../model/instant.js';
import type { LearningEvent } from '../../model/learning-event.js';
import { dailyHistory, masteryAsOf } from '../../model/mastery-as-of.js';
import { DEFAULT_MODEL_CONFIG } from '../../model/model-config.js';
import { traceBefore } from '../../model/learner/knowledge-as-of.js';
import { DEFAULT_LEARNER_PARAMS } from '../../model/learner/learner-params.js';
import { evolveAll } from '../../model/fast/evolve-all.js';
import { initialState } from '../../model/student-state.js';
import { FORECAST_METHOD } from '../../model/learner/forecast.js';
import type { MasteryUpdated } from '../../ports/bus.js';
import type { CurrentMastery, StateStore, StudentRecord, StudentWrite } from '../../ports/state-store.js';

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

/** A record's facts; a store may tell "no knowledge trace" as null or by leaving it out. */
function facts(record: StudentRecord): Canonical {
  const { knowledge, ...rest } = record;
  return canonical(knowledge == null ? rest : { ...rest, knowledge });
}

function assertSameRecord(actual: StudentRecord | undefined, expected: StudentRecord, message?: string): void {
  assert.ok(actual !== undefined, message ?? `a record for ${expected.state.student_id}`);
  const { etag: _etag, ...record } = actual as StudentRecord & { etag?: string };
  assert.deepEqual(facts(record), facts(expected), message);
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
    {
      ...base(studentId, '2026-01-12T09:15:00.250Z', 'python.loops'),
      event_type: 'response.recorded',
      data: { item_id: 'loops:q17', correct: true, seconds: 42.5 },
    },
    { ...base(studentId, '2026-01-13T07:30:00Z', 'python.lists'), event_type: 'response.recorded', data: { item_id: 'lists-q2', correct: false } },
    { ...base(studentId, '2026-01-13T07:31:00Z', 'python.lists'), event_type: 'response.recorded', data: { item_id: 'lists-q2', correct: true, attempt: 2 } },
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
  assert.equal(state.responses.length, 2, 'the fixture holds first-attempt answers');
  return { state, current, knowledge: traceBefore(DEFAULT_LEARNER_PARAMS, state, null, null) };
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

/** A write that replaces the record loaded with `etag` (null: the store held none). */
function write(record: StudentRecord, etag: string | null = null, applied: LearningEvent[] = []): StudentWrite {
  return { record, etag, applied, days: [], incremental: false };
}

/**
 * A student saved as the engine saves it: its record folded from `events`, those events applied
 * (processed markers, raw events by day) and the daily values of every active day they touch,
 * so that a store keeping per-day keys holds some for this student.
 */
function writeWithHistory(studentId: string, events: LearningEvent[]): StudentWrite {
  const state = evolveAll(initialState(studentId), events);
  const from = events.map((e) => dayOfTimestamp(e.timestamp)).reduce((a, b) => (b < a ? b : a));
  const days = dailyHistory(state, DEFAULT_MODEL_CONFIG, { from, to: AS_OF }).map((d) => ({
    date: d.date,
    components: d.result.components,
  }));
  assert.ok(days.length >= 1, 'the fixture writes daily values');
  return { record: { state, current: currentOf({ state }) }, etag: null, applied: events, days, incremental: false };
}

/** The mastery.updated the engine would publish for a record with a result (a fresh event_id). */
function updateOf(record: StudentRecord): MasteryUpdated {
  const current = record.current ?? currentOf(record);
  return {
    event_id: randomUUID(),
    event_type: 'mastery.updated',
    timestamp: '2026-01-14T10:30:05.250Z',
    student_id: record.state.student_id,
    mastery_score: current.mastery_score,
    level: current.level,
    components: current.components,
    recommendations: current.recommendations,
    forecast: { score_in_7_days: 0.5, low: 0.25, high: 0.75, needs_help: false, method: FORECAST_METHOD, model_version: 'contract' },
  };
}

/** A write that also leaves `update` in the outbox. */
const withUpdate = (w: StudentWrite, update: MasteryUpdated): StudentWrite => ({ ...w, update });

/** The pending updates of these students, in the order of their ids. */
async function pendingOf(store: StateStore, studentIds: string[]): Promise<MasteryUpdated[]> {
  const pending = await store.pendingUpdates(studentIds);
  return [...pending].sort((a, b) => byCodeUnit(a.student_id, b.student_id));
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

  /** Saves a new student and returns the etag it now has. */
  async function seed(store: StateStore, record: StudentRecord): Promise<string> {
    assert.deepEqual((await store.save([write(record)])).conflicts, []);
    const etag = (await store.load([record.state.student_id])).get(record.state.student_id)?.etag;
    assert.equal(typeof etag, 'string', 'a loaded record carries its etag');
    return etag!;
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
        await seed(store, known);

        const loaded = await store.load([`${prefix}-unknown`, `${prefix}-known`, `${prefix}-know`]);

        assert.deepEqual([...loaded.keys()], [`${prefix}-known`]);
        const { etag: _etag, ...record } = loaded.get(`${prefix}-known`)!;
        assertSameRecord(record, known);
      });
    });

    describe('etags', () => {
      it('tells only etags that are current: the one load gives, moved by a write, none for a record removed or never held', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const student = `${prefix}-s`;
        const first = await seed(store, recordWithoutResult(student));
        const ids = [`${prefix}-unknown`, student];
        // A store may tell none (its etags can repeat); what it tells must be true.
        const told = await store.etags(ids);
        if (told.size > 0) assert.deepEqual([...told], [[student, first]], 'the etag load gives');
        assert.equal((await store.etags([])).size, 0);

        assert.deepEqual((await store.save([write(fullRecord(student), first)])).conflicts, []);
        const now = (await store.etags(ids)).get(student);
        if (now !== undefined) {
          assert.notEqual(now, first, 'a write moves it');
          assert.equal(now, (await store.load([student])).get(student)!.etag);
        }

        await store.remove([student], []);
        assert.equal((await store.etags(ids)).size, 0, 'a removed record has none');
        await seed(store, recordWithoutResult(student));
        const again = (await store.etags(ids)).get(student);
        if (again !== undefined) assert.ok(again !== first && again !== now, 'written again after its removal: an etag it never had');
      });
    });

    describe('save', () => {
      it('round-trips records: state over two topics with a result, one without a result, an empty state', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const full = fullRecord(`${prefix}-full`);
        const noResult = recordWithoutResult(`${prefix}-no-result`);
        const empty = emptyRecord(`${prefix}-empty`);

        assert.deepEqual((await store.save([write(full), write(noResult), write(empty)])).conflicts, []);
        const loaded = await store.load([`${prefix}-full`, `${prefix}-no-result`, `${prefix}-empty`]);

        assert.equal(loaded.size, 3);
        const strip = (id: string) => {
          const { etag: _etag, ...record } = loaded.get(id)!;
          return record;
        };
        assertSameRecord(strip(`${prefix}-full`), full, 'the full record');
        assertSameRecord(strip(`${prefix}-no-result`), noResult, 'the record without a result');
        assertSameRecord(strip(`${prefix}-empty`), empty, 'the empty record');
        assert.equal(loaded.get(`${prefix}-no-result`)?.current, null, 'a missing result stays null');
      });

      it('replaces a record as a whole when the write names its current etag, and gives it a new one', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const student = `${prefix}-s`;
        const neighbour = fullRecord(`${prefix}-t`);
        await seed(store, neighbour);
        const first = await seed(store, fullRecord(student));

        // Fewer topics and no result: nothing of the first record may survive.
        const second = recordWithoutResult(student);
        assert.deepEqual((await store.save([write(second, first)])).conflicts, []);
        const loaded = (await store.load([student])).get(student)!;
        const { etag, ...record } = loaded;
        assertSameRecord(record, second, 'after the second save');
        assert.notEqual(etag, first, 'a write changes the etag');

        const { etag: _n, ...neighbourNow } = (await store.load([`${prefix}-t`])).get(`${prefix}-t`)!;
        assertSameRecord(neighbourNow, neighbour, 'the neighbour is left alone');
      });

      it('refuses a write whose etag is stale, and keeps the newer record', async (t) => {
        const store = await openStore(t);
        const student = `${freshPrefix()}-s`;
        const stale = await seed(store, recordWithoutResult(student));
        const newer = fullRecord(student);
        assert.deepEqual((await store.save([write(newer, stale)])).conflicts, []);

        assert.deepEqual((await store.save([write(emptyRecord(student), stale)])).conflicts, [student]);

        const { etag: _e, ...record } = (await store.load([student])).get(student)!;
        assertSameRecord(record, newer, 'the refused write changed nothing');
      });

      it('refuses to create a record that already exists (etag null), and to replace one that does not', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        await seed(store, recordWithoutResult(`${prefix}-held`));

        const outcome = await store.save([write(emptyRecord(`${prefix}-held`), null), write(emptyRecord(`${prefix}-absent`), '1')]);

        assert.deepEqual(new Set(outcome.conflicts), new Set([`${prefix}-held`, `${prefix}-absent`]));
        assert.equal((await store.load([`${prefix}-absent`])).size, 0, 'nothing was created');
      });

      it('writes the students whose etag matches even when others in the batch conflict', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const held = `${prefix}-held`;
        await seed(store, recordWithoutResult(held));
        const fresh = fullRecord(`${prefix}-fresh`);

        const outcome = await store.save([write(emptyRecord(held), 'not-its-etag'), write(fresh)]);

        assert.deepEqual(outcome.conflicts, [held]);
        const { etag: _e, ...record } = (await store.load([`${prefix}-fresh`])).get(`${prefix}-fresh`)!;
        assertSameRecord(record, fresh);
      });

      it('folds an incremental write into the record it was planned from: the same record as one whole write', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const student = `${prefix}-s`;
        // The later events bring a new topic, a later report of a day already held, and new days.
        const events = [...oneTopicEvents(student), ...twoTopicEvents(student)];
        const later = { ...events[1]!, event_id: randomUUID(), timestamp: '2026-01-10T23:00:00Z' } as LearningEvent;
        const [first, ...rest] = [...events, later];
        const firstWrite = writeWithHistory(student, [first!]);
        await store.save([firstWrite]);
        const loaded = (await store.load([student])).get(student)!;

        const state = evolveAll(loaded.state, rest);
        const record = { state, current: currentOf({ state }) };
        const outcome = await store.save([{ record, etag: loaded.etag, applied: rest, days: [], incremental: true }]);

        assert.deepEqual(outcome.conflicts, []);
        const { etag: _e, ...stored } = (await store.load([student])).get(student)!;
        assertSameRecord(stored, { state: evolveAll(initialState(student), [first!, ...rest]), current: record.current });
        assert.deepEqual(await store.unprocessed([first!, ...rest].map((e) => e.event_id)), new Set(), 'every event is marked');
      });

      it('reports the new etag of a write when it knows it, and a write naming it is accepted', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const student = `${prefix}-s`;
        const first = await store.save([write(recordWithoutResult(student))]);
        const loaded = (await store.load([student])).get(student)!;
        const reported = first.etags.get(student);
        if (reported !== undefined) assert.equal(reported, loaded.etag, 'the reported etag is the stored one');

        const second = await store.save([write(fullRecord(student), loaded.etag)]);
        const again = second.etags.get(student);
        if (again !== undefined) {
          assert.notEqual(again, loaded.etag);
          assert.deepEqual((await store.save([write(emptyRecord(student), again)])).conflicts, [], 'the reported etag names the record');
        }
        assert.equal(second.etags.has(`${prefix}-other`), false);
        const refused = await store.save([write(emptyRecord(student), loaded.etag)]);
        assert.deepEqual(refused.conflicts, [student]);
        assert.equal(refused.etags.has(student), false, 'no etag for a refused write');
      });

      it('accepts an empty batch', async (t) => {
        const store = await openStore(t);
        assert.deepEqual((await store.save([])).conflicts, []);
      });
    });

    describe('processed markers', () => {
      it('reports as unprocessed every event no write has applied', async (t) => {
        const store = await openStore(t);
        const ids = [randomUUID(), randomUUID()];
        assert.deepEqual(await store.unprocessed(ids), new Set(ids));
        assert.deepEqual(await store.unprocessed([]), new Set());
      });

      it('marks the events a write applied, and only once the write succeeds', async (t) => {
        const store = await openStore(t);
        const student = `${freshPrefix()}-s`;
        const events = twoTopicEvents(student);
        const [first, ...rest] = events;
        const state = evolveAll(initialState(student), events);
        await store.save([write({ state, current: null }, null, rest)]);

        const refusedEvent = randomUUID();
        const refused = await store.save([write({ state, current: null }, 'stale', [{ ...first!, event_id: refusedEvent }])]);
        assert.deepEqual(refused.conflicts, [student]);

        assert.deepEqual(await store.unprocessed(events.map((e) => e.event_id)), new Set([first!.event_id]));
        assert.deepEqual(await store.unprocessed([refusedEvent]), new Set([refusedEvent]), 'a refused write marks nothing');
      });
    });

    describe('outbox (pending updates)', () => {
      it('keeps the update of a write with the record, whole, until it is acknowledged; a refused write leaves none', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const [a, b, c] = ['a', 'b', 'c'].map((x) => `${prefix}-${x}`) as [string, string, string];
        await seed(store, recordWithoutResult(c));
        const fullA = fullRecord(a);
        const updateA = updateOf(fullA);
        const updateC = updateOf(fullRecord(c));

        const outcome = await store.save([
          withUpdate(write(fullA), updateA),
          write(recordWithoutResult(b)),
          withUpdate(write(fullRecord(c), 'not-its-etag'), updateC),
        ]);

        assert.deepEqual(outcome.conflicts, [c]);
        assert.deepEqual(await pendingOf(store, [a, b, c, `${prefix}-unknown`]), [updateA], 'only the written update, as it was given');
        assert.deepEqual(await store.pendingUpdates([]), []);

        await store.acknowledge([{ student_id: a, event_id: updateA.event_id }]);
        assert.deepEqual(await store.pendingUpdates([a]), [], 'acknowledged: gone');
        const { etag: _e, ...record } = (await store.load([a])).get(a)!;
        assertSameRecord(record, fullA, 'the record is untouched by the acknowledgement');
      });

      it('holds one update per student: a newer write replaces it, a write without one leaves it, an old acknowledgement spares the newer', async (t) => {
        const store = await openStore(t);
        const student = `${freshPrefix()}-s`;
        const first = updateOf(recordWithoutResult(student));
        await store.save([withUpdate(write(recordWithoutResult(student)), first)]);
        const e1 = (await store.load([student])).get(student)!.etag;

        const second = updateOf(fullRecord(student));
        assert.deepEqual((await store.save([withUpdate(write(fullRecord(student), e1), second)])).conflicts, []);
        assert.deepEqual(await store.pendingUpdates([student]), [second], 'the newer replaced the older');

        const e2 = (await store.load([student])).get(student)!.etag;
        assert.deepEqual((await store.save([write(fullRecord(student), e2)])).conflicts, []);
        assert.deepEqual(await store.pendingUpdates([student]), [second], 'a write without an update leaves it');

        await store.acknowledge([
          { student_id: student, event_id: first.event_id },
          { student_id: `${student}-none`, event_id: randomUUID() },
        ]);
        assert.deepEqual(await store.pendingUpdates([student]), [second], 'acknowledging the replaced one removes nothing');
        await store.acknowledge([{ student_id: student, event_id: second.event_id }]);
        await assert.doesNotReject(store.acknowledge([{ student_id: student, event_id: second.event_id }]), 'twice is harmless');
        await assert.doesNotReject(store.acknowledge([]));
        assert.deepEqual(await store.pendingUpdates([student]), []);
      });

      it("forgets the pending update of a removed student, and keeps the others'", async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const [gone, kept] = [`${prefix}-gone`, `${prefix}-kept`];
        const updates = [updateOf(fullRecord(gone)), updateOf(fullRecord(kept))];
        await store.save([withUpdate(writeWithHistory(gone, twoTopicEvents(gone)), updates[0]!), withUpdate(write(fullRecord(kept)), updates[1]!)]);

        await store.remove([gone], []);

        assert.deepEqual(await pendingOf(store, [gone, kept]), [updates[1]]);
      });
    });

    describe('remove', () => {
      it("forgets the students' records and the given events' markers, and leaves other students alone", async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const [a, b, c] = ['a', 'b', 'c'].map((x) => `${prefix}-${x}`) as [string, string, string];
        const events = { a: twoTopicEvents(a), b: oneTopicEvents(b), c: twoTopicEvents(c) };
        const writes = [writeWithHistory(a, events.a), writeWithHistory(b, events.b), writeWithHistory(c, events.c)];
        assert.deepEqual((await store.save(writes)).conflicts, []);
        const neighbour = (await store.load([c])).get(c)!;
        const removedIds = [...events.a, ...events.b].map((e) => e.event_id);

        await store.remove([a, b], removedIds);

        assert.equal((await store.load([a, b])).size, 0, 'load finds neither removed student');
        assert.deepEqual(await store.unprocessed(removedIds), new Set(removedIds), 'their events count as unprocessed again');
        const { etag: neighbourEtag, ...neighbourNow } = (await store.load([c])).get(c)!;
        assertSameRecord(neighbourNow, writes[2]!.record, 'the other student keeps its record');
        assert.equal(neighbourEtag, neighbour.etag, 'and its version');
        const cIds = events.c.map((e) => e.event_id);
        assert.deepEqual(await store.unprocessed(cIds), new Set(), 'and its markers');
      });

      it('lets a removed student be created anew (etag null), and its events applied again', async (t) => {
        const store = await openStore(t);
        const student = `${freshPrefix()}-s`;
        const events = twoTopicEvents(student);
        await store.save([writeWithHistory(student, events)]);
        await store.remove(
          [student],
          events.map((e) => e.event_id),
        );

        const again = writeWithHistory(student, events.slice(0, 3));
        assert.deepEqual((await store.save([again])).conflicts, [], 'no record stands in the way');

        const { etag, ...record } = (await store.load([student])).get(student)!;
        assert.equal(typeof etag, 'string');
        assertSameRecord(record, again.record, 'the new record, nothing of the removed one');
        assert.deepEqual(
          await store.unprocessed(events.map((e) => e.event_id)),
          new Set(events.slice(3).map((e) => e.event_id)),
          'only the events applied anew are marked',
        );
      });

      it('clears markers alone when no student is named (the events of students kept)', async (t) => {
        const store = await openStore(t);
        const student = `${freshPrefix()}-s`;
        const events = twoTopicEvents(student);
        const written = writeWithHistory(student, events);
        await store.save([written]);
        const [first, second, ...rest] = events.map((e) => e.event_id);

        await store.remove([], [first!, second!]);

        assert.deepEqual(await store.unprocessed(events.map((e) => e.event_id)), new Set([first, second]));
        assert.deepEqual(await store.unprocessed(rest), new Set());
        const { etag: _e, ...record } = (await store.load([student])).get(student)!;
        assertSameRecord(record, written.record, 'the record is untouched');
      });

      it('accepts students and events it does not hold, and empty lists', async (t) => {
        const store = await openStore(t);
        const prefix = freshPrefix();
        const held = recordWithoutResult(`${prefix}-held`);
        await seed(store, held);
        const unknownEvent = randomUUID();

        await assert.doesNotReject(store.remove([`${prefix}-unknown`, `${prefix}-hel`], [unknownEvent]));
        await assert.doesNotReject(store.remove([], []));

        assert.deepEqual(await store.unprocessed([unknownEvent]), new Set([unknownEvent]));
        const { etag: _e, ...record } = (await store.load([`${prefix}-held`])).get(`${prefix}-held`)!;
        assertSameRecord(record, held, 'a student whose id the unknown one extends is left alone');
        assert.equal((await store.load([`${prefix}-unknown`])).size, 0, 'removing creates nothing');
      });

      it('removes a student twice without complaint', async (t) => {
        const store = await openStore(t);
        const student = `${freshPrefix()}-s`;
        const events = oneTopicEvents(student);
        await store.save([write(recordWithoutResult(student), null, events)]);
        const eventIds = events.map((e) => e.event_id);

        await store.remove([student], eventIds);
        await assert.doesNotReject(store.remove([student], eventIds));

        assert.equal((await store.load([student])).size, 0);
        assert.deepEqual(await store.unprocessed(eventIds), new Set(eventIds));
      });
    });

    it('ping resolves', async (t) => {
      const store = await openStore(t);
      await assert.doesNotReject(store.ping());
    });
  });
}
