/**
 * The stores' floors for a shape: the same events written the cheapest way the stores allow,
 * so that the engine's figures read as a fraction of them.
 *
 * - PostgreSQL: a bare multi-row INSERT of each batch (sorted by event_id, ON CONFLICT DO NOTHING,
 *   as the log does) into mastery_events with the event log's own schema and indexes
 *   (src/adapters/sql/migrations.ts), in a fresh schema of the bench's.
 * - Redis: per batch one ioredis pipeline with the writes events.md's key layout needs for the
 *   batch's new events (src/adapters/encoding/student-keys.ts): per student its state hash's
 *   version and the fields its events change (student-state-fields.ts), its current result and
 *   outbox entry (the sizes the engine wrote, measured after its run), the four component values
 *   of each day its events fall on, each event's raw JSON in its day's hash, and each event's
 *   processed marker. Later days an out-of-order event changes are not counted: a lower bound.
 *
 * Both stores are written at once for each batch, from as many concurrent clients as the ingest.
 */
import type { Redis } from 'ioredis';
import { migrate } from '../src/adapters/sql/migrations.js';
import { openPostgres } from '../src/adapters/sql/postgres-client.js';
import { PROCESSED_TTL_SECONDS, processedKey, studentKeys } from '../src/adapters/encoding/student-keys.js';
import { COMPONENTS } from '../src/model/types.js';
import { freshSchema } from '../src/testing/stores/postgres-schema.js';
import type { WireEvent } from './generate-events.js';
import { startStoreCpu, withApplicationName } from './store-cpu.js';

/** The sizes of what the engine writes per student write, measured in its Redis after a run. */
export interface EngineSizes {
  currentBytes: number;
  outboxBytes: number;
  /** The knowledge trace field ('k') of a student with answers; 0 when none was found. */
  traceBytes: number;
  dayValue: string;
  keys: number;
}

/** Averages over up to `sample` students of the engine's Redis `redis` (its own database). */
export async function measureEngineSizes(redis: Redis, studentIds: readonly string[], sample = 300): Promise<EngineSizes> {
  const step = Math.max(1, Math.floor(studentIds.length / sample));
  let current = 0;
  let outbox = 0;
  let trace = 0;
  let n = 0;
  let nTrace = 0;
  let nOutbox = 0;
  let dayValue = '0.5';
  for (let i = 0; i < studentIds.length; i += step) {
    const k = studentKeys(studentIds[i]!);
    const [len, vals, traceLen] = await Promise.all([redis.strlen(k.current), redis.hvals(k.outbox), redis.hstrlen(k.state, 'k')]);
    current += len;
    n++;
    for (const v of vals) (outbox += v.length), nOutbox++;
    if (traceLen > 0) (trace += traceLen), nTrace++;
  }
  const [, found] = await redis.scan('0', 'MATCH', 'student:*:mastery:*', 'COUNT', 1000);
  if (found.length > 0) dayValue = (await redis.get(found[0]!)) ?? dayValue;
  return {
    currentBytes: Math.round(current / Math.max(1, n)),
    // No pending update left (the outbox was drained): a mastery.updated is about the current result's size.
    outboxBytes: nOutbox > 0 ? Math.round(outbox / nOutbox) : Math.round(current / Math.max(1, n)),
    traceBytes: nTrace > 0 ? Math.round(trace / nTrace) : 0,
    dayValue,
    keys: await redis.dbsize(),
  };
}

const INSERT_COLUMNS = '(event_id, student_id, event_type, component, topic, occurred_at, event)';

function insertStatement(rows: number): string {
  const values: string[] = [];
  for (let r = 0; r < rows; r++) {
    const p = r * 7;
    values.push(`($${p + 1}::uuid, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}::timestamptz, $${p + 7}::jsonb)`);
  }
  return `INSERT INTO mastery_events ${INSERT_COLUMNS} VALUES ${values.join(', ')} ON CONFLICT (event_id) DO NOTHING`;
}

const sortById = (events: readonly WireEvent[]) => [...events].sort((a, b) => (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));

function insertParams(events: readonly WireEvent[]): unknown[] {
  const params: unknown[] = [];
  for (const e of events) {
    params.push(
      e.event_id,
      e.student_id,
      e.event_type,
      e.event_type === 'mastery.calculation.requested' ? (e.component ?? null) : null,
      e.topic ?? '',
      e.timestamp,
      JSON.stringify(e),
    );
  }
  return params;
}

/** The state hash fields an event changes (student-state-fields.ts's layout). */
function stateFields(e: WireEvent): string[] {
  const day = e.timestamp.slice(0, 10);
  const fields = [`d:${day}:${e.topic}`, '1'];
  if (e.event_type === 'response.recorded') {
    if (e.data.attempt === 1) {
      fields.push(`r:${e.timestamp}:${e.event_id}`, JSON.stringify([e.topic, e.data.item_id, e.data.correct ? 1 : 0, e.data.seconds ?? null]));
    }
  } else if (e.event_type === 'mastery.calculation.requested' && e.component !== 'consistency') {
    fields.push(`i:${e.component}:${day}:${e.topic}`, JSON.stringify([e.timestamp, e.event_id, e.data]));
  }
  return fields;
}

/** Queues a batch's Redis writes (only its events not seen before) on `pipeline`. */
function queueRedisWrites(pipeline: ReturnType<Redis['pipeline']>, events: readonly WireEvent[], sizes: EngineSizes, ttl: number, seen: Set<string>) {
  const byStudent = new Map<string, WireEvent[]>();
  for (const e of events) {
    if (seen.has(e.event_id)) continue;
    seen.add(e.event_id);
    const list = byStudent.get(e.student_id);
    if (list) list.push(e);
    else byStudent.set(e.student_id, [e]);
  }
  const current = 'c'.repeat(sizes.currentBytes);
  const update = 'u'.repeat(sizes.outboxBytes);
  const trace = sizes.traceBytes > 0 ? 't'.repeat(sizes.traceBytes) : undefined;
  for (const [student, list] of byStudent) {
    const k = studentKeys(student);
    const fields = ['version', String(Date.now() * 1000)];
    for (const e of list) fields.push(...stateFields(e));
    if (trace && list.some((e) => e.event_type === 'response.recorded')) fields.push('k', trace);
    pipeline.hset(k.state, ...fields);
    pipeline.expire(k.state, ttl);
    pipeline.set(k.current, current, 'EX', ttl);
    pipeline.del(k.outbox);
    pipeline.hset(k.outbox, list.at(-1)!.event_id, update);
    pipeline.expire(k.outbox, ttl);
    const byDay = new Map<string, WireEvent[]>();
    for (const e of list) {
      const day = e.timestamp.slice(0, 10);
      const d = byDay.get(day);
      if (d) d.push(e);
      else byDay.set(day, [e]);
    }
    for (const [day, dayEvents] of byDay) {
      for (const c of COMPONENTS) pipeline.set(k.mastery(day, c), sizes.dayValue, 'EX', ttl);
      const pairs: string[] = [];
      for (const e of dayEvents) pairs.push(e.event_id, JSON.stringify(e));
      pipeline.hset(k.rawEvents(day), ...pairs);
      pipeline.expire(k.rawEvents(day), ttl);
    }
    for (const e of list) pipeline.set(processedKey(e.event_id), '1', 'EX', PROCESSED_TTL_SECONDS);
  }
}

export interface FloorResult {
  events: number;
  wall_seconds: number;
  events_per_second: number;
  postgres_cpu_us_per_event: number;
  redis_cpu_us_per_event: number;
  postgres_backends: number;
  rows: number;
  redis_keys: number;
}

/**
 * Writes `batches` into a fresh schema of the tests' PostgreSQL and into `redis` (a database of
 * the bench's own, flushed first and after) from `clients` concurrent writers.
 */
export async function runFloors(o: {
  batches: readonly WireEvent[][];
  redis: Redis;
  sizes: EngineSizes;
  clients: number;
  retentionDays: number;
}): Promise<FloorResult> {
  const schema = await freshSchema();
  const applicationName = `mastery-bench-floor-${process.pid}`;
  const url = withApplicationName(schema.url, applicationName);
  const db = await openPostgres(url);
  try {
    await migrate(db);
    await o.redis.flushdb();
    const statements = new Map<number, string>();
    const statement = (rows: number) => statements.get(rows) ?? statements.set(rows, insertStatement(rows)).get(rows)!;
    // Parameters and statements built ahead of the clock, as the ingest serialises its bodies.
    const prepared = o.batches.map((b) => {
      const sorted = sortById(b);
      return { events: b, sql: statement(sorted.length), params: insertParams(sorted) };
    });
    // Open the writers' connections before the clock starts.
    await Promise.all(Array.from({ length: o.clients }, () => db.query('SELECT 1')));
    const ttl = o.retentionDays * 86_400;
    const seen = new Set<string>();
    const cpu = await startStoreCpu({ adminUrl: schema.url, applicationName, redis: o.redis });
    const started = performance.now();
    let next = 0;
    const writer = async () => {
      for (;;) {
        const i = next++;
        if (i >= prepared.length) return;
        const { events, sql, params } = prepared[i]!;
        const pipeline = o.redis.pipeline();
        queueRedisWrites(pipeline, events, o.sizes, ttl, seen);
        const [, replies] = await Promise.all([db.query(sql, params), pipeline.exec()]);
        const failed = replies?.find(([error]) => error !== null);
        if (failed) throw failed[0];
      }
    };
    await Promise.all(Array.from({ length: o.clients }, writer));
    const wall = (performance.now() - started) / 1000;
    const used = await cpu.stop();
    const events = o.batches.reduce((n, b) => n + b.length, 0);
    const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM mastery_events');
    const keys = await o.redis.dbsize();
    await o.redis.flushdb();
    return {
      events,
      wall_seconds: Math.round(wall * 100) / 100,
      events_per_second: Math.round(events / wall),
      postgres_cpu_us_per_event: Math.round((1e6 * used.postgresSeconds) / events),
      redis_cpu_us_per_event: Math.round((1e6 * used.redisSeconds) / events),
      postgres_backends: used.postgresBackends,
      rows: row!.n,
      redis_keys: keys,
    };
  } finally {
    await db.close();
    await schema.drop();
  }
}
