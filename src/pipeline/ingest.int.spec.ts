/**
 * The ingest pipeline without HTTP, over the in-memory adapters: validate → event log → fold →
 * state store → mastery.updated (architecture.md "One way through", events.md).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStateStore } from '../adapters/memory/memory-state-store.js';
import { addDays, type Day } from '../model/days.js';
import type { LearningEvent } from '../model/learning-event.js';
import { masteryAsOf, topicNames } from '../model/mastery-as-of.js';
import { DEFAULT_MODEL_CONFIG } from '../model/model-config.js';
import { evolveAll } from '../model/fast/evolve-all.js';
import { initialState, type StudentState } from '../model/student-state.js';
import type { MasteryUpdated } from '../ports/bus.js';
import type { StateStore } from '../ports/state-store.js';
import { createStudentQueries } from '../queries/student-queries.js';
import { validateEvent } from '../validation/validate-event.js';
import { wire, workedExampleB, type WireEvent } from '../testing/wire-events.js';

/** The instant the pipeline's clock stands at. */
const TEST_NOW = '2026-01-14T12:00:00Z';
import type { EngineDeps } from '../engine-deps.js';
import { createIngest } from './ingest.js';
import { memoryDeps, callers } from '../testing/memory-deps.js';
import { rebuildState } from './rebuild-state.js';
import { recoverUnapplied } from './recover-unapplied.js';
import { waitFor } from '../testing/wait-for.js';

const NOW_MS = Date.parse(TEST_NOW);
const ADMIN = callers.admin;

function engine(store: StateStore = createMemoryStateStore()) {
  const deps = memoryDeps({ now: TEST_NOW, store });
  const updates: MasteryUpdated[] = [];
  deps.bus.subscribe((u) => updates.push(u));
  const ingest = createIngest(deps);
  return { deps, updates, ingest: (events: readonly unknown[]) => ingest(events, callers.service) };
}

/** The event as the pipeline keeps it once validated (topic defaulted, id in lower case). */
function normalised(raw: WireEvent): LearningEvent {
  const v = validateEvent(raw, NOW_MS);
  assert.ok(v.ok, `test set-up: ${JSON.stringify(raw)} is valid`);
  return v.event;
}

function foldOf(studentId: string, events: readonly WireEvent[]): StudentState {
  return evolveAll(initialState(studentId), events.map(normalised));
}

async function stateOf(deps: EngineDeps, studentId: string): Promise<StudentState> {
  const record = (await deps.store.load([studentId])).get(studentId);
  assert.ok(record, `the store holds ${studentId}`);
  return record.state;
}

/** Every day from 2026-01-01 to 2026-01-15, inclusive. */
const DAYS: Day[] = Array.from({ length: 15 }, (_, i) => addDays('2026-01-01', i));

/** The results a reader can see: overall and per topic, as of every day of January's first half. */
function resultsOf(state: StudentState) {
  return DAYS.map((day) => ({
    day,
    overall: masteryAsOf(state, day, DEFAULT_MODEL_CONFIG),
    topics: topicNames(state).map((topic) => masteryAsOf(state, day, DEFAULT_MODEL_CONFIG, topic)),
  }));
}

/** A student's history over several topics and days; every event valid. */
function aFortnight(studentId: string): WireEvent[] {
  return [
    ...workedExampleB(studentId),
    wire.completion(studentId, '2026-01-03T10:00:00Z', { total_exercises: 10, completed_exercises: 3, difficulty: 'advanced' }, 'python.loops'),
    wire.completion(studentId, '2026-01-11T10:00:00Z', { total_exercises: 10, completed_exercises: 9, difficulty: 'advanced' }, 'python.loops'),
    wire.quiz(studentId, '2026-01-11T11:00:00Z', { total_questions: 8, correct_answers: 4, attempts: 3 }, 'python.loops'),
    wire.quality(studentId, '2026-01-13T09:00:00Z', { avg_code_quality: 0.5, correctness: 1, efficiency: 0.25 }, 'python.functions'),
    wire.activity(studentId, '2026-01-14T11:59:00Z', 'python.functions'),
  ];
}

describe('ingest: the report, per index', () => {
  it('accepted, duplicate (in the log or earlier in the batch) and rejected, each at its index', async () => {
    const { ingest } = engine();
    const known = wire.activity('alice', '2026-01-13T10:00:00Z');
    await ingest([known]);
    const good = wire.completion('alice', '2026-01-14T10:00:00Z', { total_exercises: 4, completed_exercises: 3 });
    const bad = wire.completion('alice', '2026-01-14T10:00:00Z', { total_exercises: 4, completed_exercises: 5 });
    const other = wire.activity('bob', '2026-01-14T10:00:00Z');

    const report = await ingest([good, bad, known, other, good, { nonsense: true }]);

    assert.deepStrictEqual(
      report.results.map((r) => ({ index: r.index, event_id: r.event_id, status: r.status })),
      [
        { index: 0, event_id: good.event_id, status: 'accepted' },
        { index: 1, event_id: bad.event_id, status: 'rejected' },
        { index: 2, event_id: known.event_id, status: 'duplicate' },
        { index: 3, event_id: other.event_id, status: 'accepted' },
        { index: 4, event_id: good.event_id, status: 'duplicate' },
        { index: 5, event_id: undefined, status: 'rejected' },
      ],
    );
    assert.deepStrictEqual([report.accepted, report.duplicate, report.rejected], [2, 2, 2]);
    const errorsOf = (i: number) => {
      const r = report.results[i];
      return r?.status === 'rejected' ? r.errors.map((e) => e.field) : [];
    };
    assert.ok(errorsOf(1).includes('data.completed_exercises'), JSON.stringify(report.results[1]));
    assert.ok(errorsOf(5).length > 0, 'a rejection always names at least one field');
    assert.deepStrictEqual([...report.updated].sort(), ['alice', 'bob']);
  });

  it('rejected events never reach the event log; accepted ones do, once each', async () => {
    const { deps, ingest } = engine();
    const good = wire.quiz('alice', '2026-01-14T10:00:00Z', { total_questions: 10, correct_answers: 7 });
    const badData = wire.quiz('alice', '2026-01-14T10:01:00Z', { total_questions: 10, correct_answers: 7, attempts: 0 });
    const future = wire.activity('alice', '2026-01-14T12:05:01Z');
    const onlyBad = wire.quality('carol', '2026-01-14T10:00:00Z', { avg_code_quality: 1.2, correctness: 1, efficiency: 1 });

    await ingest([good, badData, future, onlyBad, good]);

    assert.deepStrictEqual(
      (await deps.log.readStudent('alice')).map((e) => e.event_id),
      [good.event_id],
    );
    assert.deepStrictEqual(await deps.log.readStudent('carol'), []);
    assert.equal((await deps.store.load(['carol'])).size, 0, 'no record for a student whose events were all rejected');
  });

  it('a batch of nothing but rejected events stores nothing and publishes nothing', async () => {
    const { deps, ingest, updates } = engine();

    const report = await ingest([{}, null, wire.activity('a:b', '2026-01-14T10:00:00Z')]);

    assert.equal(report.rejected, 3);
    assert.deepStrictEqual(report.updated, []);
    assert.equal(updates.length, 0);
    assert.deepStrictEqual((await deps.log.listStudents({ offset: 0, limit: 10 })).total, 0);
    assert.equal((await deps.store.load(['a:b'])).size, 0);
  });
});

describe('ingest: the state is the fold of the accepted events', () => {
  it('after one batch with bad events and duplicates mixed in', async () => {
    const { deps, ingest } = engine();
    const valid = aFortnight('dora');
    const noise = [
      wire.completion('dora', '2026-01-14T11:00:00Z', { total_exercises: 5, completed_exercises: 6 }),
      wire.quiz('dora', '2026-01-14T11:00:00Z', { total_questions: 0, correct_answers: 0 }, 'python.loops'),
      { ...wire.activity('dora', '2026-01-14T11:00:00Z'), component: 'quiz' },
    ];

    const report = await ingest([...valid.slice(0, 4), ...noise, ...valid.slice(4), valid[0]!, valid[7]!]);

    assert.equal(report.accepted, valid.length);
    assert.equal(report.rejected, noise.length);
    const expected = foldOf('dora', valid);
    const actual = await stateOf(deps, 'dora');
    assert.deepStrictEqual(actual, expected);
    assert.deepStrictEqual(resultsOf(actual), resultsOf(expected));
  });

  it('after the same events in several batches, in reverse order, with replays', async () => {
    const { deps, ingest } = engine();
    const valid = aFortnight('dora');
    const reversed = [...valid].reverse();

    await ingest(reversed.slice(0, 5));
    await ingest([...reversed.slice(3, 9), ...reversed.slice(0, 2)]);
    await ingest(reversed.slice(9));
    await ingest(valid);

    assert.deepStrictEqual(resultsOf(await stateOf(deps, 'dora')), resultsOf(foldOf('dora', valid)));
    // and the numbers are those of §7 example B where it applies: topic general as of 2026-01-14
    assert.equal(masteryAsOf(await stateOf(deps, 'dora'), '2026-01-14', DEFAULT_MODEL_CONFIG, 'general')?.mastery_score, 0.712);
  });

  it('the event log holds exactly the accepted events, oldest first', async () => {
    const { deps, ingest } = engine();
    const valid = aFortnight('dora');

    await ingest([...valid].reverse());

    const logged = await deps.log.readStudent('dora');
    assert.deepStrictEqual(new Set(logged.map((e) => e.event_id)), new Set(valid.map((e) => e.event_id)));
    const times = logged.map((e) => Date.parse(e.timestamp));
    assert.deepStrictEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
  });
});

describe('rebuildState', () => {
  it('from the log into a fresh store gives the same records and the same answers as the live store', async () => {
    const live = engine();
    const students = ['dora', 'eve', 'finn'];
    for (const s of students) {
      const events = aFortnight(s);
      await live.ingest(events.slice(0, 6));
      await live.ingest(events.slice(6));
    }
    await live.ingest([wire.quiz('eve', '2026-01-14T11:00:00Z', { total_questions: 10, correct_answers: 10 }, 'python.loops')]);

    const rebuilt: EngineDeps = { ...live.deps, store: createMemoryStateStore() };
    const count = await rebuildState(rebuilt);

    assert.equal(count, students.length);
    assert.deepStrictEqual([...(await rebuilt.store.load(students)).keys()].sort(), [...students].sort());
    const liveQueries = createStudentQueries(live.deps);
    const rebuiltQueries = createStudentQueries(rebuilt);
    for (const s of students) {
      const [a, b] = [await stateOf(live.deps, s), await stateOf(rebuilt, s)];
      assert.deepStrictEqual(b, a, s);
      assert.deepStrictEqual(resultsOf(b), resultsOf(a), s);
      for (const asOf of ['2026-01-05', '2026-01-12', '2026-01-14']) {
        assert.deepStrictEqual(await rebuiltQueries.mastery(ADMIN, s, { asOf }), await liveQueries.mastery(ADMIN, s, { asOf }));
        assert.deepStrictEqual(await rebuiltQueries.prediction(ADMIN, s, { asOf }), await liveQueries.prediction(ADMIN, s, { asOf }));
        assert.deepStrictEqual(await rebuiltQueries.path(ADMIN, s, { asOf }), await liveQueries.path(ADMIN, s, { asOf }));
      }
      assert.deepStrictEqual(await rebuiltQueries.history(ADMIN, s), await liveQueries.history(ADMIN, s));
    }
  });

  it('running it twice leaves the same records', async () => {
    const live = engine();
    await live.ingest(aFortnight('dora'));
    const store = createMemoryStateStore();
    const rebuilt: EngineDeps = { ...live.deps, store };

    await rebuildState(rebuilt);
    const once = await stateOf(rebuilt, 'dora');
    await rebuildState(rebuilt);

    assert.deepStrictEqual(await stateOf(rebuilt, 'dora'), once);
  });
});

/** A state store whose every call waits a little, so that unserialised read–fold–writes interleave. */
function slowStore(inner: StateStore): StateStore {
  const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 5));
  return {
    ...inner,
    async load(ids) {
      const found = await inner.load(ids);
      await pause();
      return found;
    },
    async save(writes) {
      await pause();
      return inner.save(writes);
    },
  };
}

describe('ingest: concurrent batches about the same student', () => {
  it('two batches at once lose no event: the final state holds both batches’ inputs', async () => {
    const { deps, ingest } = engine(slowStore(createMemoryStateStore()));
    const first = [
      wire.completion('gus', '2026-01-14T09:00:00Z', { total_exercises: 25, completed_exercises: 20 }),
      wire.activity('gus', '2026-01-10T09:00:00Z'),
    ];
    const second = [
      wire.quiz('gus', '2026-01-14T09:30:00Z', { total_questions: 20, correct_answers: 18 }),
      wire.quality('gus', '2026-01-12T09:00:00Z', { avg_code_quality: 0.9, correctness: 0.8, efficiency: 0.7 }, 'python.loops'),
    ];

    const reports = await Promise.all([ingest(first), ingest(second)]);

    assert.deepStrictEqual(
      reports.map((r) => r.accepted),
      [2, 2],
    );
    const state = await stateOf(deps, 'gus');
    assert.deepStrictEqual(state, foldOf('gus', [...first, ...second]));
    const overall = masteryAsOf(state, '2026-01-14', DEFAULT_MODEL_CONFIG);
    assert.equal(overall?.components.completion, 0.8, 'the first batch’s completion report');
    assert.equal(overall?.components.quiz, 0.9, 'the second batch’s quiz report');
    assert.equal(overall?.components.quality, 0.8, 'the second batch’s quality report');
  });

  it('many small batches at once: every one of them is in the final state', async () => {
    const { deps, ingest } = engine(slowStore(createMemoryStateStore()));
    const batches = Array.from({ length: 10 }, (_, i) => [wire.activity('gus', `2026-01-${String(i + 1).padStart(2, '0')}T09:00:00Z`)]);

    await Promise.all(batches.map((b) => ingest(b)));

    assert.deepStrictEqual((await stateOf(deps, 'gus')).days, DAYS.slice(0, 10));
  });
});

describe('ingest: students the log had never seen', () => {
  /** Counts which students the pipeline asks the store and the log for. */
  function counting(deps: EngineDeps) {
    const asked = { store: [] as string[], log: [] as string[], refused: [] as string[] };
    const { load, save } = deps.store;
    const { readStudents } = deps.log;
    deps.store.load = (ids) => (asked.store.push(...ids), load(ids));
    deps.store.save = async (writes) => {
      const outcome = await save(writes);
      asked.refused.push(...outcome.conflicts);
      return outcome;
    };
    deps.log.readStudents = (ids) => (asked.log.push(...ids), readStudents(ids));
    return asked;
  }

  it('are folded from their events alone: neither the store nor the log is asked for them', async () => {
    const { deps, ingest } = engine();
    await ingest([wire.activity('known', '2026-01-10T10:00:00Z')]);
    const asked = counting(deps);
    const newcomer = aFortnight('newcomer');
    const batch = [wire.activity('known', '2026-01-11T10:00:00Z'), ...newcomer];

    const report = await ingest(batch);

    assert.equal(report.accepted, batch.length);
    assert.deepEqual(asked, { store: ['known'], log: [], refused: [] });
    assert.deepStrictEqual(await stateOf(deps, 'newcomer'), foldOf('newcomer', newcomer));
  });

  it('a record the store holds anyway (another writer) refuses the write; the next attempt folds onto it', async () => {
    const { deps, ingest } = engine();
    const earlier = [wire.quiz('twin', '2026-01-09T10:00:00Z', { total_questions: 10, correct_answers: 4 }, 'python.lists')];
    // The store has a record of a student whose events the log does not hold.
    await engine(deps.store).ingest(earlier);
    const asked = counting(deps);
    const batch = aFortnight('twin');

    await ingest(batch);

    assert.deepEqual(asked, { store: ['twin'], log: [], refused: ['twin'] }, 'refused once, then loaded');
    assert.deepStrictEqual(await stateOf(deps, 'twin'), foldOf('twin', [...earlier, ...batch]));
  });
});

describe('ingest: mastery.updated', () => {
  it('one update per changed student per batch, carrying the result as of the clock’s day', async () => {
    const { ingest, updates } = engine();
    const events = [...workedExampleB('hana'), wire.activity('ivan', '2026-01-14T10:00:00Z'), ...workedExampleB('ivan')];

    const report = await ingest(events);

    assert.deepStrictEqual(updates.map((u) => u.student_id).sort(), ['hana', 'ivan']);
    assert.deepStrictEqual([...report.updated].sort(), ['hana', 'ivan']);
    const hana = updates.find((u) => u.student_id === 'hana');
    assert.equal(hana?.mastery_score, 0.712, '§7 example B as of 2026-01-14, the clock’s day');
    assert.equal(hana?.level, 'competent');
    assert.equal(hana?.timestamp, new Date(TEST_NOW).toISOString());
  });

  it('a new event that changes no result publishes nothing', async () => {
    const { ingest, updates } = engine();
    await ingest([wire.completion('hana', '2026-01-14T09:00:00Z', { total_exercises: 25, completed_exercises: 20 })]);
    assert.equal(updates.length, 1, 'given: one update for the first report');

    // Another event on an already active day, with nothing to report: the result stays the same.
    const report = await ingest([wire.activity('hana', '2026-01-14T10:00:00Z')]);

    assert.equal(report.accepted, 1);
    assert.deepStrictEqual(report.updated, []);
    assert.equal(updates.length, 1);
  });

  it('a batch of duplicates only publishes nothing', async () => {
    const { ingest, updates } = engine();
    const events = workedExampleB('hana');
    await ingest(events);

    const report = await ingest(events);

    assert.equal(report.duplicate, events.length);
    assert.deepStrictEqual(report.updated, []);
    assert.equal(updates.length, 1);
  });
});

describe('rebuild beside live ingestion', () => {
  it('loses no event: a student the service changed meanwhile is rebuilt again, never overwritten', async () => {
    const { deps, ingest } = engine();
    const students = ['ivy', 'jon'];
    const all = new Map(students.map((s) => [s, aFortnight(s)]));
    await ingest(students.flatMap((s) => all.get(s)!.slice(0, 8)));

    // The rebuild reads the log and plans its writes; they are held until the service has
    // appended and applied the rest, so the rebuild's picture is older than the store's.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let held = 0;
    const gated: StateStore = { ...deps.store, save: async (w) => (held++ === 0 ? await gate : undefined, deps.store.save(w)) };
    const rebuilding = rebuildState({ ...deps, store: gated });
    await waitFor(() => held > 0, 'the rebuild to plan its writes');
    await ingest(students.flatMap((s) => all.get(s)!.slice(8)));
    open();
    await rebuilding;

    for (const s of students) {
      assert.deepStrictEqual(await stateOf(deps, s), foldOf(s, all.get(s)!), `${s} holds every event`);
    }
  });
});

describe('start-up recovery', () => {
  it('applies the latest logged events that the state store never applied, and only those', async () => {
    const { deps, ingest } = engine();
    const applied = aFortnight('mia');
    await ingest(applied);
    // A run that stopped between its log append and its state write left these behind.
    const stranded = [
      wire.quiz('mia', '2026-01-14T11:00:00Z', { total_questions: 10, correct_answers: 10 }, 'python.lists'),
      wire.activity('ned', '2026-01-14T11:00:00Z'),
    ];
    await deps.log.append(stranded.map(normalised));
    assert.equal((await deps.store.load(['ned'])).size, 0);

    assert.equal(await recoverUnapplied(deps), 2);

    assert.deepStrictEqual(await stateOf(deps, 'mia'), foldOf('mia', [...applied, ...stranded.slice(0, 1)]));
    assert.deepStrictEqual(await stateOf(deps, 'ned'), foldOf('ned', stranded.slice(1)));
    assert.equal(await recoverUnapplied(deps), 0, 'a second run finds nothing left');
  });

  it('looks no further back than its window', async () => {
    const { deps } = engine();
    await deps.log.append([wire.activity('old', '2026-01-13T10:00:00Z'), wire.activity('new', '2026-01-14T10:00:00Z')].map(normalised));
    assert.equal(await recoverUnapplied(deps, 1), 1);
    assert.equal((await deps.store.load(['old'])).size, 0);
    assert.equal((await deps.store.load(['new'])).size, 1);
  });
});
