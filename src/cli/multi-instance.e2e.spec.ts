/**
 * Several instances at once, end to end: two `mastery serve` (HTTP ingest applied by the serve
 * itself, the default) and two `mastery worker` (one consumer group) from source, on one
 * PostgreSQL schema, one redis-server and one Apache Kafka broker of the test's own, all writing the
 * same few students at the same time. One seeded stream — the four components,
 * activity.recorded and response.recorded answers, shuffled, the earliest days' events held back
 * and sent last, and re-sent event ids — goes through both HTTP servers and mastery.requests at
 * once; the Kafka messages are spread over every partition, so both workers write every student
 * too. Once every event is applied (waited on: the group's backlog, the processed markers):
 *
 * - the event log holds every event id exactly once, and the ingest counted each once as
 *   accepted (over HTTP and Kafka together) and every re-send as a duplicate: no double count;
 * - every student's reads (mastery overall and per topic, history, prediction, knowledge, path)
 *   and the class list, from a third serve without L1, equal those of one process fed the same
 *   events once, in order (the same app in process on the memory adapters);
 * - Redis holds exactly what `mastery rebuild` computes from the log into a Redis of its own,
 *   key for key (state fields, current result, daily values, raw events, processed markers;
 *   only the state's version differs): no lost update anywhere in the projection.
 *
 * How many writes Redis refused because another instance had changed the student first (the
 * contention the test is for) is read from MONITOR and reported, not asserted: it depends on
 * timing. Events are from January 2026 (the processes run with MASTERY_RETENTION_DAYS=36500);
 * reads are as of 2026-01-25.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import { signHs256 } from '../access/tokens.js';
import { processedKey } from '../adapters/encoding/student-keys.js';
import { startKafkaBrokers, type KafkaBrokers } from '../testing/kafka/kafka-broker.js';
import { openPostgres } from '../adapters/sql/postgres-client.js';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import { seededRandom } from '../demo/seeded-random.js';
import { testApp } from '../testing/test-app.js';
import { getJson, postJson, type Answer } from '../testing/http-json.js';
import { freshSchema } from '../testing/stores/postgres-schema.js';
import type { WireEvent } from '../testing/wire-events.js';
import {
  fetchText,
  groupBacklog,
  hasExited,
  keyedProducer,
  metricValue,
  createServiceTopics,
  SERVICE_TOPICS,
  startRedisServer,
  startWorker,
  testKafka,
  TOPIC,
  topicSize,
  waitFor,
  type RedisServer,
  type WorkerProcess,
} from '../testing/kafka/kafka-e2e.js';
import { runCli, startServer } from '../testing/run-cli.js';
import { batchesOf, seededClass, seededShuffle, seededUuid, stopChild } from '../testing/seeded-events.js';

const SECRET = 'multi-instance-e2e-secret-at-least-32-bytes';
const GROUP = 'e2e-multi-instance';
const AS_OF = '2026-01-25';
const TOPICS = ['python.loops', 'python.lists', 'python.functions'] as const;
const DAYS = Array.from({ length: 24 }, (_, i) => `2026-01-${String(i + 1).padStart(2, '0')}`);
/** Events of these days are held back and sent after all the others: late for every writer. */
const LATE_DAYS = new Set(DAYS.slice(0, 4));
/** Few students, many events each: every batch of every writer touches most of them. */
const STUDENTS = 6;
/** Small batches: many writes per student, each racing the other instances' writes. */
const HTTP_BATCH = 20;
const KAFKA_SEND = 20;
const PARTITIONS = SERVICE_TOPICS.find((t) => t.name === TOPIC.requests)!.partitions;

// ---------------------------------------------------------------------------------------------
// The stream

/** Each student's first-attempt answers (and a few second attempts) over the topics and days, seeded. */
function seededAnswers(seed: number, prefix: string): WireEvent[] {
  const random = seededRandom(seed);
  const events: WireEvent[] = [];
  for (let s = 0; s < STUDENTS; s++) {
    const student_id = `${prefix}-${String(s).padStart(3, '0')}`;
    const skill = 0.25 + 0.6 * random();
    for (const topic of TOPICS) {
      for (const day of DAYS) {
        if (random() >= 0.5) continue;
        const count = 1 + Math.floor(random() * 4);
        for (let k = 0; k < count; k++) {
          const time = `${String(8 + Math.floor(random() * 12)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}`;
          const data: Record<string, unknown> = { item_id: `${topic}-q${1 + Math.floor(random() * 12)}`, correct: random() < skill };
          const attempt = random() < 0.15 ? 2 : 1;
          if (attempt > 1 || random() < 0.5) data.attempt = attempt;
          if (random() < 0.6) data.seconds = 5 + Math.floor(random() * 80);
          events.push({ event_id: seededUuid(random), event_type: 'response.recorded', timestamp: `${day}T${time}Z`, student_id, topic, data });
        }
      }
    }
  }
  return events;
}

type Channel = 'serve-a' | 'serve-b' | 'kafka';
const CHANNELS: readonly Channel[] = ['serve-a', 'serve-b', 'kafka'];

interface Plan {
  /** Every distinct event, in generation order (what the single-process reference is fed). */
  unique: WireEvent[];
  /** What each writer is sent, in two phases: the main stream, then the late events. */
  sends: Record<Channel, [WireEvent[], WireEvent[]]>;
  /** How many sends repeat an event id sent before (or at the same time, elsewhere). */
  resent: number;
}

/**
 * The seeded stream: every event goes to one writer chosen at random, shuffled; the earliest
 * days' events wait for the second phase; one in twelve is sent a second time, mostly to
 * another writer, later in the stream.
 */
function plan(seed: number): Plan {
  const random = seededRandom(seed);
  const unique = [...seededClass({ seed, prefix: 'multi', students: STUDENTS, topics: TOPICS, days: DAYS, density: 0.5 }), ...seededAnswers(seed + 1, 'multi')];
  const sends: Plan['sends'] = { 'serve-a': [[], []], 'serve-b': [[], []], kafka: [[], []] };
  let resent = 0;
  for (const e of seededShuffle(unique, seed + 2)) {
    const phase = LATE_DAYS.has(e.timestamp.slice(0, 10)) ? 1 : 0;
    sends[CHANNELS[Math.floor(random() * 3)]!][phase].push(e);
    if (random() < 1 / 12) {
      // The copy goes at a random later place of a random writer's list (its own, sometimes).
      const list = sends[CHANNELS[Math.floor(random() * 3)]!][random() < 0.5 ? phase : 1];
      list.splice(Math.floor(list.length * (0.5 + random() / 2)), 0, structuredClone(e));
      resent++;
    }
  }
  return { unique, sends, resent };
}

// ---------------------------------------------------------------------------------------------
// Reads

const studentsOf = (events: readonly WireEvent[]) => [...new Set(events.map((e) => e.student_id))].sort();

/** Every per-student read, overall and per topic, and the class list. */
function readPaths(students: readonly string[]): string[] {
  const perStudent = (id: string) => [
    `/v1/students/${id}/mastery?as_of=${AS_OF}`,
    ...TOPICS.map((t) => `/v1/students/${id}/mastery?as_of=${AS_OF}&topic=${t}`),
    `/v1/students/${id}/history?as_of=${AS_OF}`,
    ...TOPICS.map((t) => `/v1/students/${id}/history?as_of=${AS_OF}&topic=${t}`),
    `/v1/students/${id}/prediction?as_of=${AS_OF}`,
    `/v1/students/${id}/knowledge?as_of=${AS_OF}`,
    `/v1/students/${id}/path?as_of=${AS_OF}`,
  ];
  return [...students.flatMap(perStudent), `/v1/students?as_of=${AS_OF}&limit=1000`];
}

/** The single-process reference: the same app in process on the memory adapters, fed every event once, in order. */
async function reference(events: readonly WireEvent[]) {
  const h = await testApp({ now: new Date().toISOString() });
  const service = await h.token('service', 'reference');
  const admin = await h.token('admin', 'reference');
  for (const batch of batchesOf(events, 1000)) {
    const r = await h.post('/v1/events', batch, service);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((r.json() as { accepted: number }).accepted, batch.length, 'the reference takes every event');
  }
  return {
    read: async (path: string): Promise<Answer> => {
      const r = await h.get(path, admin);
      return { status: r.statusCode, body: r.json() };
    },
    close: () => h.app.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// Redis

/** A value as stored: JSON parsed (so that key order and number spelling do not count), else the string. */
function parsed(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * Everything a Redis holds, key by key: strings and hashes, values parsed; the state hash
 * without its version (a count of writes, which a rebuild's single write cannot share).
 */
async function redisContents(redis: Redis): Promise<Map<string, unknown>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await redis.scan(cursor, 'COUNT', 1000);
    keys.push(...page);
    cursor = next;
  } while (cursor !== '0');
  const contents = new Map<string, unknown>();
  for (const key of keys.sort()) {
    const type = await redis.type(key);
    if (type === 'string') contents.set(key, parsed((await redis.get(key))!));
    else if (type === 'hash') {
      const hash = await redis.hgetall(key);
      if (key.endsWith(':state')) delete hash.version;
      contents.set(key, Object.fromEntries(Object.entries(hash).map(([f, v]) => [f, parsed(v)])));
    } else contents.set(key, `a ${type}`);
  }
  return contents;
}

/**
 * The state-save scripts Redis runs, from MONITOR: per student, the version each write was
 * planned from. Only one write can follow on from a version, so every further write naming the
 * same one was refused (another instance had changed the student first) and planned again.
 */
async function watchStateWrites(url: string) {
  const client = new Redis(url);
  const monitor = await client.monitor();
  const plannedFrom = new Map<string, Map<string, number>>();
  const connections = new Map<string, Set<string>>();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (args[0]?.toLowerCase() !== 'evalsha' && args[0]?.toLowerCase() !== 'eval') return;
    const numKeys = Number(args[2]);
    const stateKey = args[3];
    if (!stateKey?.endsWith(':state')) return;
    const expected = args[3 + numKeys] ?? '?';
    const perVersion = plannedFrom.get(stateKey) ?? new Map<string, number>();
    perVersion.set(expected, (perVersion.get(expected) ?? 0) + 1);
    plannedFrom.set(stateKey, perVersion);
    connections.set(stateKey, (connections.get(stateKey) ?? new Set()).add(source));
  });
  return {
    stats() {
      let writes = 0;
      let refused = 0;
      for (const perVersion of plannedFrom.values()) {
        for (const n of perVersion.values()) {
          writes += n;
          refused += n - 1;
        }
      }
      const writers = [...connections.values()].map((s) => s.size);
      return { writes, refused, fewestWritersOfAStudent: writers.length === 0 ? 0 : Math.min(...writers) };
    },
    stop: async () => {
      monitor.disconnect();
      client.disconnect();
    },
  };
}

async function unappliedCount(redis: Redis, eventIds: readonly string[]): Promise<number> {
  let held = 0;
  for (const batch of batchesOf(eventIds, 500)) held += await redis.exists(...batch.map(processedKey));
  return eventIds.length - held;
}

// ---------------------------------------------------------------------------------------------
// Kafka

/**
 * Resolves once every worker answers /readyz, which it does once its consumer has joined the
 * group and been given its partitions. The last to join joined a group of all of them (the
 * broker completes a rebalance only once every member has joined again), so the partitions are
 * shared before the first event is sent.
 */
async function groupFormed(workers: readonly WorkerProcess[]): Promise<void> {
  await waitFor(
    async () => {
      for (const w of workers) if (hasExited(w.child)) throw new Error(`a worker exited:\n${w.log().slice(-3000)}`);
      const probes = await Promise.all(workers.map((w) => fetchText(`${w.url}/readyz`)));
      return probes.every((r) => r.status === 200);
    },
    `${workers.length} workers to join their consumer group`,
    { timeoutMs: 60_000, intervalMs: 200, detail: () => workers.map((w) => w.log().slice(-1500)).join('\n---\n') },
  );
}

/**
 * Sends events to mastery.requests, `KAFKA_SEND` per request, spread over every partition in
 * turn (keyed by student still): each worker then gets events of every student. The engine
 * must not need a student's events on one partition to get them right.
 */
async function sendOverKafka(producer: Producer, events: readonly WireEvent[], offset: number): Promise<number> {
  let n = offset;
  for (const batch of batchesOf(events, KAFKA_SEND)) {
    await producer.send({
      topic: TOPIC.requests,
      messages: batch.map((e) => ({ key: e.student_id, value: JSON.stringify(e), partition: n++ % PARTITIONS })),
    });
  }
  return n;
}

interface Tally {
  accepted: number;
  duplicate: number;
  /**
   * Events sent again because their request (HTTP) or batch (Kafka) was refused for a while with
   * STATE_CONFLICT: other writers kept changing its students through all of the engine's write
   * attempts. A refused event may be in the log already, and then counts as a duplicate later.
   */
  refused: number;
}

const newTally = (): Tally => ({ accepted: 0, duplicate: 0, refused: 0 });

/**
 * Posts events to a serve, `HTTP_BATCH` per request, two requests in flight; every event must be
 * accepted or a duplicate. A 503 STATE_CONFLICT is sent again, as api.md tells a producer to:
 * the events of a refused batch are in the log, and come back as duplicates that are applied then.
 */
async function sendOverHttp(url: string, token: string, events: readonly WireEvent[], tally: Tally): Promise<void> {
  const batches = batchesOf(events, HTTP_BATCH);
  const client = async (parity: number) => {
    for (let i = parity; i < batches.length; i += 2) {
      let r = await postJson(`${url}/v1/events`, token, batches[i]);
      while (r.status === 503 && (r.body.error as { code?: string } | undefined)?.code === 'STATE_CONFLICT' && tally.refused < 100_000) {
        tally.refused += batches[i]!.length;
        r = await postJson(`${url}/v1/events`, token, batches[i]);
      }
      assert.equal(r.status, 200, `${url}: ${JSON.stringify(r.body)}`);
      const { accepted, duplicate, rejected } = r.body as { accepted: number; duplicate: number; rejected: number };
      assert.equal(rejected, 0, JSON.stringify(r.body));
      assert.equal(accepted + duplicate, batches[i]!.length);
      tally.accepted += accepted;
      tally.duplicate += duplicate;
    }
  };
  await Promise.all([client(0), client(1)]);
}

async function logCounts(db: SqlClient): Promise<{ total: number; distinct_ids: number }> {
  const [row] = await db.query<{ total: number; distinct_ids: number }>(
    'SELECT count(*)::int AS total, count(DISTINCT event_id)::int AS distinct_ids FROM mastery_events',
  );
  return row!;
}

// ---------------------------------------------------------------------------------------------

describe('several instances at once on one PostgreSQL and one Redis', () => {
  // Processes stop first (last started first), then the servers they use.
  const processes: Array<() => Promise<unknown>> = [];
  const servers: Array<() => Promise<unknown>> = [];
  let cluster: KafkaBrokers;
  let kafka: Kafka;
  let producer: Producer;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let redis: RedisServer;
  let rebuildRedis: RedisServer;

  before(async () => {
    [schema, redis, rebuildRedis, cluster] = await Promise.all([
      freshSchema().then((x) => (servers.push(() => x.drop()), x)),
      startRedisServer().then((x) => (servers.push(() => x.kill()), x)),
      startRedisServer().then((x) => (servers.push(() => x.kill()), x)),
      startKafkaBrokers().then((x) => (servers.push(() => x.close()), x)),
    ]);
    kafka = testKafka(cluster.brokers, 'e2e-multi-instance');
    await createServiceTopics(kafka);
    producer = await keyedProducer(kafka);
    processes.push(() => producer.disconnect());
  });

  after(async () => {
    for (const stop of processes.reverse()) await stop().catch(() => undefined);
    await Promise.all(servers.map((stop) => stop().catch(() => undefined)));
  });

  it('two serves and two workers writing the same students: no lost update, no double count, every answer a single process gives', {
    timeout: 180_000,
  }, async (t) => {
    const stores = { MASTERY_DATABASE_URL: schema.url, MASTERY_REDIS_URL: redis.url, MASTERY_JWT_SECRET: SECRET };
    const brokers = { MASTERY_KAFKA_BROKERS: cluster.brokers.join(',') };
    const kept = <T extends { stop: () => Promise<unknown> }>(x: T) => (processes.push(() => x.stop()), x);
    const started = Date.now();
    const phases: string[] = [];
    const mark = (what: string) => phases.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const writes = await watchStateWrites(redis.url);
    processes.push(() => writes.stop());

    // All four at once on the fresh schema: they migrate it side by side, as instances do. The
    // serves keep their L1 (the default 30 s): a stale entry must cost a refused write, never data.
    const workerEnv = {
      ...stores,
      ...brokers,
      MASTERY_KAFKA_GROUP_ID: GROUP,
      // Heartbeats every 0.6 s: the first member learns of the second's join quickly.
      MASTERY_KAFKA_SESSION_TIMEOUT_MS: '6000',
    };
    const serve = (env: Record<string, string>) => startServer({ ...stores, ...brokers, ...env }).then((s) => kept({ ...s, stop: () => stopChild(s.child) }));
    // The reader only reads, at the end, without L1: it sees what Redis holds.
    const [serveA, serveB, reader, ...workers] = await Promise.all([
      serve({}),
      serve({}),
      serve({ MASTERY_CACHE_SECONDS: '0' }),
      startWorker(workerEnv).then(kept),
      startWorker(workerEnv).then(kept),
    ]);
    await groupFormed(workers);
    mark('started');

    const p = plan(20260115);
    const tokens = {
      a: await signHs256(SECRET, { role: 'service', sub: 'writer-a' }),
      b: await signHs256(SECRET, { role: 'service', sub: 'writer-b' }),
      admin: await signHs256(SECRET, { role: 'admin', sub: 'multi-instance-e2e' }),
    };
    const http: Record<'serve-a' | 'serve-b', Tally> = { 'serve-a': newTally(), 'serve-b': newTally() };
    let partition = 0;
    for (const phase of [0, 1] as const) {
      const kafkaSent = sendOverKafka(producer, p.sends.kafka[phase], partition).then((n) => (partition = n));
      await Promise.all([
        sendOverHttp(serveA!.url, tokens.a, p.sends['serve-a'][phase], http['serve-a']),
        sendOverHttp(serveB!.url, tokens.b, p.sends['serve-b'][phase], http['serve-b']),
        kafkaSent,
      ]);
    }

    mark('sent');
    const redisClient = new Redis(redis.url);
    processes.push(async () => redisClient.disconnect());
    const ids = p.unique.map((e) => e.event_id);
    await waitFor(
      async () => {
        for (const w of workers) if (hasExited(w.child)) throw new Error(`a worker exited:\n${w.log().slice(-3000)}`);
        return (await groupBacklog(kafka, GROUP, [TOPIC.requests, TOPIC.retry])) === 0 && (await unappliedCount(redisClient, ids)) === 0;
      },
      'every message consumed and every event applied',
      {
        timeoutMs: 90_000,
        intervalMs: 200,
        detail: async () =>
          `backlog ${await groupBacklog(kafka, GROUP, [TOPIC.requests, TOPIC.retry]).catch(String)}, unapplied ${await unappliedCount(redisClient, ids)}; ` +
          workers.map((w) => w.log().slice(-1500)).join('\n---\n'),
      },
    );
    const contention = writes.stats();
    mark('applied');

    // No double count: each event once in the log, accepted once, every re-send a duplicate.
    const db = await openPostgres(schema.url);
    processes.push(() => db.close());
    assert.deepEqual(await logCounts(db), { total: p.unique.length, distinct_ids: p.unique.length }, 'the log holds every event exactly once');
    const logged = new Set((await db.query<{ event_id: string }>('SELECT event_id::text FROM mastery_events')).map((r) => r.event_id));
    assert.deepEqual(logged, new Set(ids), 'and no other');
    const kafkaTally = newTally();
    for (const w of workers) {
      const m = (await fetchText(`${w.url}/metrics`)).text;
      const count = (outcome: string) => metricValue(m, 'mastery_events_total', { source: 'kafka', outcome });
      assert.equal(count('invalid'), 0, 'a worker found an invalid event');
      assert.equal(count('dead_lettered'), 0, 'a worker dead-lettered events');
      assert.ok(count('accepted') + count('duplicate') > 0, 'both workers took events: the group shared the partitions');
      kafkaTally.accepted += count('accepted');
      kafkaTally.duplicate += count('duplicate');
      // Sent to mastery.retry (STATE_CONFLICT), and taken again from there.
      kafkaTally.refused += count('retried');
    }
    const sent = CHANNELS.reduce((n, c) => n + p.sends[c][0].length + p.sends[c][1].length, 0);
    assert.equal(sent, p.unique.length + p.resent);
    const tallies = [http['serve-a'], http['serve-b'], kafkaTally];
    const total = (k: keyof Tally) => tallies.reduce((n, x) => n + x[k], 0);
    assert.equal(total('accepted') + total('duplicate'), sent, 'every send answered once, accepted or duplicate');
    // Accepted once, whichever writer had it first; except that an event whose first request
    // was refused after it reached the log is a duplicate when it comes again.
    assert.ok(total('accepted') <= p.unique.length, `${total('accepted')} accepted of ${p.unique.length} events: some counted twice`);
    assert.ok(
      p.unique.length - total('accepted') <= total('refused'),
      `${p.unique.length - total('accepted')} events never accepted, ${total('refused')} refused`,
    );
    if (total('refused') === 0) assert.equal(total('accepted'), p.unique.length, 'each event accepted once');
    assert.equal(await topicSize(kafka, TOPIC.dlq), 0, 'nothing dead-lettered');

    // No lost update in the projection: Redis as `mastery rebuild` makes it from the log.
    const referenceFed = reference(p.unique);
    t.after(() =>
      referenceFed.then(
        (r) => r.close(),
        () => undefined,
      ),
    );
    const rebuilt = await runCli(['rebuild'], { ...stores, MASTERY_REDIS_URL: rebuildRedis.url });
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.match(rebuilt.stdout, new RegExp(`rebuilt ${STUDENTS} students`));
    const rebuildClient = new Redis(rebuildRedis.url);
    processes.push(async () => rebuildClient.disconnect());
    const [live, fromLog] = await Promise.all([redisContents(redisClient), redisContents(rebuildClient)]);
    const keys = [...new Set([...live.keys(), ...fromLog.keys()])].sort();
    const differing = keys.filter((k) => {
      try {
        assert.deepStrictEqual(live.get(k), fromLog.get(k));
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(live.size, fromLog.size, 'as many keys as the rebuild writes');
    for (const k of differing.slice(0, 3)) {
      assert.deepStrictEqual(live.get(k), fromLog.get(k), `${k} differs from the rebuild's (${differing.length} of ${keys.length} keys differ)`);
    }

    mark('rebuilt and compared');
    // Every answer the single process gives, read from the serve that did not write.
    const expected = await referenceFed;
    const paths = readPaths(studentsOf(p.unique));
    const served: Answer[] = [];
    for (const group of batchesOf(paths, 20)) served.push(...(await Promise.all(group.map((path) => getJson(`${reader!.url}${path}`, tokens.admin)))));
    const wanted = await Promise.all(paths.map((path) => expected.read(path)));
    const differ = paths.filter((_, k) => JSON.stringify(served[k]) !== JSON.stringify(wanted[k]));
    for (const [k, path] of paths.entries()) {
      assert.equal(served[k]!.status, 200, `${path}: ${JSON.stringify(served[k]!.body)}`);
      assert.deepEqual(served[k], wanted[k], `${path} differs from the single process's (${differ.length} of ${paths.length} reads differ)`);
    }
    mark('read');
    const knowledge = served.filter((_, k) => paths[k]!.includes('/knowledge')).map((a) => a.body as { topics: Array<{ responses: number }> });
    const answersTraced = knowledge.reduce((n, k) => n + k.topics.reduce((m, x) => m + x.responses, 0), 0);
    assert.ok(answersTraced > 0, 'the knowledge reads rest on answers');

    t.diagnostic(
      `${p.unique.length} events (${p.unique.filter((e) => e.event_type === 'response.recorded').length} answers) and ${p.resent} re-sends ` +
        `for ${STUDENTS} students: serve A accepted ${http['serve-a'].accepted}, serve B ${http['serve-b'].accepted}, the workers ${kafkaTally.accepted}; ` +
        `${total('refused')} sent again after STATE_CONFLICT; ` +
        `${contention.writes} state writes, ${contention.refused} refused because another instance wrote the student first; ` +
        `every student written over ${contention.fewestWritersOfAStudent}+ Redis connections; ${paths.length} reads and ${keys.length} Redis keys equal; ${phases.join(', ')}`,
    );
  });
});
