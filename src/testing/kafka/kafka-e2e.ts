/**
 * Test-only helpers for the Kafka end-to-end tests of `mastery worker`: the worker as a child
 * process (the real command from source), a consumer that records what the service writes to
 * its output topics, a Redis server of the test's own (so it can be killed), polling, and a
 * reader of the Prometheus text format.
 */
import type { ChildProcess } from 'node:child_process';
import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';
import { waitForLeaders } from '../../adapters/kafka/kafka-client.js';
import { spawnCli } from '../run-cli.js';
import { hasExited, killHard, stopChild } from '../seeded-events.js';
/** The suite's one wait (src/testing/wait-for.ts), for the Kafka specs that import it from here. */
export { waitFor } from '../wait-for.js';
export { freePort, startRedisServer, type RedisServer } from '../stores/redis-server.js';

/** The topics of design/events.md with their partition counts. */
export const SERVICE_TOPICS = [
  { name: 'mastery.requests', partitions: 6 },
  { name: 'mastery.updated', partitions: 6 },
  { name: 'mastery.retry', partitions: 6 },
  { name: 'mastery.dlq', partitions: 3 },
] as const;

export interface ServiceTopics {
  requests: string;
  updated: string;
  retry: string;
  dlq: string;
}

export const TOPIC: ServiceTopics = {
  requests: 'mastery.requests',
  updated: 'mastery.updated',
  retry: 'mastery.retry',
  dlq: 'mastery.dlq',
};

/**
 * The service's topics under a prefix (`s1.mastery.requests`, …): tests that share one broker
 * each get topics of their own, and hand them to the worker with topicEnv().
 */
export function serviceTopics(prefix: string): ServiceTopics {
  return { requests: `${prefix}.${TOPIC.requests}`, updated: `${prefix}.${TOPIC.updated}`, retry: `${prefix}.${TOPIC.retry}`, dlq: `${prefix}.${TOPIC.dlq}` };
}

/** The worker's (or serve's) configuration for these topics and brokers. */
export function workerKafkaEnv(brokers: readonly string[], topics: ServiceTopics = TOPIC): Record<string, string> {
  return {
    MASTERY_KAFKA_BROKERS: brokers.join(','),
    MASTERY_KAFKA_TOPIC_REQUESTS: topics.requests,
    MASTERY_KAFKA_TOPIC_UPDATED: topics.updated,
    MASTERY_KAFKA_TOPIC_RETRY: topics.retry,
    MASTERY_KAFKA_TOPIC_DLQ: topics.dlq,
  };
}

/**
 * Creates the service's topics through the admin API with events.md's partition counts (and the
 * broker's default replication: every broker), as an operator would before the service starts.
 */
export async function createServiceTopics(kafka: Kafka, topics: ServiceTopics = TOPIC): Promise<void> {
  const partitions = Object.fromEntries(SERVICE_TOPICS.map((t) => [t.name, t.partitions]));
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      // Waited for below: KafkaJS's own wait fails on a KRaft broker (waitForLeaders says why).
      waitForLeaders: false,
      topics: (Object.keys(TOPIC) as Array<keyof ServiceTopics>).map((k) => ({ topic: topics[k], numPartitions: partitions[TOPIC[k]]! })),
    });
    await waitForLeaders(admin, Object.values(topics));
  } finally {
    await admin.disconnect();
  }
}

/** The output of a child process, the last `keep` characters of it. */
function capture(child: ChildProcess, keep = 200_000): { text: () => string; onData: (listener: (all: string) => void) => void } {
  let text = '';
  const listeners: Array<(all: string) => void> = [];
  const add = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-keep);
    for (const l of listeners) l(text);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return { text: () => text, onData: (l) => listeners.push(l) };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** The ops server (/healthz, /readyz, /metrics), e.g. http://127.0.0.1:41234. */
  url: string;
  /** What the worker printed (its pino log), the latest 200 kB. */
  log(): string;
  /** SIGTERM, then SIGKILL after the grace period. */
  stop(): Promise<'already' | 'graceful' | 'killed'>;
  /** kill -9. */
  kill(): Promise<void>;
}

/**
 * Starts `mastery worker` from source and resolves once its ops server listens, which it does
 * first: its stores open, its schema is migrated and its consumer joins the group after that.
 */
export async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawnCli(['worker'], { PORT: '0', LOG_LEVEL: 'info', ...env });
  child.stdin?.end();
  const out = capture(child);
  const url = await new Promise<string>((resolve, reject) => {
    const look = (all: string) => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(all);
      if (m) resolve(m[1]!);
    };
    out.onData(look);
    child.once('exit', (code, signal) => reject(new Error(`the worker exited (${signal ?? code}) before listening:\n${out.text()}`)));
  });
  return {
    child,
    url,
    log: out.text,
    stop: () => stopChild(child, 10_000),
    kill: () => killHard(child),
  };
}

export { hasExited };

/** A KafkaJS client for the test itself, quiet, with short back-offs. */
export function testKafka(brokers: string[], clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 60 },
  });
}

/**
 * A producer that partitions by key as the service and the Java client do (murmur2), and is
 * idempotent: a send retried after a slow answer or a broker restart writes its messages once,
 * so a count on the service's side is the service's doing.
 */
export async function keyedProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  return producer;
}

export interface Outbound {
  key: string;
  value: Buffer | string | null;
}

/** Sends messages in order, `perSend` at a time (one request each). */
export async function produce(producer: Producer, topic: string, messages: readonly Outbound[], perSend = 1_000): Promise<void> {
  for (let i = 0; i < messages.length; i += perSend) {
    await producer.send({ topic, messages: messages.slice(i, i + perSend).map((m) => ({ key: m.key, value: m.value })) });
  }
}

export interface Recorded {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  /** When the test read it (epoch ms). */
  seenAt: number;
}

export interface Recorder {
  all: Recorded[];
  of(topic: string): Recorded[];
  /** Resolves once the group has given this consumer its partitions. */
  joined: Promise<void>;
  /**
   * Whether this consumer has read every partition of `topics` to its end. Offsets, not counts:
   * a transaction's commit or abort marker takes an offset of every partition it wrote to, and a
   * read-committed consumer is never handed markers or aborted records, so what it holds may be
   * fewer than the topic's offsets even once it has read all.
   */
  readToEnd(kafka: Kafka, topics: readonly string[]): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * Reads `topics` from the beginning with a group of its own and keeps every message once (by
 * offset), so a test sees exactly what the service wrote to its output topics, including any
 * message the service wrote twice.
 */
export async function recordTopics(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<Recorder> {
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  const all: Recorded[] = [];
  // A consumer that restarts (after a broker outage) reads again what it had not committed: the
  // same offset is the same message, kept once.
  const seen = new Set<string>();
  let resolveJoined: () => void = () => {};
  const joined = new Promise<void>((resolve) => (resolveJoined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => resolveJoined());
  // Where each partition's reading has got to: KafkaJS reports a batch's last offset, markers
  // included, also for a batch of markers alone, which never reaches eachMessage.
  const positions = new Map<string, bigint>();
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const id = `${payload.topic}:${payload.partition}`;
    const next = BigInt(payload.lastOffset) + 1n;
    if (next > (positions.get(id) ?? 0n)) positions.set(id, next);
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 6,
    eachMessage: async ({ topic, partition, message }) => {
      const id = `${topic}:${partition}:${message.offset}`;
      if (seen.has(id)) return;
      seen.add(id);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
      }
      all.push({
        topic,
        partition,
        offset: Number(message.offset),
        key: message.key?.toString('utf8') ?? null,
        value: message.value ?? Buffer.alloc(0),
        headers,
        seenAt: Date.now(),
      });
    },
  });
  let stopped = false;
  return {
    all,
    of: (topic) => all.filter((m) => m.topic === topic),
    joined,
    readToEnd: async (client, wanted) => {
      const admin = client.admin();
      await admin.connect();
      try {
        for (const topic of wanted) {
          for (const end of await admin.fetchTopicOffsets(topic)) {
            if (BigInt(end.high) > BigInt(end.low) && (positions.get(`${topic}:${end.partition}`) ?? 0n) < BigInt(end.high)) return false;
          }
        }
        return true;
      } finally {
        await admin.disconnect();
      }
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await consumer.disconnect();
    },
  };
}

/**
 * How far the group is behind on `topics`: the sum over partitions of high watermark minus
 * committed offset (a partition without a commit counts from 0). In offsets, markers included:
 * 0 once the group is done, as the worker commits past the transaction markers of mastery.retry
 * (run-worker.ts), but otherwise not a count of records on a topic transactions write to.
 */
export async function groupBacklog(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let behind = 0;
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const at = Number(mine.find((p) => p.partition === end.partition)?.offset ?? '-1');
        behind += Number(end.high) - Math.max(0, at);
      }
    }
    return behind;
  } finally {
    await admin.disconnect();
  }
}

/**
 * The offsets every partition of `topic` spans, summed: how many messages it holds when no
 * transaction writes to it (mastery.updated, mastery.requests). The worker's mastery.retry and
 * mastery.dlq hold transaction markers too: for them it is 0 exactly when nothing was written,
 * and otherwise more than their records (Recorder.readToEnd tells when all are read).
 */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The samples of one metric in Prometheus's text format (`name{a="b",…} value`). */
export function metricSamples(text: string, name: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the sample of `name` whose labels include `labels`; 0 when there is none. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const hit = metricSamples(text, name).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return hit.reduce((sum, s) => sum + s.value, 0);
}

export async function fetchText(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}
