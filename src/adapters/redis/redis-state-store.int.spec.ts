import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import type { LearningEvent } from '../../model/learning-event.js';
import { DEFAULT_MODEL_CONFIG } from '../../model/model-config.js';
import { evolveAll } from '../../model/fast/evolve-all.js';
import { initialState, type StudentState } from '../../model/student-state.js';
import { recordFor, touchedDays } from '../../students/student-record.js';
import { DEFAULT_LEARNER_PARAMS } from '../../model/learner/learner-params.js';
import { stateStoreContract } from '../../testing/contracts/state-store-contract.js';
import { PROCESSED_TTL_SECONDS } from '../encoding/student-keys.js';
import { testRedisUrl } from '../../testing/stores/test-redis.js';
import { connectRedis } from './connect-redis.js';
import { createRedisStateStore } from './redis-state-store.js';

const RETENTION_DAYS = 90;
/** The adapter's clock for the key-layout tests: two days after the events. */
const NOW_MS = Date.parse('2026-01-14T12:00:00Z');
const redisUrl = await testRedisUrl();

/** A raw client and a store on the test server, with the clock two days after the events; closed after the test. */
function openStores(t: TestContext) {
  const raw = new Redis(redisUrl);
  const store = createRedisStateStore(connectRedis(redisUrl), { retentionDays: RETENTION_DAYS, now: () => NOW_MS });
  t.after(async () => {
    await store.close();
    await raw.quit();
  });
  return { raw, store };
}

stateStoreContract('StateStore contract: Redis (a real server)', async () => createRedisStateStore(connectRedis(redisUrl), { retentionDays: RETENTION_DAYS }));

describe('Redis state store: the key layout of events.md', () => {
  let raw: Redis;
  const student = `keys-${randomUUID().slice(0, 8)}`;
  const events: LearningEvent[] = [
    {
      event_id: randomUUID(),
      event_type: 'mastery.calculation.requested',
      timestamp: '2026-01-12T10:00:00Z',
      student_id: student,
      topic: 'python.loops',
      component: 'completion',
      data: { total_exercises: 10, completed_exercises: 8 },
    },
    {
      event_id: randomUUID(),
      event_type: 'activity.recorded',
      timestamp: '2026-01-13T09:00:00Z',
      student_id: student,
      topic: 'general',
      data: {},
    },
  ];

  let written: string | undefined;
  before(async () => {
    raw = new Redis(redisUrl);
    const store = createRedisStateStore(connectRedis(redisUrl), { retentionDays: RETENTION_DAYS, now: () => NOW_MS });
    const state = evolveAll(initialState(student), events);
    const outcome = await store.save([
      {
        record: recordFor(state, '2026-01-14', DEFAULT_MODEL_CONFIG, DEFAULT_LEARNER_PARAMS),
        etag: null,
        applied: events,
        days: touchedDays(state, events, DEFAULT_MODEL_CONFIG),
        incremental: false,
      },
    ]);
    assert.deepEqual(outcome.conflicts, []);
    written = outcome.etags.get(student);
    await store.close();
  });
  after(() => raw.quit());

  it('keeps every key of a student under its hash tag; state and result expire a retention after the write, each day when it leaves retention', async () => {
    const keys = (await raw.keys(`student:{${student}}:*`)).sort();
    assert.deepEqual(keys, [
      `student:{${student}}:history:2026-01-12:raw_events`,
      `student:{${student}}:history:2026-01-13:raw_events`,
      ...['completion', 'consistency', 'quality', 'quiz'].map((c) => `student:{${student}}:mastery:2026-01-12:${c}`),
      ...['completion', 'consistency', 'quality', 'quiz'].map((c) => `student:{${student}}:mastery:2026-01-13:${c}`),
      `student:{${student}}:profile:current_mastery`,
      `student:{${student}}:state`,
    ]);
    const near = (ttl: number, expected: number, key: string) =>
      assert.ok(ttl > expected - 60 && ttl <= expected, `${key} expires in ${ttl} s, not ${expected}`);
    for (const key of keys) {
      const ttl = await raw.ttl(key);
      const day = /:(\d{4}-\d{2}-\d{2}):/.exec(key)?.[1];
      const expected = day === undefined ? RETENTION_DAYS * 86400 : RETENTION_DAYS * 86400 - Math.floor((NOW_MS - Date.parse(`${day}T00:00:00Z`)) / 1000);
      near(ttl, expected, key);
    }
  });

  it("holds each day's component values as that day ended, and the day's raw events by id", async () => {
    assert.equal(await raw.get(`student:{${student}}:mastery:2026-01-12:completion`), '0.8');
    assert.equal(await raw.get(`student:{${student}}:mastery:2026-01-12:consistency`), '1');
    // A day later the streak runs on: consistency stays 1.
    assert.equal(await raw.get(`student:{${student}}:mastery:2026-01-13:consistency`), '1');
    const day12 = await raw.hgetall(`student:{${student}}:history:2026-01-12:raw_events`);
    assert.deepEqual(Object.keys(day12), [events[0]!.event_id]);
    assert.deepEqual(JSON.parse(day12[events[0]!.event_id]!), events[0]);
  });

  it('keeps the current result as JSON and a processed marker per event for 7 days', async () => {
    const current = JSON.parse((await raw.get(`student:{${student}}:profile:current_mastery`))!);
    assert.equal(current.as_of, '2026-01-14');
    assert.equal(typeof current.mastery_score, 'number');
    for (const e of events) {
      const ttl = await raw.ttl(`processed:{${e.event_id}}`);
      assert.ok(ttl > PROCESSED_TTL_SECONDS - 60 && ttl <= PROCESSED_TTL_SECONDS, `marker ttl ${ttl}`);
    }
  });

  it("keeps the state as a hash: its version, each topic's active days, each day's last report per component", async () => {
    const hash = await raw.hgetall(`student:{${student}}:state`);
    assert.deepEqual(Object.keys(hash).sort(), ['d:2026-01-12:python.loops', 'd:2026-01-13:general', 'i:completion:2026-01-12:python.loops', 'version']);
    assert.match(hash.version!, /^[1-9]\d*$/, 'a whole number');
    assert.equal(hash.version, written, 'the etag the write reported');
    assert.deepEqual(JSON.parse(hash['i:completion:2026-01-12:python.loops']!), ['2026-01-12T10:00:00.000000000Z', events[0]!.event_id, events[0]!.data]);
  });
});

describe('Redis state store: daily values a write leaves out', () => {
  const day = (date: string, completion: number) => ({ date, components: { completion, quiz: 0.5, quality: 0, consistency: 1 } });
  const activity = (student: string, timestamp: string): LearningEvent => ({
    event_id: randomUUID(),
    event_type: 'activity.recorded',
    timestamp,
    student_id: student,
    topic: 'general',
    data: {},
  });
  /** Writes `events` folded onto `base` with these daily values; the version it stored. */
  async function write(
    store: ReturnType<typeof createRedisStateStore>,
    base: { state: StudentState; etag: string | null },
    events: LearningEvent[],
    days: ReturnType<typeof day>[],
  ) {
    const state = evolveAll(base.state, events);
    const outcome = await store.save([{ record: { state, current: null }, etag: base.etag, applied: events, days, incremental: base.etag !== null }]);
    assert.deepEqual(outcome.conflicts, []);
    return { state, etag: outcome.etags.get(state.student_id)! };
  }

  it('sends only the values that changed since the version this process wrote; a store that did not write it sends them all', async (t) => {
    const { raw, store } = openStores(t);
    const student = `days-${randomUUID().slice(0, 8)}`;
    const key = (date: string, c: string) => `student:{${student}}:mastery:${date}:${c}`;
    const first = await write(
      store,
      { state: initialState(student), etag: null },
      [activity(student, '2026-01-12T10:00:00Z')],
      [day('2026-01-12', 0.8), day('2026-01-13', 0.8)],
    );
    // Deleted by hand: a value the next write leaves out stays deleted, which shows it was left out.
    await raw.del(key('2026-01-12', 'quiz'), key('2026-01-13', 'quiz'), key('2026-01-13', 'completion'));

    const second = await write(store, first, [activity(student, '2026-01-13T10:00:00Z')], [day('2026-01-12', 0.8), day('2026-01-13', 0.9)]);
    assert.equal(await raw.get(key('2026-01-13', 'completion')), '0.9', 'a changed value is written');
    assert.equal(await raw.get(key('2026-01-12', 'quiz')), null, 'unchanged: left out');
    assert.equal(await raw.get(key('2026-01-13', 'quiz')), null, 'unchanged: left out');
    assert.equal((await raw.ttl(key('2026-01-13', 'completion'))) > 0, true, 'written with its expiry');

    // Another process (a store of its own) follows on from a version it did not write.
    const other = createRedisStateStore(connectRedis(redisUrl), { retentionDays: RETENTION_DAYS, now: () => NOW_MS });
    t.after(() => other.close());
    const third = await write(other, second, [activity(student, '2026-01-13T11:00:00Z')], [day('2026-01-12', 0.8), day('2026-01-13', 0.9)]);
    assert.equal(await raw.get(key('2026-01-12', 'quiz')), '0.5', 'every value sent again');
    assert.equal(await raw.get(key('2026-01-13', 'quiz')), '0.5', 'every value sent again');

    // Back in the first store: it did not write the version the student now has.
    await raw.del(key('2026-01-12', 'quiz'));
    await write(store, third, [activity(student, '2026-01-13T12:00:00Z')], [day('2026-01-12', 0.8), day('2026-01-13', 0.9)]);
    assert.equal(await raw.get(key('2026-01-12', 'quiz')), '0.5', 'every value sent again');
  });

  it('sends every value again after a refused write or a removal', async (t) => {
    const { raw, store } = openStores(t);
    const student = `days-${randomUUID().slice(0, 8)}`;
    const key = `student:{${student}}:mastery:2026-01-12:quiz`;
    const first = await write(store, { state: initialState(student), etag: null }, [activity(student, '2026-01-12T10:00:00Z')], [day('2026-01-12', 0.8)]);
    const refused = await store.save([
      { record: { state: first.state, current: null }, etag: '1', applied: [], days: [day('2026-01-12', 0.8)], incremental: true },
    ]);
    assert.deepEqual(refused.conflicts, [student]);
    await raw.del(key);
    await write(store, first, [activity(student, '2026-01-12T11:00:00Z')], [day('2026-01-12', 0.8)]);
    assert.equal(await raw.get(key), '0.5', 'sent again after the refusal');

    await store.remove([student], []);
    const again = await write(store, { state: initialState(student), etag: null }, [activity(student, '2026-01-12T10:00:00Z')], [day('2026-01-12', 0.8)]);
    assert.equal(await raw.get(key), '0.5', 'sent again after the removal');
    await raw.del(key);
    await write(store, again, [activity(student, '2026-01-12T12:00:00Z')], [day('2026-01-12', 0.8)]);
    assert.equal(await raw.get(key), null, 'the re-created student is remembered from its own write');
  });
});

describe('Redis state store: retention', () => {
  it('writes no day key for a day already past the retention period', async () => {
    const raw = new Redis(redisUrl);
    const student = `old-${randomUUID().slice(0, 8)}`;
    const store = createRedisStateStore(connectRedis(redisUrl), { retentionDays: 30, now: () => Date.parse('2026-03-01T12:00:00Z') });
    try {
      const old: LearningEvent = {
        event_id: randomUUID(),
        event_type: 'activity.recorded',
        timestamp: '2026-01-10T10:00:00Z',
        student_id: student,
        topic: 'general',
        data: {},
      };
      const fresh: LearningEvent = { ...old, event_id: randomUUID(), timestamp: '2026-02-20T10:00:00Z' };
      const state = evolveAll(initialState(student), [old, fresh]);
      await store.save([
        {
          record: { state, current: null },
          etag: null,
          applied: [old, fresh],
          days: touchedDays(state, [old, fresh], DEFAULT_MODEL_CONFIG),
          incremental: false,
        },
      ]);
      const keys = await raw.keys(`student:{${student}}:*`);
      assert.ok(
        keys.some((k) => k.includes(':2026-02-20:')),
        keys.join(', '),
      );
      assert.ok(!keys.some((k) => k.includes(':2026-01-10:')), keys.join(', '));
    } finally {
      await store.close();
      await raw.quit();
    }
  });
});

describe('Redis state store: remove leaves no key of the student', () => {
  /** A student saved as the pipeline saves it: events on two days, daily values, markers. */
  async function saveStudent(store: ReturnType<typeof createRedisStateStore>, student: string, events: LearningEvent[], etag: string | null = null) {
    const state = evolveAll(initialState(student), events);
    const outcome = await store.save([
      {
        record: recordFor(state, '2026-01-14', DEFAULT_MODEL_CONFIG, DEFAULT_LEARNER_PARAMS),
        etag,
        applied: events,
        days: touchedDays(state, events, DEFAULT_MODEL_CONFIG),
        incremental: false,
      },
    ]);
    assert.deepEqual(outcome.conflicts, []);
  }

  function eventsOf(student: string): LearningEvent[] {
    return [
      {
        event_id: randomUUID(),
        event_type: 'mastery.calculation.requested',
        timestamp: '2026-01-10T10:00:00Z',
        student_id: student,
        topic: 'python.loops',
        component: 'quiz',
        data: { total_questions: 10, correct_answers: 6 },
      },
      { event_id: randomUUID(), event_type: 'activity.recorded', timestamp: '2026-01-13T09:00:00Z', student_id: student, topic: 'general', data: {} },
    ];
  }

  it("deletes the state, the result, every day's values and raw events, and the given markers; a neighbour keeps its keys", async (t) => {
    const { raw, store } = openStores(t);
    const student = `rm-${randomUUID().slice(0, 8)}`;
    // An id the student's id is a prefix of: its keys must survive the removal.
    const neighbour = `${student}2`;
    const events = eventsOf(student);
    const neighbourEvents = eventsOf(neighbour);
    await saveStudent(store, student, events);
    await saveStudent(store, neighbour, neighbourEvents);
    const neighbourKeys = (await raw.keys(`student:{${neighbour}}:*`)).sort();
    const before = await raw.keys(`student:{${student}}:*`);
    assert.ok(before.some((k) => k.endsWith(':raw_events')) && before.some((k) => k.includes(':mastery:')), before.join(', '));

    await store.remove(
      [student],
      events.map((e) => e.event_id),
    );

    assert.deepEqual(await raw.keys(`student:{${student}}:*`), [], 'no key of the student is left');
    for (const e of events) assert.equal(await raw.exists(`processed:{${e.event_id}}`), 0, `the marker of ${e.event_id} is gone`);
    assert.deepEqual((await raw.keys(`student:{${neighbour}}:*`)).sort(), neighbourKeys, 'the neighbour keeps every key');
    for (const e of neighbourEvents) assert.equal(await raw.exists(`processed:{${e.event_id}}`), 1, 'and its markers');
  });

  it('also deletes the keys of days the state no longer lists (a student rebuilt after a purge)', async (t) => {
    const { raw, store } = openStores(t);
    const student = `rm-${randomUUID().slice(0, 8)}`;
    const events = eventsOf(student);
    await saveStudent(store, student, events);
    // Rebuilt from the later event alone: the state forgets 2026-01-10, its keys stay until they expire.
    const etag = (await store.load([student])).get(student)!.etag;
    await saveStudent(store, student, events.slice(1), etag);
    assert.ok((await raw.keys(`student:{${student}}:*2026-01-10*`)).length > 0, 'the fixture leaves keys of a day the state forgot');

    await store.remove(
      [student],
      events.map((e) => e.event_id),
    );

    assert.deepEqual(await raw.keys(`student:{${student}}:*`), []);
  });

  it('a student removed and written again never repeats a version it had: an etag held from before cannot pass for the new record', async (t) => {
    const { store } = openStores(t);
    const student = `rm-${randomUUID().slice(0, 8)}`;
    const events = eventsOf(student);
    const seen = new Set<string>();
    for (let round = 0; round < 3; round++) {
      await saveStudent(store, student, events);
      const etag = (await store.load([student])).get(student)!.etag;
      assert.ok(!seen.has(etag), `version ${etag} came back after a removal`);
      assert.equal((await store.etags([student])).get(student), etag, 'etags tells it: a cache may revalidate with it');
      seen.add(etag);
      await store.remove(
        [student],
        events.map((e) => e.event_id),
      );
    }
    await saveStudent(store, student, events.slice(1));
    const stale = [...seen].at(-1)!;
    const outcome = await store.save([{ record: { state: initialState(student), current: null }, etag: stale, applied: [], days: [], incremental: true }]);
    assert.deepEqual(outcome.conflicts, [student], 'a write planned from the removed record is refused');
  });
});

describe('Redis state store: writes and layouts', () => {
  const eventAt = (student: string, timestamp: string, topic: string, correct: number): LearningEvent => ({
    event_id: randomUUID(),
    event_type: 'mastery.calculation.requested',
    timestamp,
    student_id: student,
    topic,
    component: 'quiz',
    data: { total_questions: 10, correct_answers: correct },
  });

  it('an incremental write sends only the fields its events touched; the others are left as they were', async (t) => {
    const { raw, store } = openStores(t);
    const student = `inc-${randomUUID().slice(0, 8)}`;
    const first = [eventAt(student, '2026-01-10T10:00:00Z', 'a', 5), eventAt(student, '2026-01-11T10:00:00Z', 'b', 6)];
    const state = evolveAll(initialState(student), first);
    await store.save([{ record: { state, current: null }, etag: null, applied: first, days: [], incremental: false }]);
    // A field the next write does not touch, changed behind the store's back: an incremental
    // write must leave it as it is (a whole write would have rewritten it).
    await raw.hset(`student:{${student}}:state`, 'd:2026-01-10:a', 'untouched');

    const next = [eventAt(student, '2026-01-12T10:00:00Z', 'b', 9)];
    const loaded = (await store.load([student])).get(student)!;
    const outcome = await store.save([
      { record: { state: evolveAll(loaded.state, next), current: null }, etag: loaded.etag, applied: next, days: [], incremental: true },
    ]);

    assert.deepEqual(outcome.conflicts, []);
    assert.equal(outcome.etags.get(student), String(Number(loaded.etag) + 1), 'a write adds one to the version');
    const hash = await raw.hgetall(`student:{${student}}:state`);
    assert.equal(hash['d:2026-01-10:a'], 'untouched');
    assert.equal(hash.version, outcome.etags.get(student));
    assert.equal(JSON.parse(hash['i:quiz:2026-01-12:b']!)[1], next[0]!.event_id);
  });
});
