/**
 * Answers (response.recorded, learner-model §1) over Kafka, end to end: the real `mastery
 * worker` against Apache Kafka (one broker for the file, each scenario with topics of its own), on PostgreSQL and a Redis of the test's own, read
 * back through a `mastery serve` on the same stores. Once with JSON on the topics, once with Avro:
 *
 * - answers move the student's knowledge of that topic (right ones up, wrong ones down) and
 *   nothing else's count of answers;
 * - malformed answers go to mastery.dlq with the validation error and change nothing;
 * - the mastery.updated that follows carries the forecast, the one the service then answers.
 *
 * Events are from January 2026 (the processes run with MASTERY_RETENTION_DAYS=36500); knowledge
 * and the forecast are read as of now, the worker's clock.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { Kafka, Producer } from 'kafkajs';
import { signHs256 } from '../access/tokens.js';
import { avroCodec, jsonCodec, type MessageCodec } from '../adapters/kafka/message-codec.js';
import { sharedKafkaBroker, type KafkaBrokers } from '../testing/kafka/kafka-broker.js';
import { startServer } from '../testing/run-cli.js';
import type { MasteryUpdated } from '../ports/bus.js';
import { getJson } from '../testing/http-json.js';
import { freshSchema } from '../testing/stores/postgres-schema.js';
import {
  fetchText,
  hasExited,
  keyedProducer,
  metricValue,
  produce,
  recordTopics,
  createServiceTopics,
  serviceTopics,
  workerKafkaEnv,
  type ServiceTopics,
  startRedisServer,
  startWorker,
  testKafka,
  waitFor,
  type Recorded,
  type Recorder,
  type WorkerProcess,
} from '../testing/kafka/kafka-e2e.js';

const SECRET = 'kafka-responses-e2e-secret-at-least-32-bytes';
const LOOPS = 'python.loops';
const LISTS = 'python.lists';

interface TopicKnowledge {
  topic: string;
  p_known: number;
  p_correct: number;
  responses: number;
  last_response_at: string | null;
}
interface Knowledge {
  student_id: string;
  model_version: string;
  topics: TopicKnowledge[];
}

interface DeadLetter {
  original_event: unknown;
  error: string;
  timestamp: string;
}

type Event = Record<string, unknown> & { event_id: string; student_id: string };

/** A UUID that names the scenario, the student and the event, so every run sends the same ids. */
function eventId(scenario: number, student: number, n: number): string {
  const hex = (x: number, width: number) => x.toString(16).padStart(width, '0');
  return `${hex(scenario, 8)}-${hex(student, 4)}-4000-8000-${hex(n, 12)}`;
}

/** The students of one scenario: one who answers right, one who answers wrong, one who only sends malformed answers. */
function classOf(scenario: number, prefix: string) {
  const strong = `${prefix}-strong`;
  const weak = `${prefix}-weak`;
  const onlyBad = `${prefix}-only-bad`;
  let n = 0;
  const id = (student: string) => eventId(scenario, [strong, weak, onlyBad].indexOf(student), n++);
  const at = (day: number, minute: number) => `2026-01-${String(day).padStart(2, '0')}T10:${String(minute).padStart(2, '0')}:00Z`;
  // Before any answer: each student works on two topics.
  const baseline: Event[] = [strong, weak].flatMap((s) => [
    { event_id: id(s), event_type: 'activity.recorded', timestamp: at(5, 0), student_id: s, topic: LISTS, data: {} },
    {
      event_id: id(s),
      event_type: 'mastery.calculation.requested',
      timestamp: at(5, 1),
      student_id: s,
      component: 'completion',
      topic: LOOPS,
      data: { total_exercises: 10, completed_exercises: 5 },
    },
  ]);
  const answer = (s: string, minute: number, data: Record<string, unknown>): Event => ({
    event_id: id(s),
    event_type: 'response.recorded',
    timestamp: at(6, minute),
    student_id: s,
    topic: LOOPS,
    data,
  });
  // Six answers each on a new day, with and without the optional attempt and seconds.
  const answers = [strong, weak].flatMap((s) =>
    Array.from({ length: 6 }, (_, k) => {
      const data: Record<string, unknown> = { item_id: `loops-q${k + 1}`, correct: s === strong };
      if (k % 2 === 0) data.attempt = 1;
      if (k % 3 === 0) data.seconds = 20 + k;
      return answer(s, k, data);
    }),
  );
  return { strong, weak, onlyBad, baseline, answers, answer };
}

async function knowledgeOf(serveUrl: string, token: string, studentId: string): Promise<Knowledge> {
  const r = await getJson(`${serveUrl}/v1/students/${studentId}/knowledge`, token);
  assert.equal(r.status, 200, `${studentId}: ${JSON.stringify(r.body)}`);
  return r.body as Knowledge;
}

const topicOf = (k: Knowledge, topic: string): TopicKnowledge => {
  const t = k.topics.find((x) => x.topic === topic);
  assert.ok(t, `${k.student_id} has no ${topic}: ${JSON.stringify(k)}`);
  return t;
};

/** The last mastery.updated about a student, in the order of its partition (one student, one partition). */
function lastUpdateOf(messages: readonly Recorded[], studentId: string, codec: MessageCodec): MasteryUpdated | undefined {
  const theirs = messages.filter((m) => m.key === studentId).sort((a, b) => a.offset - b.offset);
  const last = theirs.at(-1);
  return last === undefined ? undefined : codec.decodeUpdate(last.value);
}

interface Stack {
  env: { cluster: KafkaBrokers; kafka: Kafka; producer: Producer; topics: ServiceTopics };
  worker: WorkerProcess;
  recorder: Recorder;
  serveUrl: string;
}

/**
 * Topics of its own on the file's broker, PostgreSQL and a Redis of its own, the worker with `encoding` and a serve on
 * the same stores; everything ends after the test, the processes before the servers they use.
 */
async function stack(t: TestContext, name: string, encoding: 'json' | 'avro'): Promise<Stack> {
  // Each part is stopped after the test once it has started, even when another failed to
  // start: the processes first (last started first), then the servers they use.
  const processes: Array<() => Promise<unknown>> = [];
  const servers: Array<() => Promise<unknown>> = [];
  t.after(async () => {
    for (const stop of processes.reverse()) await stop().catch(() => undefined);
    await Promise.all(servers.map((stop) => stop()));
  });
  const [schema, redis, cluster] = await Promise.all([
    freshSchema().then((x) => (servers.push(() => x.drop()), x)),
    startRedisServer().then((x) => (servers.push(() => x.kill()), x)),
    sharedKafkaBroker(),
  ]);
  const kafka = testKafka(cluster.brokers, `e2e-${name}`);
  const topics = serviceTopics(name);
  await createServiceTopics(kafka, topics);
  const stores = { MASTERY_DATABASE_URL: schema.url, MASTERY_REDIS_URL: redis.url, MASTERY_JWT_SECRET: SECRET, MASTERY_RETENTION_DAYS: '36500' };
  const kept = <T extends { stop: () => Promise<unknown> }>(x: T) => (processes.push(() => x.stop()), x);
  const [producer, worker, recorder, serve] = await Promise.all([
    keyedProducer(kafka).then((p) => kept({ stop: () => p.disconnect() }) && p),
    startWorker({ ...stores, ...workerKafkaEnv(cluster.brokers, topics), MASTERY_KAFKA_GROUP_ID: `e2e-${name}`, MASTERY_KAFKA_ENCODING: encoding }).then(kept),
    recordTopics(kafka, `e2e-${name}-recorder`, [topics.updated, topics.dlq]).then(kept),
    // No L1 cache: a read right after the worker wrote must see what it wrote.
    startServer({ ...stores, MASTERY_CACHE_SECONDS: '0' }).then(kept),
  ]);
  return { env: { cluster, kafka, producer, topics }, worker, recorder, serveUrl: serve.url };
}

/** Waits until the worker has applied `accepted` events and refused `invalid` ones in all, and the recorder holds `updates` updates and `deadLetters` dead letters. */
async function settled(s: Stack, wanted: { accepted: number; invalid: number; updates: number; deadLetters: number }): Promise<void> {
  const seen = async () => {
    const m = (await fetchText(`${s.worker.url}/metrics`)).text;
    return {
      accepted: metricValue(m, 'mastery_events_total', { source: 'kafka', outcome: 'accepted' }),
      invalid: metricValue(m, 'mastery_events_total', { source: 'kafka', outcome: 'invalid' }),
      updates: s.recorder.of(s.env.topics.updated).length,
      deadLetters: s.recorder.of(s.env.topics.dlq).length,
    };
  };
  await waitFor(
    async () => {
      if (hasExited(s.worker.child)) throw new Error(`the worker exited:\n${s.worker.log().slice(-3000)}`);
      const now = await seen();
      return now.accepted === wanted.accepted && now.invalid === wanted.invalid && now.updates >= wanted.updates && now.deadLetters >= wanted.deadLetters;
    },
    `the worker to settle at ${JSON.stringify(wanted)}`,
    { timeoutMs: 60_000, intervalMs: 200, detail: async () => `${JSON.stringify(await seen())}; worker log tail:\n${s.worker.log().slice(-2000)}` },
  );
}

/** Bytes that decode as an event but that validation refuses, with the error it gives. */
interface Malformed {
  event: Event;
  value: Buffer;
  error: RegExp;
}

async function scenario(t: TestContext, n: number, encoding: 'json' | 'avro'): Promise<void> {
  const codec = encoding === 'avro' ? avroCodec({ event: 1, updated: 2 }) : jsonCodec;
  const s = await stack(t, `responses-${encoding}`, encoding);
  const admin = await signHs256(SECRET, { role: 'admin', sub: 'kafka-responses-e2e' });
  const c = classOf(n, `kr${n}`);
  const send = (events: readonly Event[]) =>
    produce(
      s.env.producer,
      s.env.topics.requests,
      events.map((e) => ({ key: e.student_id, value: codec.encodeEvent(e) })),
    );

  await send(c.baseline);
  await settled(s, { accepted: c.baseline.length, invalid: 0, updates: 2, deadLetters: 0 });
  const before = new Map(await Promise.all([c.strong, c.weak].map(async (id) => [id, await knowledgeOf(s.serveUrl, admin, id)] as const)));
  for (const k of before.values()) assert.equal(topicOf(k, LOOPS).responses, 0, 'no answer yet');
  const updatesBefore = s.recorder.of(s.env.topics.updated).length;

  // JSON can carry what Avro's schema cannot (no item_id, correct as a string); in Avro the
  // malformed answers are those its types allow and the engine's rules refuse.
  const malformed: Malformed[] = (
    encoding === 'json'
      ? [
          { event: c.answer(c.strong, 30, { correct: true }), error: /^data\.item_id is required$/ },
          { event: c.answer(c.strong, 31, { item_id: 'loops-q9', correct: 'true' }), error: /^data\.correct must be boolean$/ },
          { event: c.answer(c.onlyBad, 32, { item_id: 'loops-q9', correct: 1 }), error: /^data\.correct must be boolean$/ },
        ]
      : [
          { event: c.answer(c.strong, 30, { item_id: 'loops-q9', correct: true, attempt: 0 }), error: /^data\.attempt must be >= 1$/ },
          { event: c.answer(c.strong, 31, { item_id: 'loops-q9', correct: true, seconds: -1 }), error: /^data\.seconds must be >= 0$/ },
          { event: c.answer(c.onlyBad, 32, { item_id: 'loops-q9', correct: false, attempt: 0 }), error: /^data\.attempt must be >= 1$/ },
        ]
  ).map((m) => ({ ...m, value: encoding === 'json' ? Buffer.from(JSON.stringify(m.event)) : codec.encodeEvent(m.event) }));
  // The malformed answers among the good ones, each after a good answer of the same student.
  const messages = c.answers.flatMap((e, k) => [
    { key: e.student_id, value: codec.encodeEvent(e) },
    ...(k < malformed.length ? [{ key: malformed[k]!.event.student_id, value: malformed[k]!.value }] : []),
  ]);
  await produce(s.env.producer, s.env.topics.requests, messages);
  await settled(s, { accepted: c.baseline.length + c.answers.length, invalid: malformed.length, updates: updatesBefore + 2, deadLetters: malformed.length });

  // The answers reached the state: the topic's knowledge moved, the way the answers went.
  const after = new Map(await Promise.all([c.strong, c.weak].map(async (id) => [id, await knowledgeOf(s.serveUrl, admin, id)] as const)));
  for (const id of [c.strong, c.weak]) {
    const was = topicOf(before.get(id)!, LOOPS);
    const is = topicOf(after.get(id)!, LOOPS);
    const theirs = c.answers.filter((e) => e.student_id === id);
    assert.equal(is.responses, theirs.length, `${id}: every good answer counted once, no malformed one`);
    assert.equal(is.last_response_at, theirs.at(-1)!.timestamp);
    if (id === c.strong) assert.ok(is.p_known > was.p_known && is.p_correct > was.p_correct, `${id} answered right: ${JSON.stringify({ was, is })}`);
    else assert.ok(is.p_known < was.p_known && is.p_correct < was.p_correct, `${id} answered wrong: ${JSON.stringify({ was, is })}`);
    assert.equal(topicOf(after.get(id)!, LISTS).responses, 0, 'the other topic has no answers');
  }

  // Malformed answers: each dead-lettered once with its error, and nothing of them applied.
  const dlq = s.recorder.of(s.env.topics.dlq);
  assert.equal(dlq.length, malformed.length);
  for (const m of malformed) {
    const got = dlq
      .map((d) => ({ key: d.key, record: JSON.parse(d.value.toString('utf8')) as DeadLetter }))
      .filter((d) => (d.record.original_event as Event).event_id === m.event.event_id);
    assert.equal(got.length, 1, `${m.event.event_id} dead-lettered once`);
    assert.equal(got[0]!.key, m.event.student_id, 'keyed as it came');
    assert.deepEqual(got[0]!.record.original_event, m.event, 'the event as it was sent');
    assert.match(got[0]!.record.error, m.error);
  }
  const unknown = await getJson(`${s.serveUrl}/v1/students/${c.onlyBad}/knowledge`, admin);
  assert.equal(unknown.status, 404, `a student with only malformed answers is not known: ${JSON.stringify(unknown.body)}`);
  assert.equal(s.recorder.of(s.env.topics.updated).filter((m) => m.key === c.onlyBad).length, 0, 'and gets no update');

  // The update after the answers carries the forecast, the one the service answers now.
  const updated = s.recorder.of(s.env.topics.updated);
  if (encoding === 'avro')
    for (const m of updated) assert.deepEqual([m.value.readUInt8(0), m.value.readInt32BE(1)], [0, 2], 'Confluent frame, schema id of mastery.updated');
  for (const id of [c.strong, c.weak]) {
    const last = lastUpdateOf(updated.slice(updatesBefore), id, codec);
    assert.ok(last, `${id} got an update after the answers`);
    const { forecast } = last;
    assert.ok(forecast.low <= forecast.score_in_7_days && forecast.score_in_7_days <= forecast.high, JSON.stringify(forecast));
    assert.equal(forecast.needs_help, forecast.score_in_7_days < 0.5 || forecast.high < 0.6);
    assert.equal(forecast.model_version, after.get(id)!.model_version);
    const prediction = await getJson(`${s.serveUrl}/v1/students/${id}/prediction`, admin);
    assert.equal(prediction.status, 200, JSON.stringify(prediction.body));
    assert.deepEqual(forecast, (prediction.body as { forecast: unknown }).forecast, `${id}: the update's forecast is the service's`);
    const mastery = await getJson(`${s.serveUrl}/v1/students/${id}/mastery`, admin);
    assert.equal(last.mastery_score, (mastery.body as { mastery_score: number }).mastery_score);
  }
  const strongForecast = lastUpdateOf(s.recorder.of(s.env.topics.updated), c.strong, codec)!.forecast;
  const weakForecast = lastUpdateOf(s.recorder.of(s.env.topics.updated), c.weak, codec)!.forecast;
  t.diagnostic(
    `${encoding}: ${c.answers.length} answers applied, ${malformed.length} dead-lettered; p_known on ${LOOPS} ` +
      `${topicOf(before.get(c.strong)!, LOOPS).p_known} → ${topicOf(after.get(c.strong)!, LOOPS).p_known} (right) and ` +
      `${topicOf(before.get(c.weak)!, LOOPS).p_known} → ${topicOf(after.get(c.weak)!, LOOPS).p_known} (wrong); ` +
      `forecasts ${strongForecast.score_in_7_days} and ${weakForecast.score_in_7_days}`,
  );
}

describe('answers over Kafka, end to end', { concurrency: true }, () => {
  it('JSON: answers reach the knowledge, malformed ones the dead-letter topic, and mastery.updated carries the forecast', { timeout: 150_000 }, (t) =>
    scenario(t, 1, 'json'),
  );
  it('Avro: the same, encoded with encodeEvent, and mastery.updated decodes with decodeUpdate', { timeout: 150_000 }, (t) => scenario(t, 2, 'avro'));
});
