/**
 * No lost notification, end to end: `mastery worker` (the real command, a child process) on
 * PostgreSQL, Redis and Apache Kafka (a broker of the test's own) is killed with SIGKILL right after a state
 * write that saved updates and before it publishes them (the test-only
 * MASTERY_TEST_CRASH_POINT=after-state-write). Started again, it publishes on mastery.updated
 * every update the outbox held, each with the event_id and the content it was saved with, and
 * the outbox is empty once it has (events.md, "Delivery: at least once").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { studentKeys } from '../adapters/encoding/student-keys.js';
import { startKafkaBrokers } from '../testing/kafka/kafka-broker.js';
import { seededClass } from '../testing/seeded-events.js';
import type { MasteryUpdated } from '../ports/bus.js';
import { freshSchema } from '../testing/stores/postgres-schema.js';
import { testRedisUrl } from '../testing/stores/test-redis.js';
import {
  keyedProducer,
  produce,
  recordTopics,
  createServiceTopics,
  startWorker,
  testKafka,
  TOPIC,
  topicSize,
  waitFor,
  type WorkerProcess,
} from '../testing/kafka/kafka-e2e.js';
import { cleanups } from '../testing/cleanups.js';

const SECRET = 'outbox-e2e-secret-at-least-thirty-two-bytes!';
const GROUP = 'e2e-outbox';

/** What the outbox holds in Redis for these students: event_id → the update as saved. */
async function outboxOf(redis: Redis, students: readonly string[]): Promise<Map<string, MasteryUpdated>> {
  const held = new Map<string, MasteryUpdated>();
  for (const id of students) {
    for (const [eventId, json] of Object.entries(await redis.hgetall(studentKeys(id).outbox))) held.set(eventId, JSON.parse(json) as MasteryUpdated);
  }
  return held;
}

describe('the outbox: kill -9 of the worker between its state write and its publish', () => {
  it('after a restart, every update the outbox held is on mastery.updated with its own event_id, and the outbox is empty', { timeout: 150_000 }, async (t) => {
    const onCleanup = cleanups(t);
    const schema = await freshSchema();
    onCleanup(() => schema.drop());
    const redisUrl = await testRedisUrl(10);
    const redis = new Redis(redisUrl);
    onCleanup(() => redis.quit());
    await redis.flushdb();
    onCleanup(() => redis.flushdb());
    const cluster = await startKafkaBrokers();
    onCleanup(() => cluster.close());
    const kafka = testKafka(cluster.brokers, 'e2e-outbox');
    await createServiceTopics(kafka);
    const producer = await keyedProducer(kafka);
    onCleanup(() => producer.disconnect());
    const recorder = await recordTopics(kafka, 'e2e-outbox-recorder', [TOPIC.updated]);
    onCleanup(() => recorder.stop());
    await recorder.joined;

    const env = {
      MASTERY_JWT_SECRET: SECRET,
      MASTERY_DATABASE_URL: schema.url,
      MASTERY_REDIS_URL: redisUrl,
      MASTERY_KAFKA_BROKERS: cluster.brokers.join(','),
      MASTERY_KAFKA_GROUP_ID: GROUP,
      MASTERY_KAFKA_SESSION_TIMEOUT_MS: '6000',
    };
    const started: WorkerProcess[] = [];
    onCleanup(async () => {
      for (const w of started) await w.stop();
    });
    const crashing = await startWorker({ ...env, MASTERY_TEST_CRASH_POINT: 'after-state-write' });
    started.push(crashing);

    const events = seededClass({ seed: 1412, prefix: 'outbox', students: 12, topics: ['python.loops'], days: ['2026-01-05', '2026-01-06'], density: 1 });
    const students = [...new Set(events.map((e) => e.student_id))];
    await produce(
      producer,
      TOPIC.requests,
      events.map((e) => ({ key: e.student_id, value: JSON.stringify(e) })),
    );

    await waitFor(() => crashing.child.signalCode !== null || crashing.child.exitCode !== null, 'the worker to stop at its crash point', {
      timeoutMs: 60_000,
      detail: () => crashing.log().slice(-3000),
    });
    assert.equal(crashing.child.signalCode, 'SIGKILL', `killed by SIGKILL:\n${crashing.log().slice(-2000)}`);
    const saved = await outboxOf(redis, students);
    assert.ok(saved.size > 0, 'the write before the kill left updates in the outbox');
    for (const [eventId, u] of saved) assert.equal(u.event_id, eventId, 'an entry is keyed by its own event_id');
    // Nothing of it went out: the topic holds no message with one of these ids.
    const before = recorder.of(TOPIC.updated).length;
    assert.equal(before, await topicSize(kafka, TOPIC.updated), 'the recorder has read the whole topic');
    const published = () => recorder.of(TOPIC.updated).map((m) => JSON.parse(m.value.toString('utf8')) as MasteryUpdated);
    assert.deepEqual(
      published().filter((u) => saved.has(u.event_id)),
      [],
      'none of the saved updates was published before the kill',
    );

    const restarted = await startWorker(env);
    started.push(restarted);
    await waitFor(
      async () => [...saved.keys()].every((id) => published().some((u) => u.event_id === id)) && (await outboxOf(redis, students)).size === 0,
      'every saved update on mastery.updated, and the outbox empty',
      {
        timeoutMs: 60_000,
        detail: async () => `${published().length} published; outbox ${(await outboxOf(redis, students)).size}; log:\n${restarted.log().slice(-3000)}`,
      },
    );

    for (const [eventId, update] of saved) {
      const copies = published().filter((u) => u.event_id === eventId);
      assert.ok(copies.length >= 1);
      for (const copy of copies) assert.deepEqual(copy, update, `update ${eventId} goes out as it was saved`);
      const message = recorder.of(TOPIC.updated).find((m) => m.value.toString('utf8').includes(eventId))!;
      assert.equal(message.key, update.student_id, 'keyed by student');
    }
    assert.match(restarted.log(), /published the updates a previous run had saved but not published/);
    t.diagnostic(`${saved.size} updates in the outbox at the kill, ${published().length} updates published in all`);
  });
});
