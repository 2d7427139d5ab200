import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it, type TestContext } from 'node:test';
import type { LearningEvent } from '../../model/learning-event.js';
import { DEFAULT_MODEL_CONFIG } from '../../model/model-config.js';
import { evolveAll, initialState, type StudentState } from '../../model/student-state.js';
import { recordFor, touchedDays } from '../../students/student-record.js';
import { DEFAULT_LEARNER_PARAMS } from '../../model/learner/learner-params.js';
import type { StateStore, StudentWrite } from '../../ports/state-store.js';
import { stateStoreContract } from '../../ports/testing/state-store-contract.js';
import { encodeState } from '../encoding/student-state-json.js';
import { createDaprStateStore } from './dapr-state-store.js';
import { startDaprContractServer, type DaprContractServer, type DaprContractServerOptions } from './testing/dapr-contract-server.js';

const RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;
const START = Date.parse('2026-01-14T12:00:00Z');

const shared = await startDaprContractServer();
after(() => shared.close());

stateStoreContract('StateStore contract: Dapr state API (contract server)', async () =>
  createDaprStateStore({ url: shared.url, store: shared.store, retentionDays: RETENTION_DAYS }),
);

// ---------------------------------------------------------------------------------------------

interface Opened {
  server: DaprContractServer;
  store: StateStore;
  /** Moves the server's clock on. */
  advance(days: number): void;
}

/** A server of its own (its clock, its keys) and a store on it; `wrap` may stand between them. */
async function openDapr(
  t: TestContext,
  serverOptions: DaprContractServerOptions = {},
  wrap?: (server: DaprContractServer) => typeof fetch,
): Promise<Opened> {
  let clock = START;
  const server = await startDaprContractServer({ ...serverOptions, now: () => clock });
  t.after(() => server.close());
  const store = createDaprStateStore({
    url: server.url,
    store: server.store,
    retentionDays: RETENTION_DAYS,
    now: () => clock,
    ...(wrap ? { fetch: wrap(server) } : {}),
  });
  return { server, store, advance: (days) => (clock += days * DAY_MS) };
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

const transactions = (server: DaprContractServer) => server.requests.filter((r) => r.path.endsWith('/transaction'));

interface TransactionBody {
  operations: Array<{ operation: string; request: { key: string; etag?: string; metadata?: Record<string, string>; options?: object } }>;
}

/** A fetch that, once, lets another writer save `key` just before the store's transaction goes out. */
const intruder =
  (key: string, value: unknown) =>
  (server: DaprContractServer): typeof fetch => {
    let done = false;
    return async (input, init) => {
      if (!done && String(input).endsWith('/transaction')) {
        done = true;
        const body = JSON.stringify([{ key, value }]);
        const res = await fetch(`${server.url}/v1.0/state/${server.store}`, { method: 'POST', body });
        assert.equal(res.status, 204, 'the intruder saved');
      }
      return fetch(input, init);
    };
  };

// ---------------------------------------------------------------------------------------------

describe('Dapr state store: keys, values and expiry', () => {
  it('keeps exactly the keys of events.md: state and result for the retention, each day until it leaves retention, markers for 7 days', async (t) => {
    const { server, store } = await openDapr(t);
    const { events } = await seed(store, 's1');

    const days = ['2026-01-12', '2026-01-13'];
    assert.deepEqual(server.keys(), [
      ...days.map((d) => `student:{s1}:history:${d}:raw_events`),
      ...days.flatMap((d) => ['completion', 'consistency', 'quality', 'quiz'].map((c) => `student:{s1}:mastery:${d}:${c}`)),
      'student:{s1}:profile:current_mastery',
      'student:{s1}:state',
      ...events.map((e) => `processed:{${e.event_id}}`),
    ].sort());
    for (const key of server.keys()) {
      const day = /:(\d{4}-\d{2}-\d{2}):/.exec(key)?.[1];
      const expected = key.startsWith('processed:')
        ? START + 7 * DAY_MS
        : day !== undefined
          ? Date.parse(`${day}T00:00:00Z`) + RETENTION_DAYS * DAY_MS
          : START + RETENTION_DAYS * DAY_MS;
      assert.equal(server.peek(key)?.expiresAt, expected, key);
    }
  });

  it('writes a student in one transaction: the state key with its ETag and first-write, every upsert with a ttlInSeconds', async (t) => {
    const { server, store } = await openDapr(t);
    const { state } = await seed(store, 's1');
    const etag = (await store.load(['s1'])).get('s1')!.etag;
    const later = eventsOf('s1').slice(0, 1);
    await store.save([writeOf(evolveAll(state, later), etag, later)]);

    const [create, replace] = transactions(server).map((r) => r.body as TransactionBody);
    assert.equal(transactions(server).length, 2, 'one transaction per save of the student');
    for (const body of [create!, replace!]) {
      assert.ok(body.operations.every((op) => op.request.key.startsWith('student:{s1}:')), 'only the student\'s keys');
      for (const op of body.operations.filter((o) => o.operation === 'upsert')) {
        const day = /:(\d{4}-\d{2}-\d{2}):/.exec(op.request.key)?.[1];
        const seconds = day === undefined ? RETENTION_DAYS * 86_400 : (Date.parse(`${day}T00:00:00Z`) - START) / 1000 + RETENTION_DAYS * 86_400;
        assert.deepEqual(op.request.metadata, { ttlInSeconds: String(seconds) }, op.request.key);
      }
    }
    assert.deepEqual(create!.operations[0]!.request.options, { concurrency: 'first-write' });
    assert.equal(create!.operations[0]!.request.etag, undefined, 'a new student is written without an ETag');
    assert.equal(replace!.operations[0]!.request.etag, etag, 'a known student names the ETag it was loaded with');
    const markers = server.requests.filter((r) => r.method === 'POST' && r.path === `/v1.0/state/${server.store}`);
    assert.equal(markers.length, 2, 'one save of markers per successful save');
    for (const item of markers.flatMap((r) => r.body as Array<{ metadata: unknown }>)) {
      assert.deepEqual(item.metadata, { ttlInSeconds: String(7 * 86_400) });
    }
  });

  it('holds day values as numbers and each day\'s raw events by id, merged with those already there', async (t) => {
    const { server, store } = await openDapr(t);
    const { events, state } = await seed(store, 's1');
    const etag = (await store.load(['s1'])).get('s1')!.etag;
    const sameDay = { ...eventsOf('s1')[0]!, timestamp: '2026-01-12T15:00:00Z' };
    assert.deepEqual((await store.save([writeOf(evolveAll(state, [sameDay]), etag, [sameDay])])).conflicts, []);

    assert.equal(server.peek('student:{s1}:mastery:2026-01-13:consistency')?.value, 1);
    assert.equal(typeof server.peek('student:{s1}:mastery:2026-01-12:completion')?.value, 'number');
    assert.deepEqual(server.peek('student:{s1}:history:2026-01-12:raw_events')?.value, {
      [events[0]!.event_id]: events[0],
      [sameDay.event_id]: sameDay,
    });
  });

  it('loses markers after 7 days and the student after the retention', async (t) => {
    const { store, advance } = await openDapr(t);
    const { events } = await seed(store, 's1');
    const ids = events.map((e) => e.event_id);

    advance(7);
    assert.deepEqual(await store.unprocessed(ids), new Set(ids), 'markers are gone');
    assert.equal((await store.load(['s1'])).size, 1, 'the student is still held');
    advance(RETENTION_DAYS - 7);
    assert.equal((await store.load(['s1'])).size, 0, 'the student is gone');
  });
});

describe('Dapr state store: remove leaves no key of the student', () => {
  const keysOf = (server: DaprContractServer, student: string) => server.keys().filter((k) => k.startsWith(`student:{${student}}:`));

  it('deletes the state, the result, every day\'s values and raw events, and the given markers; a neighbour keeps its keys', async (t) => {
    const { server, store } = await openDapr(t);
    const { events } = await seed(store, 's1');
    // An id the student's id is a prefix of: its keys must survive the removal.
    const neighbour = await seed(store, 's12');
    const neighbourKeys = keysOf(server, 's12');
    assert.ok(keysOf(server, 's1').some((k) => k.endsWith(':raw_events')), 'the fixture has raw events');

    await store.remove(['s1'], events.map((e) => e.event_id));

    assert.deepEqual(keysOf(server, 's1'), [], 'no key of the student is left');
    for (const e of events) assert.equal(server.peek(`processed:{${e.event_id}}`), undefined, `the marker of ${e.event_id} is gone`);
    assert.deepEqual(keysOf(server, 's12'), neighbourKeys, 'the neighbour keeps every key');
    for (const e of neighbour.events) assert.notEqual(server.peek(`processed:{${e.event_id}}`), undefined, 'and its markers');
  });

  it('also deletes the keys of days the state no longer lists (a student rebuilt after a purge)', async (t) => {
    const { server, store } = await openDapr(t);
    const { events } = await seed(store, 's1');
    // Rebuilt from the later event alone, as purgeExpired does once the older one left the log:
    // the state forgets 2026-01-12, whose keys the rebuild does not touch.
    const etag = (await store.load(['s1'])).get('s1')!.etag;
    const rest = events.slice(1);
    assert.deepEqual((await store.save([writeOf(evolveAll(initialState('s1'), rest), etag, rest)])).conflicts, []);
    assert.ok(keysOf(server, 's1').some((k) => k.includes(':2026-01-12:')), 'the fixture leaves keys of a day the state forgot');

    await store.remove(['s1'], events.map((e) => e.event_id));

    assert.deepEqual(keysOf(server, 's1'), [], 'no key of the student is left, raw events of 2026-01-12 included');
  });
});

describe('Dapr state store: conflicts', () => {
  it('refuses a stale ETag before any transaction, writing nothing for that student', async (t) => {
    const { server, store } = await openDapr(t);
    const { state } = await seed(store, 's1');
    const stale = (await store.load(['s1'])).get('s1')!.etag;
    const more = eventsOf('s1');
    await store.save([writeOf(evolveAll(state, more.slice(0, 1)), stale, more.slice(0, 1))]);
    const before = server.keys().map((k) => [k, server.peek(k)?.etag]);

    const refused = await store.save([writeOf(evolveAll(state, more.slice(1)), stale, more.slice(1))]);

    assert.deepEqual(refused.conflicts, ['s1']);
    assert.equal(transactions(server).length, 2, 'no third transaction');
    assert.deepEqual(server.keys().map((k) => [k, server.peek(k)?.etag]), before, 'nothing changed');
  });

  for (const status of [500, 409] as const) {
    it(`takes the store's refusal (${status}) of a writer that slipped in after the check as a conflict`, async (t) => {
      const other = encodeState(initialState('s1'), 9);
      const { server, store } = await openDapr(t, { transactionConflictStatus: status }, intruder('student:{s1}:state', JSON.parse(other)));
      const events = eventsOf('s1');

      const outcome = await store.save([writeOf(evolveAll(initialState('s1'), events), null, events)]);

      assert.deepEqual(outcome.conflicts, ['s1'], 'first-write without an ETag refused the create');
      // A 409 is a conflict outright; a 500 is one because a fresh read shows the key moved.
      const calls = server.requests.map((r) => r.path.split('/').pop());
      assert.deepEqual(calls, ['bulk', server.store, 'transaction', ...(status === 500 ? ['bulk'] : [])]);
      assert.deepEqual(server.keys(), ['student:{s1}:state'], 'only the other writer\'s key');
      assert.equal((await store.load(['s1'])).get('s1')?.state.topics.size, 0, 'the other writer\'s state stands');
      assert.equal((await store.unprocessed(events.map((e) => e.event_id))).size, 2, 'no markers');
    });
  }

  it('refuses a replace when the state key moved between the check and the transaction', async (t) => {
    const { store, server } = await openDapr(t, {}, intruder('student:{s1}:state', JSON.parse(encodeState(initialState('s1'), 9))));
    // Seeded through the API by hand, so that the intruder goes before the replace's transaction.
    const events = eventsOf('s1');
    const state = evolveAll(initialState('s1'), events);
    await fetch(`${server.url}/v1.0/state/${server.store}`, {
      method: 'POST',
      body: JSON.stringify([{ key: 'student:{s1}:state', value: JSON.parse(encodeState(state, 1)) }]),
    });
    const etag = (await store.load(['s1'])).get('s1')!.etag;

    const outcome = await store.save([writeOf(state, etag, events)]);

    assert.deepEqual(outcome.conflicts, ['s1']);
    assert.notEqual((await store.load(['s1'])).get('s1')!.etag, etag);
  });
});

describe('Dapr state store: failures and health', () => {
  it('rejects every call with an error naming it when the sidecar is down', async (t) => {
    const { server, store } = await openDapr(t);
    await server.close();
    const write = writeOf(initialState('s1'), null, []);

    await assert.rejects(store.load(['s1']), /Dapr state API, load: POST \/v1\.0\/state\/mastery-state\/bulk failed/);
    await assert.rejects(store.save([write]), /Dapr state API, save: POST .* failed/);
    await assert.rejects(store.unprocessed([randomUUID()]), /Dapr state API, unprocessed: .* failed/);
    await assert.rejects(store.ping(), /Dapr state API, ping: GET \/v1\.0\/healthz\/outbound failed/);
  });

  it('throws on another non-2xx answer, naming the call and the status', async (t) => {
    const { server } = await openDapr(t);
    const store = createDaprStateStore({ url: server.url, store: 'no-such-store', retentionDays: RETENTION_DAYS });

    await assert.rejects(store.load(['s1']), /load: POST \/v1\.0\/state\/no-such-store\/bulk answered 400: .*ERR_STATE_STORE_NOT_FOUND/);
  });

  it('throws on a failed transaction when the state key did not move, naming the call and the status', async (t) => {
    const failing = (): typeof fetch => async (input, init) =>
      String(input).endsWith('/transaction')
        ? new Response(JSON.stringify({ errorCode: 'ERR_STATE_TRANSACTION', message: 'the store is down' }), { status: 500 })
        : fetch(input, init);
    const { store } = await openDapr(t, {}, failing);
    const events = eventsOf('s1');

    await assert.rejects(
      store.save([writeOf(evolveAll(initialState('s1'), events), null, events)]),
      /save: transaction: POST \/v1\.0\/state\/mastery-state\/transaction answered 500: .*the store is down/,
    );
    assert.equal((await store.unprocessed(events.map((e) => e.event_id))).size, 2, 'no markers');
  });

  it('pings the sidecar\'s outbound health probe', async (t) => {
    const { server, store } = await openDapr(t);
    await store.ping();
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ['GET /v1.0/healthz/outbound']);
  });
});

describe('the contract server answers as the Dapr state API does', () => {
  async function call(server: DaprContractServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init = { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
    const res = await fetch(`${server.url}/v1.0/state/${server.store}${path}`, init);
    const text = await res.text();
    const parsed = text === '' ? undefined : (JSON.parse(text) as { errorCode?: string });
    return { status: res.status, etag: res.headers.get('etag'), body: parsed };
  }

  it('reads a key with its ETag, 204 for a missing one; every write gives a new ETag', async (t) => {
    const { server } = await openDapr(t);
    assert.equal((await call(server, 'GET', '/k')).status, 204);
    await call(server, 'POST', '', [{ key: 'k', value: { a: 1 } }]);
    const first = await call(server, 'GET', '/k');
    assert.deepEqual([first.status, first.body], [200, { a: 1 }]);
    await call(server, 'POST', '', [{ key: 'k', value: 2, etag: first.etag }]);
    const second = await call(server, 'GET', '/k');
    assert.ok(second.etag !== null && second.etag !== first.etag, 'a new ETag');
  });

  it('refuses a stale ETag (409 on save and delete, 500 on a transaction, which changes nothing)', async (t) => {
    const { server } = await openDapr(t);
    await call(server, 'POST', '', [{ key: 'k', value: 1 }]);
    const refusedSave = await call(server, 'POST', '', [{ key: 'k', value: 2, etag: 'stale', options: { concurrency: 'first-write' } }]);
    assert.deepEqual([refusedSave.status, refusedSave.body?.errorCode], [409, 'ERR_STATE_SAVE']);
    const refusedCreate = await call(server, 'POST', '', [{ key: 'k', value: 2, options: { concurrency: 'first-write' } }]);
    assert.equal(refusedCreate.status, 409, 'first-write without an ETag creates only');
    const refusedDelete = await call(server, 'DELETE', '/k', undefined, { 'If-Match': 'stale' });
    assert.deepEqual([refusedDelete.status, refusedDelete.body?.errorCode], [409, 'ERR_STATE_DELETE']);
    const refusedTx = await call(server, 'POST', '/transaction', {
      operations: [
        { operation: 'upsert', request: { key: 'other', value: 3 } },
        { operation: 'upsert', request: { key: 'k', value: 3, etag: 'stale' } },
      ],
    });
    assert.deepEqual([refusedTx.status, refusedTx.body?.errorCode], [500, 'ERR_STATE_TRANSACTION']);
    assert.deepEqual(server.keys(), ['k'], 'the transaction wrote nothing');
    assert.equal((await call(server, 'GET', '/k')).body, 1);
  });
});
