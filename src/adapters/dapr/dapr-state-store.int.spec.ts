import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { DEFAULT_LEARNER_PARAMS } from '../../model/learner/learner-params.js';
import type { LearningEvent } from '../../model/learning-event.js';
import { DEFAULT_MODEL_CONFIG } from '../../model/model-config.js';
import { evolveAll } from '../../model/fast/evolve-all.js';
import { initialState, type StudentState } from '../../model/student-state.js';
import type { StateStore, StudentWrite } from '../../ports/state-store.js';
import { stateStoreContract } from '../../testing/contracts/state-store-contract.js';
import { recordFor, touchedDays } from '../../students/student-record.js';
import { freePort } from '../../testing/stores/redis-server.js';
import { encodeState } from '../encoding/student-state-json.js';
import { createDaprStateStore } from './dapr-state-store.js';
import { keysByDapr, startDaprd, storedByDapr, untilGone } from '../../testing/stores/daprd.js';

const RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;
const START = Date.parse('2026-01-14T12:00:00Z');

// One sidecar for the file, on a test Redis database no other spec file uses.
const daprd = await startDaprd({ redisDb: 14 });
after(() => daprd.stop());

stateStoreContract(`StateStore contract: Dapr state API (daprd ${daprd.version}, state.redis)`, async () =>
  createDaprStateStore({ url: daprd.url, store: daprd.store, retentionDays: RETENTION_DAYS }),
);

// ---------------------------------------------------------------------------------------------

interface Call {
  method: string;
  /** The path with each segment decoded: /v1.0/state/mastery-state/student:{s1}:state. */
  path: string;
  body: unknown;
}

interface Opened {
  store: StateStore;
  /** The calls the store made to the sidecar, in order. */
  calls: Call[];
}

/**
 * A store on the file's sidecar that records its calls; `now` is the adapter's clock (it decides
 * the day keys' TTLs), `wrap` may stand between the store and the sidecar.
 */
function openDapr(options: { now?: () => number; wrap?: (next: typeof fetch) => typeof fetch } = {}): Opened {
  const calls: Call[] = [];
  const recording: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ method: init?.method ?? 'GET', path: url.pathname.split('/').map(decodeURIComponent).join('/'), body });
    return fetch(input, init);
  };
  const store = createDaprStateStore({
    url: daprd.url,
    store: daprd.store,
    retentionDays: RETENTION_DAYS,
    now: options.now ?? (() => START),
    fetch: options.wrap ? options.wrap(recording) : recording,
  });
  return { store, calls };
}

/** A student id of the test's own: every test shares the sidecar and its Redis. */
const freshStudent = () => `s${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const keysOf = (student: string) => keysByDapr(daprd.redis, `student:{${student}}:`);
const stored = (key: string) => storedByDapr(daprd.redis, key);
/** The value the adapter stored under `key`: it sends each value as its JSON text. */
const storedValue = async (key: string) => JSON.parse((await stored(key))?.value as string) as unknown;

/** Calls the sidecar's state API directly, as another writer would. */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init = { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
  const res = await fetch(`${daprd.url}/v1.0/state/${daprd.store}${path}`, init);
  const text = await res.text();
  const parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
  return { status: res.status, etag: res.headers.get('etag'), body: parsed };
}

function eventsOf(student: string): LearningEvent[] {
  const base = { student_id: student };
  return [
    {
      ...base,
      event_id: randomUUID(),
      event_type: 'mastery.calculation.requested',
      timestamp: '2026-01-12T10:00:00Z',
      topic: 'python.loops',
      component: 'completion',
      data: { total_exercises: 10, completed_exercises: 8 },
    },
    { ...base, event_id: randomUUID(), event_type: 'activity.recorded', timestamp: '2026-01-13T09:00:00Z', topic: 'general', data: {} },
  ];
}

function writeOf(state: StudentState, etag: string | null, applied: LearningEvent[]): StudentWrite {
  return {
    record: recordFor(state, '2026-01-14', DEFAULT_MODEL_CONFIG, DEFAULT_LEARNER_PARAMS),
    etag,
    applied,
    days: touchedDays(state, applied, DEFAULT_MODEL_CONFIG),
    incremental: false,
  };
}

/** Saves a new student with two events on two days; returns them and the state. */
async function seed(store: StateStore, student: string) {
  const events = eventsOf(student);
  const state = evolveAll(initialState(student), events);
  assert.deepEqual((await store.save([writeOf(state, null, events)])).conflicts, []);
  return { events, state };
}

const transactions = (calls: Call[]) => calls.filter((c) => c.path.endsWith('/transaction'));

interface TransactionBody {
  operations: Array<{ operation: string; request: { key: string; etag?: string; metadata?: Record<string, string>; options?: object } }>;
}

/** A fetch that, once, lets another writer save `key` through the sidecar just before the store's transaction goes out. */
const intruder =
  (key: string, value: unknown) =>
  (next: typeof fetch): typeof fetch => {
    let done = false;
    return async (input, init) => {
      if (!done && String(input).endsWith('/transaction')) {
        done = true;
        assert.equal((await call('POST', '', [{ key, value }])).status, 204, 'the intruder saved');
      }
      return next(input, init);
    };
  };

/** Seconds from START until `day` leaves the retention period. */
const dayTtlAtStart = (day: string) => (Date.parse(`${day}T00:00:00Z`) - START) / 1000 + RETENTION_DAYS * 86_400;

/**
 * Redis counts a TTL down from the write, which came after `since`: what is left now is the TTL
 * sent less at most the time since then.
 */
async function assertTtl(key: string, sent: number, since: number): Promise<void> {
  const left = (await stored(key))?.ttlMs;
  const elapsed = Date.now() - since;
  assert.ok(left !== undefined && left <= sent * 1000 && left >= sent * 1000 - elapsed, `${key}: ${left} ms left of ${sent} s, ${elapsed} ms on`);
}

// ---------------------------------------------------------------------------------------------

describe('Dapr state store: keys, values and expiry', () => {
  it('keeps exactly the keys of events.md, each with the TTL the store sent: the retention, each day until it leaves it, markers 7 days', async () => {
    const { store } = openDapr();
    const student = freshStudent();
    const since = Date.now();
    const { events } = await seed(store, student);

    const days = ['2026-01-12', '2026-01-13'];
    // keyPrefix none (statestore.yaml): Redis holds the engine's key names as they are.
    assert.deepEqual(
      await keysOf(student),
      [
        ...days.map((d) => `student:{${student}}:history:${d}:raw_events`),
        ...days.flatMap((d) => ['completion', 'consistency', 'quality', 'quiz'].map((c) => `student:{${student}}:mastery:${d}:${c}`)),
        `student:{${student}}:profile:current_mastery`,
        `student:{${student}}:state`,
      ].sort(),
    );
    for (const key of await keysOf(student)) {
      const day = /:(\d{4}-\d{2}-\d{2}):/.exec(key)?.[1];
      await assertTtl(key, day === undefined ? RETENTION_DAYS * 86_400 : dayTtlAtStart(day), since);
    }
    for (const e of events) await assertTtl(`processed:{${e.event_id}}`, 7 * 86_400, since);
  });

  it('writes a student in one transaction: the state key with its ETag and first-write, every upsert with a ttlInSeconds', async () => {
    const { store, calls } = openDapr();
    const student = freshStudent();
    const { state } = await seed(store, student);
    const etag = (await store.load([student])).get(student)!.etag;
    const later = eventsOf(student).slice(0, 1);
    assert.deepEqual((await store.save([writeOf(evolveAll(state, later), etag, later)])).conflicts, []);

    const [create, replace] = transactions(calls).map((c) => c.body as TransactionBody);
    assert.equal(transactions(calls).length, 2, 'one transaction per save of the student');
    for (const body of [create!, replace!]) {
      assert.ok(
        body.operations.every((op) => op.request.key.startsWith(`student:{${student}}:`)),
        "only the student's keys",
      );
      for (const op of body.operations.filter((o) => o.operation === 'upsert')) {
        const day = /:(\d{4}-\d{2}-\d{2}):/.exec(op.request.key)?.[1];
        const seconds = day === undefined ? RETENTION_DAYS * 86_400 : dayTtlAtStart(day);
        assert.deepEqual(op.request.metadata, { ttlInSeconds: String(seconds) }, op.request.key);
      }
    }
    assert.deepEqual(create!.operations[0]!.request.options, { concurrency: 'first-write' });
    assert.equal(create!.operations[0]!.request.etag, undefined, 'a new student is written without an ETag');
    assert.equal(replace!.operations[0]!.request.etag, etag, 'a known student names the ETag it was loaded with');
    const rawEvents = (body: TransactionBody) => body.operations.find((op) => op.request.key === `student:{${student}}:history:2026-01-12:raw_events`)!;
    assert.equal(rawEvents(create!).request.etag, undefined, "a day's raw events written anew carry no ETag");
    assert.equal(rawEvents(replace!).request.etag, '1', 'merged into, they name the ETag they were read with');
    assert.notEqual((await store.load([student])).get(student)!.etag, etag, 'the sidecar gave the state key a new ETag');
    const markers = calls.filter((c) => c.method === 'POST' && c.path === `/v1.0/state/${daprd.store}`);
    assert.equal(markers.length, 2, 'one save of markers per successful save');
    for (const item of markers.flatMap((c) => c.body as Array<{ metadata: unknown }>)) {
      assert.deepEqual(item.metadata, { ttlInSeconds: String(7 * 86_400) });
    }
  });

  it("holds each value as its JSON text: day values as numbers, each day's raw events by id, merged with those already there", async () => {
    const { store } = openDapr();
    const student = freshStudent();
    const { events, state } = await seed(store, student);
    const etag = (await store.load([student])).get(student)!.etag;
    const sameDay = { ...eventsOf(student)[0]!, timestamp: '2026-01-12T15:00:00Z' };
    assert.deepEqual((await store.save([writeOf(evolveAll(state, [sameDay]), etag, [sameDay])])).conflicts, []);

    assert.equal(await storedValue(`student:{${student}}:mastery:2026-01-13:consistency`), 1);
    assert.equal(typeof (await storedValue(`student:{${student}}:mastery:2026-01-12:completion`)), 'number');
    assert.deepEqual(await storedValue(`student:{${student}}:history:2026-01-12:raw_events`), {
      [events[0]!.event_id]: events[0],
      [sameDay.event_id]: sameDay,
    });
  });

  it("lets Redis expire a day's keys when the day leaves the retention period, and keeps the later day's", async () => {
    // The store's clock a second and a half before 2026-01-12 leaves the retention period: the
    // keys of that day get ttlInSeconds 1, those of 2026-01-13 a day more.
    const leaves = Date.parse('2026-01-12T00:00:00Z') + RETENTION_DAYS * DAY_MS;
    const { store } = openDapr({ now: () => leaves - 1_500 });
    const student = freshStudent();
    await seed(store, student);

    await untilGone(daprd.redis, `student:{${student}}:history:2026-01-12:raw_events`);
    await untilGone(daprd.redis, `student:{${student}}:mastery:2026-01-12:completion`);
    assert.deepEqual(
      (await keysOf(student)).filter((k) => k.includes(':2026-01-12:')),
      [],
      'every key of the day expired',
    );
    assert.equal((await keysOf(student)).filter((k) => k.includes(':2026-01-13:')).length, 5, "the next day's keys are held");
    assert.equal((await store.load([student])).size, 1, 'the student is still held');
  });
});

describe('Dapr state store: remove leaves no key of the student', () => {
  it("deletes the state, the result, every day's values and raw events, and the given markers; a neighbour keeps its keys", async () => {
    const { store } = openDapr();
    const student = freshStudent();
    const { events } = await seed(store, student);
    // An id the student's id is a prefix of: its keys must survive the removal.
    const neighbourId = `${student}2`;
    const neighbour = await seed(store, neighbourId);
    const neighbourKeys = await keysOf(neighbourId);
    assert.ok(
      (await keysOf(student)).some((k) => k.endsWith(':raw_events')),
      'the fixture has raw events',
    );

    await store.remove(
      [student],
      events.map((e) => e.event_id),
    );

    assert.deepEqual(await keysOf(student), [], 'no key of the student is left');
    for (const e of events) assert.equal(await stored(`processed:{${e.event_id}}`), undefined, `the marker of ${e.event_id} is gone`);
    assert.deepEqual(await keysOf(neighbourId), neighbourKeys, 'the neighbour keeps every key');
    for (const e of neighbour.events) assert.notEqual(await stored(`processed:{${e.event_id}}`), undefined, 'and its markers');
  });

  it('also deletes the keys of days the state no longer lists (a student rebuilt after a purge)', async () => {
    const { store } = openDapr();
    const student = freshStudent();
    const { events } = await seed(store, student);
    // Rebuilt from the later event alone, as purgeExpired does once the older one left the log:
    // the state forgets 2026-01-12, whose keys the rebuild does not touch.
    const etag = (await store.load([student])).get(student)!.etag;
    const rest = events.slice(1);
    assert.deepEqual((await store.save([writeOf(evolveAll(initialState(student), rest), etag, rest)])).conflicts, []);
    assert.ok(
      (await keysOf(student)).some((k) => k.includes(':2026-01-12:')),
      'the fixture leaves keys of a day the state forgot',
    );

    await store.remove(
      [student],
      events.map((e) => e.event_id),
    );

    assert.deepEqual(await keysOf(student), [], 'no key of the student is left, raw events of 2026-01-12 included');
  });
});

describe('Dapr state store: conflicts', () => {
  it('refuses a stale ETag before any transaction, writing nothing for that student', async () => {
    const { store, calls } = openDapr();
    const student = freshStudent();
    const { state } = await seed(store, student);
    const stale = (await store.load([student])).get(student)!.etag;
    const more = eventsOf(student);
    await store.save([writeOf(evolveAll(state, more.slice(0, 1)), stale, more.slice(0, 1))]);
    const versions = async () => Promise.all((await keysOf(student)).map(async (k) => [k, (await stored(k))?.etag]));
    const before = await versions();

    const refused = await store.save([writeOf(evolveAll(state, more.slice(1)), stale, more.slice(1))]);

    assert.deepEqual(refused.conflicts, [student]);
    assert.equal(transactions(calls).length, 2, 'no third transaction');
    assert.deepEqual(await versions(), before, 'nothing changed');
  });

  it("takes a 409 from the transaction as a conflict (the sidecar answers 500 today; a 409 is an ETag refusal in Dapr's other calls)", async () => {
    // A fault the sidecar does not produce for a transaction, so a fetch stands in for its answer.
    const refusing =
      (next: typeof fetch): typeof fetch =>
      async (input, init) =>
        String(input).endsWith('/transaction')
          ? new Response(JSON.stringify({ errorCode: 'ERR_STATE_TRANSACTION', message: 'possible etag mismatch' }), { status: 409 })
          : next(input, init);
    const { store, calls } = openDapr({ wrap: refusing });
    const student = freshStudent();
    const events = eventsOf(student);

    const outcome = await store.save([writeOf(evolveAll(initialState(student), events), null, events)]);

    assert.deepEqual(outcome.conflicts, [student]);
    assert.deepEqual(
      calls.map((c) => c.path.split('/').pop()),
      ['bulk'],
      'no fresh read after a 409, and no markers',
    );
    assert.equal((await store.unprocessed(events.map((e) => e.event_id))).size, 2, 'no markers');
  });

  it('does not refuse a create that another writer slipped in before: state.redis ignores first-write without an ETag in a transaction', async () => {
    // The gap the adapter's comment names (decisions.md): the check before the transaction saw no
    // state key, the intruder wrote one, and the create overwrites it instead of being refused.
    const student = freshStudent();
    const { store } = openDapr({ wrap: intruder(`student:{${student}}:state`, encodeState(initialState(student), 9)) });
    const events = eventsOf(student);

    const outcome = await store.save([writeOf(evolveAll(initialState(student), events), null, events)]);

    assert.deepEqual(outcome.conflicts, [], 'the store took the create');
    assert.equal((await store.load([student])).get(student)?.state.topics.size, 2, "the create's state replaced the intruder's");
    assert.equal((await store.unprocessed(events.map((e) => e.event_id))).size, 0, 'and its markers were saved');
  });

  it("refuses a replace when the state key moved between the check and the transaction; the transaction's other keys are written all the same", async () => {
    const student = freshStudent();
    const { store, calls } = openDapr({ wrap: intruder(`student:{${student}}:state`, encodeState(initialState(student), 9)) });
    // Seeded through the API by hand, so that the intruder goes before the replace's transaction.
    const events = eventsOf(student);
    const state = evolveAll(initialState(student), events);
    assert.equal((await call('POST', '', [{ key: `student:{${student}}:state`, value: encodeState(state, 1) }])).status, 204);
    const etag = (await store.load([student])).get(student)!.etag;

    const outcome = await store.save([writeOf(state, etag, events)]);

    assert.deepEqual(outcome.conflicts, [student]);
    assert.deepEqual(
      calls.map((c) => c.path.split('/').pop()),
      ['bulk', 'bulk', 'transaction', 'bulk'],
      'the refusal was a 500, told by a fresh read',
    );
    const now = (await store.load([student])).get(student)!;
    assert.notEqual(now.etag, etag);
    assert.equal(now.state.topics.size, 0, "the intruder's state stands");
    // Redis runs a MULTI's commands whatever one of them answers: only the state key's script
    // refused. The engine reloads and writes the student again at once, which replaces them.
    assert.notEqual(await stored(`student:{${student}}:profile:current_mastery`), undefined, 'the refused transaction wrote the result');
    assert.equal((await store.unprocessed(events.map((e) => e.event_id))).size, 2, 'no markers');
  });

  it('keeps the raw events of a writer that slipped in before a refused transaction: the retry merges into them', async () => {
    const student = freshStudent();
    const { store: first } = openDapr();
    const { state } = await seed(first, student);
    const etag = (await first.load([student])).get(student)!.etag;
    const [mine, theirs] = [eventsOf(student)[0]!, eventsOf(student)[0]!];
    // Another instance applies an event of the same day in full just before this store's
    // transaction goes out, after this store read the student's keys.
    const other = openDapr().store;
    let slipped = false;
    const { store } = openDapr({
      wrap: (next) => async (input, init) => {
        if (!slipped && String(input).endsWith('/transaction')) {
          slipped = true;
          assert.deepEqual((await other.save([writeOf(evolveAll(state, [theirs]), etag, [theirs])])).conflicts, []);
        }
        return next(input, init);
      },
    });

    assert.deepEqual((await store.save([writeOf(evolveAll(state, [mine]), etag, [mine])])).conflicts, [student]);
    // Planned again from a fresh read, as the engine does with a conflict.
    const now = (await store.load([student])).get(student)!;
    assert.deepEqual((await store.save([writeOf(evolveAll(now.state, [mine]), now.etag, [mine])])).conflicts, []);

    const day = await storedValue(`student:{${student}}:history:2026-01-12:raw_events`);
    assert.ok(Object.hasOwn(day as object, theirs.event_id), "the other writer's event is in the day's raw events");
    assert.ok(Object.hasOwn(day as object, mine.event_id), "and this one's");
  });
});

describe('Dapr state store: failures and health', () => {
  it('rejects every call with an error naming it when the sidecar is down', async () => {
    // Nothing listens on a free port: as a sidecar that is not (or no longer) running.
    const store = createDaprStateStore({ url: `http://127.0.0.1:${await freePort()}`, store: daprd.store, retentionDays: RETENTION_DAYS });
    const write = writeOf(initialState('s1'), null, []);

    await assert.rejects(store.load(['s1']), /Dapr state API, load: POST \/v1\.0\/state\/mastery-state\/bulk failed: .*ECONNREFUSED/);
    await assert.rejects(store.save([write]), /Dapr state API, save: POST .* failed/);
    await assert.rejects(store.unprocessed([randomUUID()]), /Dapr state API, unprocessed: .* failed/);
    await assert.rejects(store.ping(), /Dapr state API, ping: GET \/v1\.0\/healthz\/outbound failed/);
  });

  it('throws on another non-2xx answer, naming the call and the status', async () => {
    const store = createDaprStateStore({ url: daprd.url, store: 'no-such-store', retentionDays: RETENTION_DAYS });

    await assert.rejects(store.load(['s1']), /load: POST \/v1\.0\/state\/no-such-store\/bulk answered 400: .*ERR_STATE_STORE_NOT_FOUND/);
  });

  it('throws on a failed transaction when the state key did not move, naming the call and the status', async () => {
    // A store failure inside the sidecar, which a healthy sidecar and Redis do not produce on demand.
    const failing =
      (next: typeof fetch): typeof fetch =>
      async (input, init) =>
        String(input).endsWith('/transaction')
          ? new Response(JSON.stringify({ errorCode: 'ERR_STATE_TRANSACTION', message: 'the store is down' }), { status: 500 })
          : next(input, init);
    const { store } = openDapr({ wrap: failing });
    const student = freshStudent();
    const events = eventsOf(student);

    await assert.rejects(
      store.save([writeOf(evolveAll(initialState(student), events), null, events)]),
      /save: transaction: POST \/v1\.0\/state\/mastery-state\/transaction answered 500: .*the store is down/,
    );
    assert.equal((await store.unprocessed(events.map((e) => e.event_id))).size, 2, 'no markers');
  });

  it("pings the sidecar's outbound health probe", async () => {
    const { store, calls } = openDapr();
    await store.ping();
    assert.deepEqual(
      calls.map((c) => `${c.method} ${c.path}`),
      ['GET /v1.0/healthz/outbound'],
    );
  });
});

describe('the sidecar answers as the adapter assumes (daprd with state.redis)', () => {
  it('reads a key with its ETag, 204 for a missing one; the first write gives ETag 1, every write a new one, and a key written anew starts at 1 again', async () => {
    const key = freshStudent();
    assert.equal((await call('GET', `/${key}`)).status, 204);
    assert.equal((await call('POST', '', [{ key, value: { a: 1 } }])).status, 204);
    const first = await call('GET', `/${key}`);
    assert.deepEqual([first.status, first.body, first.etag], [200, { a: 1 }, '1']);
    await call('POST', '', [{ key, value: 2, etag: first.etag }]);
    const second = await call('GET', `/${key}`);
    assert.ok(second.etag !== null && second.etag !== first.etag, 'a new ETag');
    assert.equal((await call('DELETE', `/${key}`)).status, 204);
    await call('POST', '', [{ key, value: 3 }]);
    assert.equal((await call('GET', `/${key}`)).etag, '1', 'the ETag of a key deleted and written again restarts (why etags() tells none)');
  });

  it('answers a bulk read with the key alone for a key it lacks, and data with an ETag for one it holds', async () => {
    const [held, missing] = [freshStudent(), freshStudent()];
    await call('POST', '', [{ key: held, value: { a: 1 } }]);
    const answer = await call('POST', '/bulk', { keys: [held, missing], parallelism: 10 });
    const items = (answer.body as Array<{ key: string }>).sort((a, b) => (a.key === held ? -1 : b.key === held ? 1 : 0));
    assert.deepEqual(items, [{ key: held, data: { a: 1 }, etag: '1' }, { key: missing }]);
  });

  it('refuses a stale ETag on a held key: 409 on save and delete, 500 on a transaction', async () => {
    const key = freshStudent();
    await call('POST', '', [{ key, value: 1 }]);
    const refusedSave = await call('POST', '', [{ key, value: 2, etag: '99', options: { concurrency: 'first-write' } }]);
    assert.deepEqual([refusedSave.status, (refusedSave.body as { errorCode: string }).errorCode], [409, 'ERR_STATE_SAVE']);
    const refusedDelete = await call('DELETE', `/${key}`, undefined, { 'If-Match': '99' });
    assert.deepEqual([refusedDelete.status, (refusedDelete.body as { errorCode: string }).errorCode], [409, 'ERR_STATE_DELETE']);
    const refusedTx = await call('POST', '/transaction', { operations: [{ operation: 'upsert', request: { key, value: 3, etag: '99' } }] });
    assert.deepEqual([refusedTx.status, (refusedTx.body as { errorCode: string }).errorCode], [500, 'ERR_STATE_TRANSACTION']);
    assert.equal((await call('GET', `/${key}`)).body, 1);
  });

  it("differs from the documentation: a transaction refused for one key's ETag applies its other operations", async () => {
    const [guarded, other] = [freshStudent(), freshStudent()];
    await call('POST', '', [{ key: guarded, value: 1 }]);
    const refused = await call('POST', '/transaction', {
      operations: [
        { operation: 'upsert', request: { key: guarded, value: 2, etag: '99' } },
        { operation: 'upsert', request: { key: other, value: 3 } },
      ],
    });
    assert.equal(refused.status, 500);
    assert.equal((await call('GET', `/${guarded}`)).body, 1, 'the guarded key was refused');
    const applied = await call('GET', `/${other}`);
    assert.deepEqual([applied.body, applied.etag], [3, '1'], 'the other upsert was applied (no rollback), once (resiliency.yaml retries no state call)');
  });

  it('differs from first-write as documented: an ETag names no precondition on a missing key, and no ETag none on a held one in a transaction', async () => {
    const [missing, held] = [freshStudent(), freshStudent()];
    assert.equal(
      (await call('POST', '', [{ key: missing, value: 1, etag: '7', options: { concurrency: 'first-write' } }])).status,
      204,
      'a stale ETag creates',
    );
    await call('POST', '', [{ key: held, value: 1 }]);
    const created = await call('POST', '/transaction', {
      operations: [{ operation: 'upsert', request: { key: held, value: 2, options: { concurrency: 'first-write' } } }],
    });
    assert.equal(created.status, 204, 'first-write without an ETag overwrote a held key');
    assert.equal((await call('GET', `/${held}`)).body, 2);
  });

  it('differs from a JSON store: a number in a JSON value comes back with 6 decimals, a string as it was sent', async () => {
    const [asJson, asText] = [freshStudent(), freshStudent()];
    const value = { theta: -0.009632627329826615, tiny: 1e-9 };
    await call('POST', '', [
      { key: asJson, value },
      { key: asText, value: JSON.stringify(value) },
    ]);
    assert.deepEqual((await call('GET', `/${asJson}`)).body, { theta: -0.009633, tiny: 0 }, 'state.redis rounds (json-iterator ConfigFastest)');
    assert.deepEqual(JSON.parse((await call('GET', `/${asText}`)).body as string), value);
  });

  it('sets and clears expiry from ttlInSeconds, in a save and in a transaction', async () => {
    const [saved, inTx] = [freshStudent(), freshStudent()];
    const since = Date.now();
    await call('POST', '', [{ key: saved, value: 1, metadata: { ttlInSeconds: '3600' } }]);
    await call('POST', '/transaction', { operations: [{ operation: 'upsert', request: { key: inTx, value: 1, metadata: { ttlInSeconds: '7200' } } }] });
    await assertTtl(saved, 3600, since);
    await assertTtl(inTx, 7200, since);
    await call('POST', '', [{ key: saved, value: 2, metadata: { ttlInSeconds: '-1' } }]);
    assert.equal((await stored(saved))?.ttlMs, undefined, '-1 persists the key');
  });
});
