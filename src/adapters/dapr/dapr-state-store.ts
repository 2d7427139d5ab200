import { addDays, type Day, dayOfInstant } from '../../model/days.js';
import { dayOfTimestamp } from '../../model/instant.js';
import type { LearningEvent } from '../../model/learning-event.js';
import { COMPONENTS } from '../../model/types.js';
import type { MasteryUpdated } from '../../ports/bus.js';
import type { CurrentMastery, LoadedRecord, StateStore, StudentWrite } from '../../ports/state-store.js';
import { decodeTrace, encodeTrace } from '../encoding/knowledge-trace-json.js';
import { PROCESSED_TTL_SECONDS, processedKey, studentKeys } from '../encoding/student-keys.js';
import { decodeState, encodeState } from '../encoding/student-state-json.js';

export interface DaprStateStoreOptions {
  /** The sidecar's HTTP address, e.g. http://127.0.0.1:3500. */
  url: string;
  /** The state store component's name. */
  store: string;
  retentionDays: number;
  fetch?: typeof fetch;
  /** The clock that decides when a day leaves retention; default Date.now. */
  now?: () => number;
}

/** One answer of the bulk read: a key the store lacks comes back without data and etag. */
interface BulkItem {
  key: string;
  data?: unknown;
  etag?: string;
  error?: string;
}

interface Operation {
  operation: 'upsert' | 'delete';
  request: {
    key: string;
    value?: unknown;
    etag?: string;
    metadata?: { ttlInSeconds: string };
    options?: { concurrency: 'first-write' };
  };
}

/** How many keys the sidecar reads at once for one bulk read (the API reference's example value). */
const BULK_PARALLELISM = 10;

const dayOf = (e: LearningEvent): Day => dayOfTimestamp(e.timestamp);

function eventsByDay(events: readonly LearningEvent[]): Map<Day, LearningEvent[]> {
  const byDay = new Map<Day, LearningEvent[]>();
  for (const e of events) {
    const list = byDay.get(dayOf(e));
    if (list) list.push(e);
    else byDay.set(dayOf(e), [e]);
  }
  return byDay;
}

/** Whether the state key is no longer as the write was planned from (held: null = absent). */
const moved = (etag: string | null, held: BulkItem | undefined) => (etag === null ? held !== undefined : held?.etag !== etag);

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Every value goes to the sidecar as its JSON text, a JSON string: Dapr's state.redis re-encodes
 * a JSON value with a float format of 6 decimals (json-iterator's ConfigFastest), which would
 * round the knowledge trace and the raw events' scores, while a string reaches Redis as it is.
 */
const asText = (value: unknown): string => JSON.stringify(value);
/** A value read back: its JSON text parsed (a value stored as JSON itself, before, as it is). */
const fromText = (data: unknown): unknown => (typeof data === 'string' ? (JSON.parse(data) as unknown) : data);

/**
 * The state store through a Dapr sidecar's state API (docs.dapr.io, "State management API
 * reference"), with the keys and values of the Redis adapter (events.md): every student key
 * carries ttlInSeconds = the retention, each student's keys change in one transaction guarded
 * by the ETag of its state key, processed markers live 7 days. The record's etag is Dapr's ETag
 * of the state key, an opaque string.
 *
 * Concurrency. The API has no "must not exist" precondition: an upsert without an ETag is
 * last-write-wins, and first-write without an ETag, meant to refuse an existing key
 * (dapr/components-contrib#994, #1010), is not honoured by every component inside a transaction
 * (state.redis's Multi ignores it, and takes a stale ETag on an absent key). So save first reads
 * the state keys of the batch (one bulk read, which also brings the raw events to merge), and a
 * write whose key is held when creating, or absent or under another ETag when replacing, is a
 * conflict at once. The transaction then names the loaded ETag with first-write, so a writer that
 * slips in after the read is refused by the store. What stays open is two creates of one student
 * racing on a component that ignores first-write without an ETag; Kafka keying by student_id
 * (one owner per student) makes that rare. state.redis runs a transaction as a Redis MULTI,
 * which applies the other keys of one refused for the state key's ETag; the conflict makes the
 * caller write the student again at once, over them, and a day's raw events (merged into, not
 * written whole) are written under the ETag they were read with. Both are checked against a
 * real sidecar (docs/decisions.md, "Dapr").
 */
export function createDaprStateStore(options: DaprStateStoreOptions): StateStore {
  const doFetch = options.fetch ?? fetch;
  const root = options.url.replace(/\/+$/, '');
  const statePath = `/v1.0/state/${encodeURIComponent(options.store)}`;
  const retention = { ttlInSeconds: String(options.retentionDays * 86_400) };

  /** Sends one call; only an unreachable sidecar throws here, naming the call. */
  async function send(call: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const init: RequestInit =
      body === undefined ? { method, headers } : { method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) };
    try {
      return await doFetch(root + path, init);
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      const reason = `${(error as Error).message}${code ? ` (${String(code)})` : ''}`;
      throw new Error(`Dapr state API, ${call}: ${method} ${path} failed: ${reason}`, { cause: error });
    }
  }

  async function failure(call: string, method: string, path: string, response: Response): Promise<Error> {
    const text = (await response.text()).slice(0, 500);
    return new Error(`Dapr state API, ${call}: ${method} ${path} answered ${response.status}${text ? `: ${text}` : ''}`);
  }

  async function request(call: string, method: string, path: string, body?: unknown): Promise<Response> {
    const response = await send(call, method, path, body);
    if (!response.ok) throw await failure(call, method, path, response);
    return response;
  }

  /** The keys the store holds, of those asked for, in one bulk read. */
  async function bulkGet(call: string, keys: readonly string[]): Promise<Map<string, BulkItem>> {
    const held = new Map<string, BulkItem>();
    if (keys.length === 0) return held;
    const response = await request(call, 'POST', `${statePath}/bulk`, { keys, parallelism: BULK_PARALLELISM });
    for (const item of (await response.json()) as BulkItem[]) {
      if (item.error) throw new Error(`Dapr state API, ${call}: reading ${item.key} failed: ${item.error}`);
      if (item.data === undefined) continue;
      if (item.etag === undefined) {
        throw new Error(`Dapr state API, ${call}: ${item.key} came without an ETag; the component must support ETags`);
      }
      held.set(item.key, { ...item, data: fromText(item.data) });
    }
    return held;
  }

  const upsert = (key: string, value: unknown, metadata = retention): Operation => ({
    operation: 'upsert',
    request: { key, value: asText(value), metadata },
  });
  const now = options.now ?? Date.now;
  /** A day's keys expire when the day leaves the retention period (≤ 0: do not write them). */
  const dayTtl = (date: Day) => Math.floor((Date.parse(`${date}T00:00:00Z`) - now()) / 1000) + options.retentionDays * 86_400;

  /** Every key of one student's write: state (guarded), current, day values, merged raw events. */
  function operations(write: StudentWrite, held: Map<string, BulkItem>): Operation[] {
    const k = studentKeys(write.record.state.student_id);
    const stored = held.get(k.state)?.data;
    // The value keeps the layout of student-state-json; its version only counts writes here,
    // since the ETag, not the version, guards the write.
    const version = (isRecord(stored) && typeof stored.version === 'number' ? stored.version : 0) + 1;
    const state: Operation = {
      operation: 'upsert',
      request: {
        key: k.state,
        value: asText({
          ...JSON.parse(encodeState(write.record.state, version)),
          ...(write.record.knowledge ? { knowledge: JSON.parse(encodeTrace(write.record.knowledge)) } : {}),
        }),
        ...(write.etag === null ? {} : { etag: write.etag }),
        metadata: retention,
        options: { concurrency: 'first-write' },
      },
    };
    const current = write.record.current;
    const ops = [state, current === null ? { operation: 'delete' as const, request: { key: k.current } } : upsert(k.current, current)];
    // The outbox key holds the student's one pending update, replaced by a newer one.
    if (write.update) ops.push(upsert(k.outbox, write.update));
    for (const { date, components } of write.days) {
      const ttl = dayTtl(date);
      if (ttl <= 0) continue;
      for (const c of COMPONENTS) ops.push(upsert(k.mastery(date, c), components[c], { ttlInSeconds: String(ttl) }));
    }
    for (const [date, events] of eventsByDay(write.applied)) {
      const ttl = dayTtl(date);
      if (ttl <= 0) continue;
      const before = held.get(k.rawEvents(date));
      const added = Object.fromEntries(events.map((e) => [e.event_id, e]));
      const merged = upsert(k.rawEvents(date), { ...(isRecord(before?.data) ? before.data : {}), ...added }, { ttlInSeconds: String(ttl) });
      // A merge, unlike every other key, is not written whole again by the retry of a refused
      // transaction, and state.redis applies the rest of a transaction refused for the state key:
      // under the ETag read, another writer's events merged meanwhile are not overwritten.
      if (before?.etag !== undefined) Object.assign(merged.request, { etag: before.etag, options: { concurrency: 'first-write' } });
      ops.push(merged);
    }
    return ops;
  }

  /** Writes one student in one transaction; false when its state key had moved (nothing written). */
  async function writeStudent(write: StudentWrite, held: Map<string, BulkItem>): Promise<boolean> {
    const stateKey = studentKeys(write.record.state.student_id).state;
    if (moved(write.etag, held.get(stateKey))) return false;
    const path = `${statePath}/transaction`;
    const response = await send('save: transaction', 'POST', path, { operations: operations(write, held) });
    if (response.ok) return true;
    if (response.status === 409) return false;
    // The runtime answers an ETag refusal of a transaction like any failure of it (500,
    // ERR_STATE_TRANSACTION; only save and delete get 409), so the state key tells which it was.
    // Should the store have applied the transaction after all, calling it a conflict is still
    // safe: the caller reloads and folds again, which is idempotent.
    const error = await failure('save: transaction', 'POST', path, response);
    const now = await bulkGet('save: transaction check', [stateKey]);
    if (moved(write.etag, now.get(stateKey))) return false;
    throw error;
  }

  return {
    async load(studentIds) {
      const keys = studentIds.map(studentKeys);
      const held = await bulkGet(
        'load',
        keys.flatMap((k) => [k.state, k.current]),
      );
      const found = new Map<string, LoadedRecord>();
      studentIds.forEach((id, i) => {
        const k = keys[i]!;
        const item = held.get(k.state);
        if (item === undefined) return;
        const { state } = decodeState(JSON.stringify(item.data));
        const current = (held.get(k.current)?.data as CurrentMastery | undefined) ?? null;
        const trace = isRecord(item.data) ? item.data.knowledge : undefined;
        const knowledge = trace === undefined ? null : decodeTrace(JSON.stringify(trace));
        found.set(id, { state, current, knowledge, etag: item.etag! });
      });
      return found;
    },

    async etags() {
      // None told: the runtime's ETag is its store's version counter (Redis: 1 for a key written
      // anew), so a student erased and written again can come back with an ETag it had, and a
      // cache would serve the erased record as current. Telling none makes it read again.
      return new Map<string, string>();
    },

    async save(writes) {
      // Dapr's transactions do not answer with the new ETags: none is reported (etags stays empty).
      if (writes.length === 0) return { conflicts: [], etags: new Map() };
      const held = await bulkGet(
        'save',
        writes.flatMap((w) => {
          const k = studentKeys(w.record.state.student_id);
          return [k.state, ...[...eventsByDay(w.applied).keys()].map(k.rawEvents)];
        }),
      );
      const written = await Promise.all(writes.map((w) => writeStudent(w, held)));
      const conflicts = writes.filter((_, i) => !written[i]).map((w) => w.record.state.student_id);
      // Markers are keyed by event, apart from the student's transaction: they are saved after
      // it. Lost markers (a crash in between) cost a harmless re-fold.
      const markers = writes
        .filter((_, i) => written[i])
        .flatMap((w) => w.applied)
        .map((e) => ({ key: processedKey(e.event_id), value: 1, metadata: { ttlInSeconds: String(PROCESSED_TTL_SECONDS) } }));
      if (markers.length > 0) await request('save: processed markers', 'POST', statePath, markers);
      return { conflicts, etags: new Map() };
    },

    async remove(studentIds, eventIds) {
      // Dapr cannot list keys. Day keys live only while their day is inside the retention
      // period, so deleting every day of that window (and any day the state still names) leaves
      // none behind, even of days a purge has dropped from the state.
      const held = await bulkGet(
        'remove',
        studentIds.map((id) => studentKeys(id).state),
      );
      const today = dayOfInstant(now());
      const window = Array.from({ length: options.retentionDays + 1 }, (_, i) => addDays(today, -i));
      for (const id of studentIds) {
        const k = studentKeys(id);
        const item = held.get(k.state);
        const named = item === undefined ? [] : decodeState(JSON.stringify(item.data)).state.days;
        const days = [...new Set([...window, ...named])];
        const keys = [k.state, k.current, k.outbox, ...days.flatMap((d) => [k.rawEvents(d), ...COMPONENTS.map((c) => k.mastery(d, c))])];
        await request('remove', 'POST', `${statePath}/transaction`, {
          operations: keys.map((key) => ({ operation: 'delete', request: { key } })),
        });
      }
      for (const id of eventIds) await request('remove: processed marker', 'DELETE', `${statePath}/${encodeURIComponent(processedKey(id))}`);
    },

    async pendingUpdates(studentIds) {
      const held = await bulkGet(
        'pendingUpdates',
        studentIds.map((id) => studentKeys(id).outbox),
      );
      return [...held.values()].map((item) => item.data as MasteryUpdated);
    },

    async acknowledge(updates) {
      const keyOf = (u: Pick<MasteryUpdated, 'student_id'>) => studentKeys(u.student_id).outbox;
      const held = await bulkGet('acknowledge', updates.map(keyOf));
      for (const u of updates) {
        const item = held.get(keyOf(u));
        if ((item?.data as MasteryUpdated | undefined)?.event_id !== u.event_id) continue;
        // Deleted under the ETag read: a newer update written meanwhile makes it a 409, and stays.
        const path = `${statePath}/${encodeURIComponent(keyOf(u))}?concurrency=first-write`;
        const response = await send('acknowledge', 'DELETE', path, undefined, { 'if-match': item!.etag! });
        if (!response.ok && response.status !== 409) throw await failure('acknowledge', 'DELETE', path, response);
      }
    },

    async unprocessed(eventIds) {
      const held = await bulkGet('unprocessed', eventIds.map(processedKey));
      return new Set(eventIds.filter((id) => !held.has(processedKey(id))));
    },

    async ping() {
      // The outbound probe answers once the sidecar has loaded its components, whether or not
      // this app is up yet (Health API reference).
      await request('ping', 'GET', '/v1.0/healthz/outbound');
    },

    async close() {
      // Plain HTTP calls: nothing to release.
    },
  };
}
