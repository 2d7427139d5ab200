/**
 * The Kafka worker end to end: the real `mastery worker` command (from source, in a child
 * process) against Apache Kafka (one broker of this file's own, kafka-broker.ts), with PostgreSQL and Redis where the scenario needs
 * durable stores, compared with the HTTP path (the same app in process on the memory adapters).
 *
 * 1. 20,000 seeded events (four components and activity.recorded, four topics, 200 students)
 *    with 2 % re-sent event ids and poison messages on mastery.requests: every valid event in the
 *    log exactly once, every poison message in mastery.dlq exactly once with its error, results
 *    equal to the HTTP path's, one mastery.updated per changed student per batch.
 * 2. Redis killed under the worker: batches go to mastery.retry with retry_count and are applied
 *    once Redis is back; Redis down for longer than three back-offs: mastery.dlq, "gave up after 3 retries".
 * 3. kill -9 of the worker after at least 20 % of a run: after a restart nothing is lost and
 *    nothing is counted twice.
 * 4. The broker killed with -9 and started again: the worker recovers by itself.
 * 5. Avro on the topics.
 * 6. serve with MASTERY_HTTP_INGEST=forward: 202 queued, and the worker applies the events.
 * 7. The worker's /metrics (with scenario 1's run).
 *
 * Events are from January 2026 (the processes run with MASTERY_RETENTION_DAYS=36500) and results
 * are read as of 2026-01-20. Each scenario has topics and a group of its own on the file's
 * broker (scenario 4 a broker of its own, which it kills), a schema and a Redis (database index
 * 7, 8 or 9 of the test Redis, or a redis-server of its own) to itself.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import { signHs256 } from '../access/tokens.js';
import { processedKey, studentKeys } from '../adapters/encoding/student-keys.js';
import { avroCodec } from '../adapters/kafka/message-codec.js';
import { sharedKafkaBroker, startKafkaBrokers, type KafkaBrokers } from '../testing/kafka/kafka-broker.js';
import { openPostgres } from '../adapters/sql/postgres-client.js';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import { startServer } from '../testing/run-cli.js';
import { batchesOf, seededClass, seededShuffle, seededUuid } from '../testing/seeded-events.js';
import { seededRandom } from '../demo/seeded-random.js';
import { testApp } from '../testing/test-app.js';
import type { MasteryUpdated } from '../ports/bus.js';
import { freshSchema } from '../testing/stores/postgres-schema.js';
import { testRedisUrl } from '../testing/stores/test-redis.js';
import type { WireEvent } from '../testing/wire-events.js';
import {
  fetchText,
  groupBacklog,
  hasExited,
  keyedProducer,
  metricSamples,
  metricValue,
  produce,
  recordTopics,
  createServiceTopics,
  serviceTopics,
  startRedisServer,
  startWorker,
  testKafka,
  topicSize,
  waitFor,
  workerKafkaEnv,
  type Outbound,
  type ServiceTopics,
  type Recorded,
  type Recorder,
  type WorkerProcess,
} from '../testing/kafka/kafka-e2e.js';
import { getJson, type Answer } from '../testing/http-json.js';

const SECRET = 'kafka-e2e-secret-at-least-thirty-two-bytes!';
const AS_OF = '2026-01-20';
const januaryDays = (n: number) => Array.from({ length: n }, (_, i) => `2026-01-${String(i + 1).padStart(2, '0')}`);
const TOPICS = ['python.loops', 'python.lists', 'python.functions', 'python.classes'] as const;

/** The test Redis (a server of this process's own unless MASTERY_TEST_REDIS_URL says otherwise), with a database index of this suite's own. */
const redisDb = (index: number): Promise<string> => testRedisUrl(index);
/** Scenario 1's, known before its describe block (which cannot wait) is declared. */
const REDIS_S1 = await redisDb(7);

// ---------------------------------------------------------------------------------------------
// Cleanup, reads and the HTTP path

type Cleanup = () => Promise<unknown>;

/** A stack of cleanups run last-registered first, each even when an earlier one failed. */
function cleanupStack() {
  const stack: Cleanup[] = [];
  return {
    add: (f: Cleanup) => void stack.push(f),
    run: async () => {
      const failures: unknown[] = [];
      for (const f of stack.splice(0).reverse()) await f().catch((error: unknown) => failures.push(error));
      if (failures.length > 0) throw failures[0];
    },
  };
}

function cleanupsOf(t: TestContext): (f: Cleanup) => void {
  const stack = cleanupStack();
  t.after(() => stack.run());
  return stack.add;
}

/**
 * The HTTP path: the same app in process on the memory adapters, its clock at the real now (so
 * "today" is the worker's today), fed the given events over HTTP, 1,000 per request.
 */
async function httpPath(events: readonly WireEvent[]) {
  const h = await testApp({ now: new Date().toISOString() });
  const service = await h.token('service', 'http-path');
  const admin = await h.token('admin', 'http-path');
  const post = async (batch: readonly WireEvent[]) => {
    const r = await h.post('/v1/events', batch, service);
    assert.equal(r.statusCode, 200, r.body);
    return r.json() as { accepted: number; duplicate: number; rejected: number };
  };
  for (const batch of batchesOf(events, 1000)) assert.equal((await post(batch)).accepted, batch.length, 'the HTTP path takes every event');
  return {
    post,
    updates: h.updates,
    read: async (path: string): Promise<Answer> => {
      const r = await h.get(path, admin);
      return { status: r.statusCode, body: r.json() };
    },
    close: () => h.app.close(),
  };
}

type HttpPath = Awaited<ReturnType<typeof httpPath>>;

const studentReads = (id: string) => [
  `/v1/students/${id}/mastery?as_of=${AS_OF}`,
  `/v1/students/${id}/history?as_of=${AS_OF}`,
  `/v1/students/${id}/prediction?as_of=${AS_OF}`,
];

const studentsOf = (events: readonly WireEvent[]) => [...new Set(events.map((e) => e.student_id))].sort();

/**
 * Reads every student's mastery, history and prediction (as of AS_OF), and the class list, from
 * a `mastery serve` and from the HTTP path; asserts they are the same, naming how many differ.
 */
async function assertSameResults(serveUrl: string, token: string, expected: HttpPath, students: readonly string[]): Promise<number> {
  const paths = [...students.flatMap(studentReads), `/v1/students?as_of=${AS_OF}&limit=1000`];
  const served: Answer[] = [];
  for (const group of batchesOf(paths, 25)) served.push(...(await Promise.all(group.map((p) => getJson(`${serveUrl}${p}`, token)))));
  const wanted = await Promise.all(paths.map((p) => expected.read(p)));
  const differing = paths.filter((_, k) => JSON.stringify(served[k]) !== JSON.stringify(wanted[k]));
  for (const [k, p] of paths.entries()) {
    assert.equal(served[k]!.status, 200, `${p}: ${JSON.stringify(served[k]!.body)}`);
    assert.deepEqual(served[k], wanted[k], `${p} differs from the HTTP path (${differing.length} of ${paths.length} reads differ)`);
  }
  return paths.length;
}

// ---------------------------------------------------------------------------------------------
// Kafka plumbing

const json = (e: unknown): Buffer => Buffer.from(JSON.stringify(e));
const keyed = (events: readonly WireEvent[]): Outbound[] => events.map((e) => ({ key: e.student_id, value: json(e) }));

interface Env {
  cluster: KafkaBrokers;
  kafka: Kafka;
  producer: Producer;
  /** The scenario's own topics (`s1.mastery.requests`, …) on the file's broker. */
  topics: ServiceTopics;
  /** The brokers and topics, for the worker's (or serve's) environment. */
  workerEnv: Record<string, string>;
}

/**
 * The scenario's topics, made through the admin API on the broker this file shares (or, `own`,
 * on a broker of the scenario's own, which it may kill), a client and a keyed producer.
 */
async function kafkaEnv(name: string, onCleanup: (f: Cleanup) => void, own = false): Promise<Env> {
  const cluster = own ? await startKafkaBrokers() : await sharedKafkaBroker();
  if (own) onCleanup(() => cluster.close());
  const kafka = testKafka(cluster.brokers, `e2e-${name}`);
  const topics = serviceTopics(name);
  await createServiceTopics(kafka, topics);
  const producer = await keyedProducer(kafka);
  onCleanup(() => producer.disconnect());
  return { cluster, kafka, producer, topics, workerEnv: workerKafkaEnv(cluster.brokers, topics) };
}

async function worker(env: Record<string, string>, onCleanup: (f: Cleanup) => void): Promise<WorkerProcess> {
  const w = await startWorker({ MASTERY_JWT_SECRET: SECRET, MASTERY_RETENTION_DAYS: '36500', ...env });
  onCleanup(() => w.stop());
  return w;
}

async function recorder(kafka: Kafka, groupId: string, topics: readonly string[], onCleanup: (f: Cleanup) => void): Promise<Recorder> {
  const r = await recordTopics(kafka, groupId, topics);
  onCleanup(() => r.stop());
  return r;
}

/** Waits until the worker's group has committed everything on mastery.requests and mastery.retry. */
async function drained(env: Env, groupId: string, w: WorkerProcess, timeoutMs = 60_000, also?: () => Promise<boolean>): Promise<number> {
  const { kafka, topics: TOPIC } = env;
  return waitFor(
    async () => {
      if (hasExited(w.child)) throw new Error(`the worker exited (${w.child.signalCode ?? w.child.exitCode}):\n${w.log().slice(-4000)}`);
      return (await groupBacklog(kafka, groupId, [TOPIC.requests, TOPIC.retry])) === 0 && (also ? await also() : true);
    },
    `group ${groupId} to commit every message`,
    {
      timeoutMs,
      intervalMs: 200,
      detail: async () =>
        `backlog ${await groupBacklog(kafka, groupId, [TOPIC.requests, TOPIC.retry]).catch(String)}; worker log tail:\n${w.log().slice(-3000)}`,
    },
  );
}

/** Waits until the recorder has read every message the topics hold. */
async function caughtUp(kafka: Kafka, r: Recorder, topics: readonly string[]): Promise<void> {
  await waitFor(() => r.readToEnd(kafka, topics), `the test consumer to read ${topics.join(', ')}`, { timeoutMs: 20_000, intervalMs: 100 });
}

const decodeJson = (m: Recorded) => JSON.parse(m.value.toString('utf8')) as Record<string, unknown>;

interface DeadLetter {
  original_event: unknown;
  error: string;
  timestamp: string;
}
const deadLetterOf = (m: Recorded) => decodeJson(m) as unknown as DeadLetter;

/** The event log's counts; nothing yet while the worker, which answers its probes from its start, has not migrated the schema. */
async function logCounts(db: SqlClient): Promise<{ total: number; distinct_ids: number }> {
  try {
    const [row] = await db.query<{ total: number; distinct_ids: number }>(
      'SELECT count(*)::int AS total, count(DISTINCT event_id)::int AS distinct_ids FROM mastery_events',
    );
    return row!;
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return { total: 0, distinct_ids: 0 };
    throw error;
  }
}

async function loggedIds(db: SqlClient): Promise<Set<string>> {
  return new Set((await db.query<{ event_id: string }>('SELECT event_id::text FROM mastery_events')).map((r) => r.event_id));
}

/** How many of these events carry a processed marker, and how many their day's raw events hold, in Redis. */
async function appliedInRedis(redis: Redis, events: readonly WireEvent[]): Promise<{ marked: number; folded: number }> {
  let marked = 0;
  let folded = 0;
  for (const batch of batchesOf(events, 2000)) {
    const p = redis.pipeline();
    for (const e of batch) {
      p.exists(processedKey(e.event_id));
      p.hexists(studentKeys(e.student_id).rawEvents(e.timestamp.slice(0, 10)), e.event_id);
    }
    const replies = (await p.exec()) ?? [];
    replies.forEach(([, n], k) => {
      if (n === 1) {
        if (k % 2 === 0) marked++;
        else folded++;
      }
    });
  }
  return { marked, folded };
}

/** The fields of a mastery.updated that carry the result. */
const resultOf = (u: Pick<MasteryUpdated, 'mastery_score' | 'level' | 'components' | 'recommendations'>) => ({
  mastery_score: u.mastery_score,
  level: u.level,
  components: u.components,
  recommendations: u.recommendations,
});

/** Each student's updates, in the order of their partition (one student, one partition). */
function updatesByStudent(messages: readonly Recorded[], decode: (m: Recorded) => MasteryUpdated): Map<string, MasteryUpdated[]> {
  const sorted = [...messages].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  const by = new Map<string, MasteryUpdated[]>();
  for (const m of sorted) {
    const u = decode(m);
    assert.equal(m.key, u.student_id, 'mastery.updated is keyed by student_id');
    by.set(u.student_id, [...(by.get(u.student_id) ?? []), u]);
  }
  return by;
}

const jsonUpdate = (m: Recorded) => decodeJson(m) as unknown as MasteryUpdated;

// ---------------------------------------------------------------------------------------------
// Poison messages

interface Poison {
  key: string;
  value: Buffer | null;
  /** What the dead-letter record must carry as original_event. */
  original: unknown;
  error: RegExp;
}

const NOT_JSON = /^the message is not JSON: /;
const NOT_OBJECT = /^\(event\) must be a JSON object$/;

/** Messages the worker cannot apply: not JSON at all, JSON that is not a valid event, and one too large. */
function poisonMessages(seed: number): Poison[] {
  const random = seededRandom(seed);
  let n = 0;
  const key = () => `poison-${String(n++).padStart(2, '0')}`;
  const raw = (bytes: Buffer | null, error: RegExp): Poison => ({ key: key(), value: bytes, original: (bytes ?? Buffer.alloc(0)).toString('base64'), error });
  const invalid = (value: unknown, error: RegExp): Poison => {
    const k = key();
    const v = typeof value === 'function' ? (value as (k: string) => unknown)(k) : value;
    return { key: k, value: json(v), original: JSON.parse(JSON.stringify(v)) as unknown, error };
  };
  const event = (studentId: string, patch: Record<string, unknown> = {}) => ({
    event_id: seededUuid(random),
    event_type: 'mastery.calculation.requested',
    timestamp: '2026-01-05T10:00:00Z',
    student_id: studentId,
    component: 'completion',
    topic: 'python.loops',
    data: { total_exercises: 10, completed_exercises: 5 },
    ...patch,
  });
  const future = new Date(Date.now() + 86_400_000).toISOString();
  return [
    raw(Buffer.from('this is not JSON at all'), NOT_JSON),
    raw(Buffer.from('{"event_id":"0d6c1a5e-7b7e-4a7e-9d7e-0c1d2e3f4a5b","event_type":'), NOT_JSON),
    raw(Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80]), NOT_JSON),
    raw(Buffer.alloc(0), NOT_JSON),
    raw(null, NOT_JSON),
    invalid(42, NOT_OBJECT),
    invalid('a string', NOT_OBJECT),
    invalid([1, 2, 3], NOT_OBJECT),
    invalid(null, NOT_OBJECT),
    invalid((k: string) => event(k, { event_id: 'not-a-uuid' }), /^event_id is not a UUID$/),
    invalid((k: string) => event(k, { event_type: 'mastery.unknown' }), /^event_type must be one of: /),
    invalid((k: string) => event(k, { component: 'speed' }), /^component must be one of: /),
    invalid(
      (k: string) => event(k, { data: { total_exercises: 10, completed_exercises: 11 } }),
      /^data\.completed_exercises must not exceed data\.total_exercises/,
    ),
    invalid((k: string) => event(k, { data: { total_exercises: 10, completed_exercises: 5, bonus: 1 } }), /^data\.bonus is not an allowed field$/),
    invalid(() => event('has a space'), /^student_id must be 1–64 characters/),
    invalid((k: string) => event(k, { timestamp: future }), /^timestamp must not be more than 5 minutes in the future$/),
    invalid((k: string) => event(k, { timestamp: '2026-01-05 10:00:00' }), /^timestamp must be an RFC 3339 date-time with an offset/),
    invalid(
      (k: string) => event(k, { component: 'quality', data: { avg_code_quality: 0.5, correctness: 1.5, efficiency: 0.5 } }),
      /^data\.correctness must be <= 1$/,
    ),
    invalid((k: string) => {
      const e: Record<string, unknown> = event(k);
      delete e.event_id;
      return e;
    }, /^event_id is required$/),
    invalid((k: string) => event(k, { metadata: { source: 42 } }), /^metadata\.source must be string$/),
    invalid(
      (k: string) => event(k, { event_type: 'activity.recorded', component: undefined, data: { minutes: 5 } }),
      /^data\.minutes is not an allowed field$/,
    ),
    // A valid event but for its size: 17,000 bytes of metadata.
    invalid((k: string) => event(k, { metadata: { source: 'padding', note: 'x'.repeat(17_000) } }), /^\(event\) is \d+ bytes; at most 16384 are allowed$/),
  ];
}

/** `insert` spread over `into` at seeded positions (the order of `insert` is kept). */
function interleave<T>(into: readonly T[], insert: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const slots = insert.map((item) => ({ at: Math.floor(random() * (into.length + 1)), item }));
  slots.sort((a, b) => a.at - b.at);
  const out: T[] = [];
  let s = 0;
  for (let i = 0; i <= into.length; i++) {
    while (s < slots.length && slots[s]!.at === i) out.push(slots[s++]!.item);
    if (i < into.length) out.push(into[i]!);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

// The scenarios run side by side: most of their time is spent waiting (a consumer group's
// first join, a restarted worker's rejoin, back-offs), and each has its stores and topics to itself.
describe('mastery worker on Kafka, end to end', { concurrency: true }, () => {
  let admin: string;
  let service: string;

  before(async () => {
    admin = await signHs256(SECRET, { role: 'admin', sub: 'kafka-e2e-admin' });
    service = await signHs256(SECRET, { role: 'service', sub: 'kafka-e2e-producer' });
  });

  describe('1 and 7. 20,000 events with duplicates and poison messages (PostgreSQL + Redis)', { concurrency: 1 }, () => {
    const stack = cleanupStack();
    const GROUP = 'e2e-s1';
    const REDIS = REDIS_S1;
    let env: Env;
    let TOPIC: ServiceTopics;
    let w: WorkerProcess;
    let rec: Recorder;
    let db: SqlClient;
    let redis: Redis;
    let schemaUrl: string;
    let valid: WireEvent[];
    let followUp: WireEvent[];
    let poison: Poison[];
    let duplicates: number;
    let expected: HttpPath;
    let followUpUpdates: MasteryUpdated[];
    let followUpRecorded: Recorded[];
    let mainUpdates: Recorded[];
    const metricsDuringRun: string[] = [];
    let finalMetrics = '';
    const timings: Record<string, number> = {};

    before(
      async () => {
        const started = Date.now();
        const schema = await freshSchema();
        stack.add(() => schema.drop());
        schemaUrl = schema.url;
        redis = new Redis(REDIS);
        stack.add(() => redis.quit());
        await redis.flushdb();
        stack.add(() => redis.flushdb());
        env = await kafkaEnv('s1', stack.add);
        TOPIC = env.topics;
        db = await openPostgres(schema.url);
        stack.add(() => db.close());

        const generated = seededClass({ seed: 20_260_101, prefix: 'k1', students: 200, topics: TOPICS, days: januaryDays(10), density: 0.55 });
        valid = seededShuffle(generated, 11).slice(0, 20_000);
        assert.equal(valid.length, 20_000, `the generator gave ${generated.length} events`);
        assert.equal(studentsOf(valid).length, 200);
        assert.deepEqual([...new Set(valid.map((e) => e.component ?? e.event_type))].sort(), [
          'activity.recorded',
          'completion',
          'consistency',
          'quality',
          'quiz',
        ]);
        // 2 %: 400 events sent a second time, each somewhere after its first sending.
        const random = seededRandom(12);
        const resent = new Set<number>();
        while (resent.size < 400) resent.add(Math.floor(random() * valid.length));
        duplicates = resent.size;
        const positioned = valid.map((e, i) => ({ at: i, e }));
        for (const i of resent) positioned.push({ at: i + 0.5 + random() * (valid.length - i), e: valid[i]! });
        positioned.sort((a, b) => a.at - b.at);
        poison = poisonMessages(13);
        const messages = interleave(
          keyed(positioned.map((p) => p.e)),
          poison.map((p) => ({ key: p.key, value: p.value })),
          14,
        );

        [rec, w] = await Promise.all([
          recorder(env.kafka, 'e2e-s1-recorder', [TOPIC.updated, TOPIC.dlq, TOPIC.retry], stack.add),
          worker({ ...env.workerEnv, MASTERY_KAFKA_GROUP_ID: GROUP, MASTERY_DATABASE_URL: schema.url, MASTERY_REDIS_URL: REDIS }, stack.add),
        ]);
        timings.setup = Date.now() - started;

        const t0 = Date.now();
        await produce(env.producer, TOPIC.requests, messages, 500);
        timings.produce = Date.now() - t0;
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            const m = await fetchText(`${w.url}/metrics`).catch(() => undefined);
            if (m?.status === 200) metricsDuringRun.push(m.text);
            await new Promise((resolve) => setTimeout(resolve, 150));
          }
        })();
        try {
          await drained(env, GROUP, w, 90_000, async () => (await logCounts(db)).total >= valid.length);
        } finally {
          sampling = false;
          await sampler;
        }
        timings.applied = Date.now() - t0;
        await caughtUp(env.kafka, rec, [TOPIC.updated, TOPIC.dlq, TOPIC.retry]);
        mainUpdates = [...rec.of(TOPIC.updated)];

        // The HTTP path, fed the same valid events.
        const t1 = Date.now();
        expected = await httpPath(valid);
        stack.add(() => expected.close());
        timings.httpPath = Date.now() - t1;

        // One more batch, sent in one request: six students, five new events each on a new day.
        followUp = seededClass({ seed: 99, prefix: 'k1', students: 6, topics: ['python.loops'], days: ['2026-01-11'], density: 1 });
        const before = new Set(rec.of(TOPIC.updated).map((m) => `${m.partition}:${m.offset}`));
        const expectedBefore = expected.updates.length;
        await env.producer.send({ topic: TOPIC.requests, messages: keyed(followUp).map((m) => ({ key: m.key, value: m.value })) });
        await drained(env, GROUP, w, 30_000, async () => (await logCounts(db)).total >= valid.length + followUp.length);
        await caughtUp(env.kafka, rec, [TOPIC.updated, TOPIC.dlq, TOPIC.retry]);
        followUpRecorded = rec.of(TOPIC.updated).filter((m) => !before.has(`${m.partition}:${m.offset}`));
        await expected.post(followUp);
        followUpUpdates = expected.updates.slice(expectedBefore);
        finalMetrics = (await fetchText(`${w.url}/metrics`)).text;
        timings.total = Date.now() - started;
      },
      { timeout: 180_000 },
    );

    after(() => stack.run());

    it('applies every valid event exactly once: the PostgreSQL log holds count = distinct = valid events', async (t) => {
      t.diagnostic(`timings (ms): ${JSON.stringify(timings)}; ${valid.length} valid + ${duplicates} re-sent + ${poison.length} poison messages`);
      const counts = await logCounts(db);
      assert.deepEqual(counts, { total: valid.length + followUp.length, distinct_ids: valid.length + followUp.length });
      const ids = await loggedIds(db);
      const missing = [...valid, ...followUp].filter((e) => !ids.has(e.event_id));
      assert.equal(missing.length, 0, `${missing.length} valid events are missing from the log`);
      const applied = await appliedInRedis(redis, [...valid, ...followUp]);
      assert.deepEqual(applied, { marked: valid.length + followUp.length, folded: valid.length + followUp.length }, 'every event is applied to Redis state');
      assert.equal(rec.of(TOPIC.retry).length, 0, 'nothing went to the retry topic');
    });

    it('dead-letters every poison message exactly once, with its error; not-JSON ones with their raw bytes in base64', () => {
      const dlq = rec.of(TOPIC.dlq);
      const byKey = new Map<string, Recorded[]>();
      for (const m of dlq) byKey.set(m.key ?? '(null)', [...(byKey.get(m.key ?? '(null)') ?? []), m]);
      const strays = [...byKey.keys()].filter((k) => !poison.some((p) => p.key === k));
      assert.deepEqual(strays, [], 'only poison messages are dead-lettered');
      for (const p of poison) {
        const got = byKey.get(p.key) ?? [];
        assert.equal(got.length, 1, `${p.key} is dead-lettered ${got.length} times`);
        const record = deadLetterOf(got[0]!);
        assert.deepEqual(Object.keys(record).sort(), ['error', 'original_event', 'timestamp']);
        assert.deepEqual(record.original_event, p.original, `${p.key}: original_event`);
        assert.match(record.error, p.error, `${p.key}: error`);
        assert.ok(!Number.isNaN(Date.parse(record.timestamp)), `${p.key}: timestamp ${record.timestamp}`);
      }
      assert.equal(dlq.length, poison.length);
    });

    it("every student's mastery, history and prediction (as of 2026-01-20) equal the HTTP path's, read with mastery serve on the same stores", async (t) => {
      const server = await startServer({ MASTERY_JWT_SECRET: SECRET, MASTERY_DATABASE_URL: schemaUrl, MASTERY_REDIS_URL: REDIS });
      try {
        const started = Date.now();
        const reads = await assertSameResults(server.url, admin, expected, studentsOf(valid));
        t.diagnostic(`${reads} reads compared in ${Date.now() - started} ms`);
      } finally {
        await server.stop();
      }
    });

    it('publishes one mastery.updated per changed student per batch: at least one per student, none for anyone else', async (t) => {
      const students = new Set(studentsOf(valid));
      const by = updatesByStudent(mainUpdates, jsonUpdate);
      const strays = [...by.keys()].filter((id) => !students.has(id));
      assert.deepEqual(strays, [], 'no update names a student without a valid event');
      const without = [...students].filter((id) => !by.has(id));
      assert.deepEqual(without, [], 'every student has at least one update');
      const batches = metricValue(finalMetrics, 'mastery_batch_duration_seconds_count', { source: 'kafka' });
      const most = Math.max(...[...by.values()].map((u) => u.length));
      assert.ok(most <= batches, `a student has ${most} updates, more than the ${batches} batches the worker handled`);
      t.diagnostic(
        `${mainUpdates.length} updates for ${by.size} students over ${batches} batches (at most ${most} for one student) from ${valid.length + duplicates} events`,
      );
      // The last update of each student carries the result as of today, as the HTTP path has it
      // for the same events (before the follow-up batch, which changed six students).
      const changedLater = new Set(followUp.map((e) => e.student_id));
      for (const [id, updates] of by) {
        if (changedLater.has(id)) continue;
        const now = await expected.read(`/v1/students/${id}/mastery`);
        assert.deepEqual(resultOf(updates.at(-1)!), resultOf(now.body as MasteryUpdated), `the last update of ${id}`);
      }

      // The follow-up batch (one request, six students): exactly one update for each student
      // whose result changed, as the HTTP path publishes for the same batch, and no other.
      assert.ok(followUpUpdates.length > 0, 'the follow-up batch changes some students');
      const got = followUpRecorded.map(jsonUpdate);
      assert.deepEqual(got.map((u) => u.student_id).sort(), followUpUpdates.map((u) => u.student_id).sort());
      for (const u of got) {
        const wanted = followUpUpdates.find((x) => x.student_id === u.student_id)!;
        assert.deepEqual(resultOf(u), resultOf(wanted), `the follow-up update of ${u.student_id}`);
        assert.equal(u.event_type, 'mastery.updated');
      }
    });

    it('7. /metrics shows mastery_events_total by outcome, mastery_batch_duration_seconds and mastery_consumer_lag', (t) => {
      const m = finalMetrics;
      const events = (outcome: string) => metricValue(m, 'mastery_events_total', { source: 'kafka', outcome });
      assert.equal(events('accepted'), valid.length + followUp.length);
      assert.equal(events('duplicate'), duplicates);
      assert.equal(events('invalid'), poison.length);
      assert.equal(events('dead_lettered'), poison.length);
      assert.equal(events('retried'), 0);
      assert.match(m, /^# TYPE mastery_batch_duration_seconds histogram$/m);
      const count = metricValue(m, 'mastery_batch_duration_seconds_count', { source: 'kafka' });
      assert.ok(count >= 1, 'batches were timed');
      assert.ok(metricValue(m, 'mastery_batch_duration_seconds_sum', { source: 'kafka' }) > 0);
      const buckets = metricSamples(m, 'mastery_batch_duration_seconds_bucket').filter((s) => s.labels.source === 'kafka');
      assert.equal(buckets.find((s) => s.labels.le === '+Inf')?.value, count);
      const lag = metricSamples(m, 'mastery_consumer_lag').filter((s) => s.labels.topic === TOPIC.requests);
      assert.deepEqual(lag.map((s) => s.labels.partition).sort(), ['0', '1', '2', '3', '4', '5'], 'a lag for every partition of mastery.requests');
      assert.deepEqual(
        lag.map((s) => s.value),
        [0, 0, 0, 0, 0, 0],
        'nothing left behind at the end',
      );
      const peak = Math.max(0, ...metricsDuringRun.flatMap((text) => metricSamples(text, 'mastery_consumer_lag').map((s) => s.value)));
      t.diagnostic(`${metricsDuringRun.length} /metrics samples during the run; the highest lag seen: ${peak}; ${count} batches`);
      assert.ok(peak > 0, 'while the run was going on, /metrics showed a lag');
    });

    it('stops on SIGTERM: exits with code 0, every offset committed', async () => {
      const started = Date.now();
      assert.equal(await w.stop(), 'graceful', `the worker did not exit within 10 s of SIGTERM:\n${w.log().slice(-2000)}`);
      assert.equal(w.child.exitCode, 0, w.log().slice(-2000));
      assert.ok(Date.now() - started < 10_000);
      assert.equal(await groupBacklog(env.kafka, GROUP, [TOPIC.requests, TOPIC.retry]), 0);
    });
  });

  describe("2. a state store that fails mid-stream (a redis-server of the test's own, killed and started again)", { concurrency: true }, () => {
    it('2a. while Redis is down, batches go to mastery.retry with retry_count; once it is back they are applied', { timeout: 150_000 }, async (t) => {
      const onCleanup = cleanupsOf(t);
      const GROUP = 'e2e-s2a';
      const schema = await freshSchema();
      onCleanup(() => schema.drop());
      const store = await startRedisServer();
      onCleanup(() => store.kill());
      const env = await kafkaEnv('s2a', onCleanup);
      const TOPIC = env.topics;
      const db = await openPostgres(schema.url);
      onCleanup(() => db.close());
      const [rec, w] = await Promise.all([
        recorder(env.kafka, 'e2e-s2a-recorder', [TOPIC.retry, TOPIC.dlq, TOPIC.updated], onCleanup),
        worker(
          {
            ...env.workerEnv,
            MASTERY_KAFKA_GROUP_ID: GROUP,
            MASTERY_DATABASE_URL: schema.url,
            MASTERY_REDIS_URL: store.url,
            MASTERY_KAFKA_RETRY_BACKOFF_MS: '1000',
          },
          onCleanup,
        ),
      ]);

      const first = seededClass({ seed: 21, prefix: 'r', students: 20, topics: TOPICS.slice(0, 2), days: januaryDays(5), density: 0.6 });
      await produce(env.producer, TOPIC.requests, keyed(first));
      await drained(env, GROUP, w, 30_000, async () => (await logCounts(db)).total === first.length);

      await store.kill();
      const downAt = Date.now();
      await waitFor(async () => (await fetchText(`${w.url}/readyz`)).status === 503, '/readyz to answer 503 while Redis is down', {
        timeoutMs: 15_000,
        intervalMs: 200,
      });
      // Half of these students are known (r-010…r-019), half are new (r-020…r-029).
      const second = seededClass({ seed: 22, prefix: 'r', students: 30, topics: TOPICS.slice(1, 3), days: januaryDays(6).slice(3), density: 0.5 }).filter(
        (e) => e.student_id >= 'r-010',
      );
      const secondIds = new Set(second.map((e) => e.event_id));
      const retriedOf = () => rec.of(TOPIC.retry).filter((m) => secondIds.has(String(decodeJson(m).event_id)));
      await produce(env.producer, TOPIC.requests, keyed(second));
      // Redis stays down until every event was retried, or for 2 s after the first retry: well
      // inside the three back-offs (1 + 2 + 4 s) after which the worker would give up.
      const retriedIds = () => new Set(retriedOf().map((m) => decodeJson(m).event_id));
      let firstRetryAt = 0;
      await waitFor(
        () => {
          const n = retriedIds().size;
          if (n > 0 && firstRetryAt === 0) firstRetryAt = Date.now();
          return n === second.length || (n > 0 && Date.now() - firstRetryAt > 2_000);
        },
        'the second batch on mastery.retry',
        { timeoutMs: 30_000, detail: () => `${retriedIds().size} of ${second.length} retried, ${rec.of(TOPIC.dlq).length} dead-lettered` },
      );
      const retriedWhileDown = retriedIds().size;
      // Taken while Redis is down, when no update of the second batch can have been published: a
      // worker that applies a chunk the moment Redis is back must not have its update counted as before.
      const updatesBefore = new Set(rec.of(TOPIC.updated).map((m) => `${m.partition}:${m.offset}`));
      await store.restart();
      const downMs = Date.now() - downAt;
      const redis = new Redis(store.url);
      onCleanup(() => redis.quit());
      const recoveredIn = await drained(env, GROUP, w, 30_000, async () => (await appliedInRedis(redis, second)).marked === second.length);
      await caughtUp(env.kafka, rec, [TOPIC.retry, TOPIC.dlq, TOPIC.updated]);

      // On the retry topic: each event as it was sent, with retry_count (body and header), keyed by student.
      const retried = retriedOf();
      const tries = new Map<string, number[]>();
      for (const m of retried) {
        const body = decodeJson(m);
        const event = second.find((e) => e.event_id === body.event_id)!;
        const n = Number(body.retry_count);
        assert.deepEqual(body, { ...event, retry_count: n });
        assert.equal(m.headers['retry-count'], String(n));
        assert.equal(m.key, event.student_id);
        tries.set(event.event_id, [...(tries.get(event.event_id) ?? []), n]);
      }
      assert.ok(tries.size > 0, 'events went to the retry topic while Redis was down');
      for (const [id, ns] of tries) {
        assert.deepEqual(
          ns.sort(),
          Array.from({ length: ns.length }, (_, i) => i + 1),
          `retry counts of ${id}`,
        );
        assert.ok(ns.length <= 3, `${id} was retried ${ns.length} times`);
      }
      assert.equal(rec.of(TOPIC.retry).length, retried.length, 'only events of the batch sent while Redis was down were retried');
      assert.equal(rec.of(TOPIC.dlq).length, 0, 'nothing was dead-lettered');

      // Applied once Redis was back: in the log once each, in Redis state, and published.
      assert.deepEqual(await logCounts(db), { total: first.length + second.length, distinct_ids: first.length + second.length });
      assert.deepEqual(await appliedInRedis(redis, second), { marked: second.length, folded: second.length });
      const updatedAfter = new Set(
        rec
          .of(TOPIC.updated)
          .filter((m) => !updatesBefore.has(`${m.partition}:${m.offset}`))
          .map((m) => m.key),
      );
      assert.deepEqual(
        studentsOf(second).filter((id) => !updatedAfter.has(id)),
        [],
        'every student of the retried batch got a mastery.updated',
      );
      assert.equal((await fetchText(`${w.url}/readyz`)).status, 200);

      const expected = await httpPath([...first, ...second]);
      onCleanup(() => expected.close());
      const server = await startServer({ MASTERY_JWT_SECRET: SECRET, MASTERY_DATABASE_URL: schema.url, MASTERY_REDIS_URL: store.url });
      onCleanup(() => server.stop());
      await assertSameResults(server.url, admin, expected, studentsOf([...first, ...second]));
      const histogram = [1, 2, 3].map((n) => `retry_count ${n}: ${retried.filter((m) => decodeJson(m).retry_count === n).length}`).join(', ');
      t.diagnostic(
        `Redis down ${downMs} ms; ${retriedWhileDown} of the ${second.length} events sent meanwhile were on mastery.retry when it came back, ` +
          `${tries.size} in the end (${histogram}); all applied ${recoveredIn} ms after Redis was back`,
      );
    });

    it('2b. Redis down for longer than three back-offs: the messages end in mastery.dlq with "gave up after 3 retries"', { timeout: 150_000 }, async (t) => {
      const onCleanup = cleanupsOf(t);
      const GROUP = 'e2e-s2b';
      const BACKOFF = 200;
      const schema = await freshSchema();
      onCleanup(() => schema.drop());
      const store = await startRedisServer();
      onCleanup(() => store.kill());
      const env = await kafkaEnv('s2b', onCleanup);
      const TOPIC = env.topics;
      const db = await openPostgres(schema.url);
      onCleanup(() => db.close());
      const [rec, w] = await Promise.all([
        recorder(env.kafka, 'e2e-s2b-recorder', [TOPIC.retry, TOPIC.dlq], onCleanup),
        worker(
          {
            ...env.workerEnv,
            MASTERY_KAFKA_GROUP_ID: GROUP,
            MASTERY_DATABASE_URL: schema.url,
            MASTERY_REDIS_URL: store.url,
            MASTERY_KAFKA_RETRY_BACKOFF_MS: String(BACKOFF),
          },
          onCleanup,
        ),
      ]);
      const first = seededClass({ seed: 23, prefix: 'g', students: 10, topics: ['python.loops'], days: januaryDays(4), density: 0.6 });
      await produce(env.producer, TOPIC.requests, keyed(first));
      await drained(env, GROUP, w, 30_000, async () => (await logCounts(db)).total === first.length);

      await store.kill();
      const doomed = seededClass({ seed: 24, prefix: 'g', students: 8, topics: ['python.lists'], days: januaryDays(4), density: 0.6 });
      const doomedIds = new Set(doomed.map((e) => e.event_id));
      const sentAt = Date.now();
      await produce(env.producer, TOPIC.requests, keyed(doomed));
      const deadOf = () => rec.of(TOPIC.dlq).filter((m) => doomedIds.has(String((deadLetterOf(m).original_event as { event_id?: string }).event_id)));
      await waitFor(() => deadOf().length >= doomed.length, 'every event sent while Redis is down to be dead-lettered', {
        timeoutMs: 45_000,
        intervalMs: 100,
        detail: () => `${deadOf().length} of ${doomed.length} dead-lettered, ${rec.of(TOPIC.retry).length} retry messages`,
      });
      const gaveUpAfter = Date.now() - sentAt;
      const phases = [1, 2, 3].map((n) => {
        const at = rec
          .of(TOPIC.retry)
          .filter((m) => decodeJson(m).retry_count === n)
          .map((m) => m.seenAt - sentAt);
        return `retry_count ${n} seen ${Math.min(...at)}–${Math.max(...at)} ms`;
      });
      const deadAt = deadOf().map((m) => m.seenAt - sentAt);
      phases.push(`dead-lettered ${Math.min(...deadAt)}–${Math.max(...deadAt)} ms after the send`);
      assert.equal(store.running(), false, 'Redis stayed down all along');
      await store.restart();

      const dead = deadOf();
      const seen = new Map<string, number>();
      for (const m of dead) {
        const record = deadLetterOf(m);
        const original = record.original_event as WireEvent & { retry_count: number };
        const event = doomed.find((e) => e.event_id === original.event_id)!;
        seen.set(event.event_id, (seen.get(event.event_id) ?? 0) + 1);
        assert.match(record.error, /^gave up after 3 retries: /);
        assert.deepEqual(original, { ...event, retry_count: 3 });
        assert.equal(m.key, event.student_id);
      }
      assert.deepEqual(
        [...seen.values()].filter((n) => n !== 1),
        [],
        'each event is dead-lettered exactly once',
      );
      assert.equal(seen.size, doomed.length);
      const retries = new Map<string, number[]>();
      for (const m of rec.of(TOPIC.retry)) {
        const body = decodeJson(m);
        retries.set(String(body.event_id), [...(retries.get(String(body.event_id)) ?? []), Number(body.retry_count)]);
        assert.equal(m.headers['retry-count'], String(body.retry_count));
      }
      for (const e of doomed) assert.deepEqual(retries.get(e.event_id)?.sort(), [1, 2, 3], `the retries of ${e.event_id}`);
      assert.ok(gaveUpAfter >= BACKOFF + 2 * BACKOFF + 4 * BACKOFF, `gave up after ${gaveUpAfter} ms, before three back-offs`);

      // Redis is back: the worker goes on with new events.
      const later = seededClass({ seed: 25, prefix: 'h', students: 5, topics: ['python.loops'], days: januaryDays(3), density: 0.6 });
      const redis = new Redis(store.url);
      onCleanup(() => redis.quit());
      await produce(env.producer, TOPIC.requests, keyed(later));
      await drained(env, GROUP, w, 30_000, async () => (await appliedInRedis(redis, later)).marked === later.length);
      const logged = await loggedIds(db);
      const inLog = doomed.filter((e) => logged.has(e.event_id)).length;
      const applied = await appliedInRedis(redis, doomed);
      t.diagnostic(
        `${phases.join('; ')}; of the ${doomed.length} dead-lettered events ${inLog} are nonetheless in the PostgreSQL event log ` +
          `(appended before the state store failed) and ${applied.marked} are marked processed in Redis`,
      );
    });
  });

  it('3. kill -9 after at least 20 % of a run, then a restart: nothing lost, nothing counted twice, results equal a clean single pass', {
    timeout: 150_000,
  }, async (t) => {
    const onCleanup = cleanupsOf(t);
    const GROUP = 'e2e-s3';
    const REDIS = await redisDb(8);
    const schema = await freshSchema();
    onCleanup(() => schema.drop());
    const redis = new Redis(REDIS);
    onCleanup(() => redis.quit());
    await redis.flushdb();
    onCleanup(() => redis.flushdb());
    const env = await kafkaEnv('s3', onCleanup);
    const TOPIC = env.topics;
    const db = await openPostgres(schema.url);
    onCleanup(() => db.close());
    // The workers' connections carry a name of their own, so the test can see when the killed
    // one's last transaction has ended on the server (see atKill below).
    const workerUrl = new URL(schema.url);
    workerUrl.searchParams.set('application_name', `${GROUP}-${randomUUID().slice(0, 8)}`);
    const workerEnv = { ...env.workerEnv, MASTERY_KAFKA_GROUP_ID: GROUP, MASTERY_DATABASE_URL: workerUrl.toString(), MASTERY_REDIS_URL: REDIS };

    const events = seededClass({ seed: 33, prefix: 'k3', students: 80, topics: TOPICS.slice(0, 3), days: januaryDays(10), density: 0.6 });
    const total = events.length;
    await produce(env.producer, TOPIC.requests, keyed(seededShuffle(events, 34)));
    const first = await worker(workerEnv, onCleanup);
    await waitFor(async () => (await logCounts(db)).total >= 0.2 * total, '20 % of the events in the log', { timeoutMs: 60_000, intervalMs: 5 });
    // A statement the killed worker had sent still runs to its end on the server (its append
    // commits or rolls back there): the log is what the killed worker left only once none of
    // its connections is left.
    const workerConnections = async () =>
      Number(
        (
          await db.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [
            workerUrl.searchParams.get('application_name'),
          ])
        )[0]!.n,
      );
    assert.ok((await workerConnections()) > 0, 'the worker connects under its own application_name');
    await first.kill();
    assert.equal(first.child.signalCode, 'SIGKILL');
    await waitFor(async () => (await workerConnections()) === 0, "the killed worker's connections closed on the server", { timeoutMs: 30_000, intervalMs: 20 });
    const atKill = (await logCounts(db)).total;
    const committed = total - (await groupBacklog(env.kafka, GROUP, [TOPIC.requests]));
    assert.ok(atKill < total, `the run ended (${atKill}/${total}) before the kill`);

    const restartedAt = Date.now();
    const second = await worker(workerEnv, onCleanup);
    const finishedIn = await drained(env, GROUP, second, 90_000, async () => (await logCounts(db)).total === total);
    const resumedIn = Date.now() - restartedAt;

    assert.deepEqual(await logCounts(db), { total, distinct_ids: total }, 'every event once in the log');
    const ids = await loggedIds(db);
    assert.equal(events.filter((e) => !ids.has(e.event_id)).length, 0, 'no event is missing');
    assert.deepEqual(await appliedInRedis(redis, events), { marked: total, folded: total }, 'every event applied to Redis state');
    const m = (await fetchText(`${second.url}/metrics`)).text;
    const accepted = metricValue(m, 'mastery_events_total', { source: 'kafka', outcome: 'accepted' });
    const duplicate = metricValue(m, 'mastery_events_total', { source: 'kafka', outcome: 'duplicate' });
    assert.equal(accepted, total - atKill, 'the restarted worker appended exactly what the killed one had not');
    assert.equal(accepted + duplicate, total - committed, 'it read again exactly what was not committed');

    const expected = await httpPath(events);
    onCleanup(() => expected.close());
    const server = await startServer({ MASTERY_JWT_SECRET: SECRET, MASTERY_DATABASE_URL: schema.url, MASTERY_REDIS_URL: REDIS });
    onCleanup(() => server.stop());
    await assertSameResults(server.url, admin, expected, studentsOf(events));
    t.diagnostic(
      `${total} events; killed with ${atKill} in the log (${Math.round((100 * atKill) / total)} %), ${committed} committed; ` +
        `the restarted worker re-read ${accepted + duplicate} (${duplicate} already logged) and finished ${resumedIn} ms after its start (drain wait ${finishedIn} ms)`,
    );
  });

  it('4. the broker killed with -9 and started again: the worker recovers by itself and applies what was produced meanwhile and after', {
    timeout: 150_000,
  }, async (t) => {
    const onCleanup = cleanupsOf(t);
    const GROUP = 'e2e-s4';
    const schema = await freshSchema();
    onCleanup(() => schema.drop());
    const env = await kafkaEnv('s4', onCleanup, true);
    const TOPIC = env.topics;
    const db = await openPostgres(schema.url);
    onCleanup(() => db.close());
    const [rec, w] = await Promise.all([
      recorder(env.kafka, 'e2e-s4-recorder', [TOPIC.updated], onCleanup),
      worker({ ...env.workerEnv, MASTERY_KAFKA_GROUP_ID: GROUP, MASTERY_DATABASE_URL: schema.url }, onCleanup),
    ]);
    const before = seededClass({ seed: 41, prefix: 'b', students: 30, topics: TOPICS.slice(0, 2), days: januaryDays(5), density: 0.5 });
    await produce(env.producer, TOPIC.requests, keyed(before));
    await drained(env, GROUP, w, 30_000, async () => (await logCounts(db)).total === before.length);
    await caughtUp(env.kafka, rec, [TOPIC.updated]);
    const updatesBefore = rec.of(TOPIC.updated).length;

    const kafkaLines = () =>
      w
        .log()
        .split('\n')
        .filter((l) => /"kafka"/.test(l)).length;
    const linesBefore = kafkaLines();
    await env.cluster.kill(1);
    const downAt = Date.now();
    // A producer that sends while the broker is dead: its send completes once it is back.
    const during = seededClass({ seed: 42, prefix: 'bd', students: 10, topics: TOPICS.slice(0, 2), days: januaryDays(5), density: 0.5 });
    const sending = produce(env.producer, TOPIC.requests, keyed(during));
    // The worker has met the outage (KafkaJS logs its failed requests) and is still there.
    await waitFor(() => kafkaLines() > linesBefore || hasExited(w.child), 'the worker to notice the broker is gone', { timeoutMs: 60_000 });
    assert.ok(!hasExited(w.child), `the worker exited while the broker was down:\n${w.log().slice(-3000)}`);
    await env.cluster.start(1);
    const downMs = Date.now() - downAt;
    await sending;
    const upAt = Date.now();
    const afterwards = seededClass({ seed: 43, prefix: 'ba', students: 10, topics: TOPICS.slice(0, 2), days: januaryDays(5), density: 0.5 });
    await produce(env.producer, TOPIC.requests, keyed(afterwards));
    const all = [...before, ...during, ...afterwards];
    await drained(env, GROUP, w, 60_000, async () => (await logCounts(db)).total === all.length);
    const recoveredIn = Date.now() - upAt;
    await caughtUp(env.kafka, rec, [TOPIC.updated]);

    assert.deepEqual(await logCounts(db), { total: all.length, distinct_ids: all.length });
    const newly = new Set(
      rec
        .of(TOPIC.updated)
        .slice(updatesBefore)
        .map((m) => m.key),
    );
    assert.deepEqual(
      studentsOf([...during, ...afterwards]).filter((id) => !newly.has(id)),
      [],
      'every student sent during or after the outage got an update',
    );
    assert.ok(!hasExited(w.child), 'the worker is still running');
    const m = (await fetchText(`${w.url}/metrics`)).text;
    assert.equal(metricValue(m, 'mastery_events_total', { source: 'kafka', outcome: 'accepted' }), all.length);
    const kafkaErrors = kafkaLines();
    t.diagnostic(`broker down ${downMs} ms; everything applied ${recoveredIn} ms after they came back; ${kafkaErrors} KafkaJS log lines`);
  });

  it('5. Avro: events encoded with encodeEvent are applied, and mastery.updated decodes with decodeUpdate', { timeout: 150_000 }, async (t) => {
    const onCleanup = cleanupsOf(t);
    const GROUP = 'e2e-s5';
    const codec = avroCodec({ event: 1, updated: 2 });
    const env = await kafkaEnv('s5', onCleanup);
    const TOPIC = env.topics;
    const [rec, w] = await Promise.all([
      recorder(env.kafka, 'e2e-s5-recorder', [TOPIC.updated, TOPIC.dlq], onCleanup),
      worker({ ...env.workerEnv, MASTERY_KAFKA_GROUP_ID: GROUP, MASTERY_DATA_DIR: ':memory:', MASTERY_KAFKA_ENCODING: 'avro' }, onCleanup),
    ]);
    const random = seededRandom(51);
    // With every optional field left out: no topic, no metadata, no difficulty, no quiz timing.
    const sparse: WireEvent[] = ['av-000', 'av-001', 'av-900'].flatMap((id) => [
      {
        event_id: seededUuid(random),
        event_type: 'mastery.calculation.requested',
        timestamp: '2026-01-07T08:00:00Z',
        student_id: id,
        component: 'completion',
        data: { total_exercises: 12, completed_exercises: 9 },
      },
      {
        event_id: seededUuid(random),
        event_type: 'mastery.calculation.requested',
        timestamp: '2026-01-07T09:00:00Z',
        student_id: id,
        component: 'quiz',
        data: { total_questions: 10, correct_answers: 7 },
      },
      { event_id: seededUuid(random), event_type: 'activity.recorded', timestamp: '2026-01-08T09:00:00+01:00', student_id: id, data: {} },
    ]);
    const events = [...seededClass({ seed: 52, prefix: 'av', students: 12, topics: TOPICS.slice(0, 2), days: januaryDays(5), density: 0.6 }), ...sparse];
    const notAvro = Buffer.from(JSON.stringify(events[0]));
    const otherSchema = Buffer.from(codec.encodeEvent(events[1]!));
    otherSchema.writeInt32BE(7, 1);
    const poison = [
      { key: 'poison-json', value: notAvro, error: /not a LearningEvent in Avro.*magic byte/ },
      { key: 'poison-schema', value: otherSchema, error: /schema id 7/ },
    ];
    const messages = interleave(
      events.map((e) => ({ key: e.student_id, value: codec.encodeEvent(e) })),
      poison.map((p) => ({ key: p.key, value: p.value })),
      53,
    );
    await produce(env.producer, TOPIC.requests, messages);
    await drained(env, GROUP, w, 30_000);
    await caughtUp(env.kafka, rec, [TOPIC.updated, TOPIC.dlq]);

    const m = (await fetchText(`${w.url}/metrics`)).text;
    assert.equal(metricValue(m, 'mastery_events_total', { source: 'kafka', outcome: 'accepted' }), events.length, 'every Avro event is applied');
    assert.equal(metricValue(m, 'mastery_events_total', { source: 'kafka', outcome: 'invalid' }), poison.length);
    const dlq = rec.of(TOPIC.dlq);
    assert.equal(dlq.length, poison.length);
    for (const p of poison) {
      const got = dlq.filter((d) => d.key === p.key);
      assert.equal(got.length, 1, `${p.key} dead-lettered once`);
      const record = deadLetterOf(got[0]!);
      assert.equal(record.original_event, p.value.toString('base64'));
      assert.match(record.error, p.error);
    }

    const updates = rec.of(TOPIC.updated);
    for (const u of updates) {
      assert.equal(u.value.readUInt8(0), 0, 'Confluent wire format: magic byte 0');
      assert.equal(u.value.readInt32BE(1), 2, 'schema id of mastery.updated');
    }
    const by = updatesByStudent(updates, (r) => codec.decodeUpdate(r.value));
    assert.deepEqual([...by.keys()].sort(), studentsOf(events));
    const expected = await httpPath(events);
    onCleanup(() => expected.close());
    for (const [id, list] of by) {
      const now = await expected.read(`/v1/students/${id}/mastery`);
      assert.deepEqual(resultOf(list.at(-1)!), resultOf(now.body as MasteryUpdated), `the last update of ${id}`);
      for (const u of list) assert.equal(u.event_type, 'mastery.updated');
    }
    t.diagnostic(`${events.length} Avro events, ${updates.length} Avro updates for ${by.size} students`);
  });

  it('6. serve with MASTERY_HTTP_INGEST=forward: POST /v1/events answers 202 queued, and the worker applies the events', { timeout: 150_000 }, async (t) => {
    const onCleanup = cleanupsOf(t);
    const GROUP = 'e2e-s6';
    const REDIS = await redisDb(9);
    const schema = await freshSchema();
    onCleanup(() => schema.drop());
    const redis = new Redis(REDIS);
    onCleanup(() => redis.quit());
    await redis.flushdb();
    onCleanup(() => redis.flushdb());
    const env = await kafkaEnv('s6', onCleanup);
    const TOPIC = env.topics;
    const db = await openPostgres(schema.url);
    onCleanup(() => db.close());
    const stores = { MASTERY_DATABASE_URL: schema.url, MASTERY_REDIS_URL: REDIS, ...env.workerEnv };
    const [w, server] = await Promise.all([
      worker({ ...stores, MASTERY_KAFKA_GROUP_ID: GROUP }, onCleanup),
      startServer({ ...stores, MASTERY_JWT_SECRET: SECRET, MASTERY_HTTP_INGEST: 'forward' }),
    ]);
    onCleanup(() => server.stop());

    const post = async (body: unknown) => {
      const response = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${service}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await response.json()) as {
        accepted: number;
        duplicate: number;
        rejected: number;
        queued?: number;
        results: Array<{ status: string; event_id?: string; errors?: Array<{ field: string; message: string }> }>;
      };
      return { status: response.status, body: answer };
    };
    const events = seededClass({ seed: 61, prefix: 'fw', students: 25, topics: TOPICS.slice(0, 2), days: januaryDays(6), density: 0.5 });
    for (const batch of batchesOf(events.slice(1), 250)) {
      const r = await post(batch);
      assert.equal(r.status, 202, JSON.stringify(r.body).slice(0, 500));
      assert.deepEqual(
        { accepted: r.body.accepted, duplicate: r.body.duplicate, rejected: r.body.rejected, queued: r.body.queued },
        { accepted: 0, duplicate: 0, rejected: 0, queued: batch.length },
      );
      assert.deepEqual(new Set(r.body.results.map((x) => x.status)), new Set(['queued']));
    }
    const single = await post(events[0]);
    assert.equal(single.status, 202, JSON.stringify(single.body));
    assert.equal(single.body.queued, 1);
    // An invalid event among valid ones: refused at once, the others queued.
    const bad = { ...events[1]!, event_id: '9b2f8f1e-1c1a-4c8e-8a53-3f3a1b1d0e01', data: { total: 1 } };
    const mixed = await post([events[2], bad, events[3]]);
    assert.equal(mixed.status, 202, JSON.stringify(mixed.body));
    assert.deepEqual(
      mixed.body.results.map((x) => x.status),
      ['queued', 'rejected', 'queued'],
    );
    assert.ok(
      mixed.body.results[1]?.errors?.some((e) => e.field === 'data.total'),
      JSON.stringify(mixed.body.results[1]),
    );
    const resent = 2; // events[2] and events[3] were sent in the batches already
    await drained(env, GROUP, w, 30_000, async () => (await logCounts(db)).total === events.length);

    assert.deepEqual(await logCounts(db), { total: events.length, distinct_ids: events.length });
    assert.equal(await topicSize(env.kafka, TOPIC.dlq), 0, 'nothing dead-lettered: the invalid event never reached Kafka');
    const m = (await fetchText(`${w.url}/metrics`)).text;
    assert.equal(metricValue(m, 'mastery_events_total', { source: 'kafka', outcome: 'accepted' }), events.length);
    assert.equal(metricValue(m, 'mastery_events_total', { source: 'kafka', outcome: 'duplicate' }), resent);
    const expected = await httpPath(events);
    onCleanup(() => expected.close());
    await assertSameResults(server.url, admin, expected, studentsOf(events));
    t.diagnostic(`${events.length} events forwarded by serve and applied by the worker`);
  });
});
