/**
 * The live stream in forward mode, end to end: `mastery serve` with MASTERY_HTTP_INGEST=forward
 * sends the events it takes to mastery.requests, `mastery worker` applies them and publishes
 * mastery.updated, and serve's GET /v1/stream relays what the topic carries (both real commands
 * in child processes, on PostgreSQL, Redis and Apache Kafka: a broker of the test's own). Every update on the
 * topic reaches an admin's stream once, with its event_id; a teacher's stream carries only the
 * students of the teacher's class.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { signHs256 } from '../access/tokens.js';
import { startKafkaBrokers } from '../testing/kafka/kafka-broker.js';
import { spawnCli } from '../testing/run-cli.js';
import { batchesOf, seededClass, stopChild } from '../testing/seeded-events.js';
import type { MasteryUpdated } from '../ports/bus.js';
import { postJson } from '../testing/http-json.js';
import { freshSchema } from '../testing/stores/postgres-schema.js';
import { testRedisUrl } from '../testing/stores/test-redis.js';
import { createServiceTopics, groupBacklog, recordTopics, startWorker, testKafka, TOPIC, topicSize, waitFor } from '../testing/kafka/kafka-e2e.js';
import { cleanups } from '../testing/cleanups.js';

const SECRET = 'stream-relay-e2e-secret-at-least-32-bytes!';

/** `mastery serve` from source, resolved once it listens, with everything it prints kept. */
async function startServe(env: Record<string, string>) {
  const child = spawnCli(['serve'], { PORT: '0', LOG_LEVEL: 'info', ...env });
  child.stdin?.end();
  let log = '';
  const add = (d: Buffer) => (log += d.toString('utf8'));
  child.stdout!.on('data', add);
  child.stderr!.on('data', add);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening:\n${log}`)));
  });
  return { child, url, log: () => log };
}

/** An open GET /v1/stream: the updates it has delivered so far, parsed from its events. */
async function openStream(url: string, token: string) {
  const controller = new AbortController();
  const res = await fetch(`${url}/v1/stream`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  assert.equal(res.status, 200);
  const received: Array<{ id: string; update: MasteryUpdated }> = [];
  let text = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of res.body!) {
      text += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const field = (name: string) => [...block.matchAll(/^(\w+): ?(.*)$/gm)].find((m) => m[1] === name)?.[2];
        if (field('event') === 'mastery.updated') received.push({ id: field('id')!, update: JSON.parse(field('data')!) as MasteryUpdated });
      }
    }
  })().catch((error: unknown) => {
    if ((error as Error).name !== 'AbortError') throw error;
  });
  return {
    received,
    close: async () => {
      controller.abort();
      await reading;
    },
  };
}

describe("serve with MASTERY_HTTP_INGEST=forward: the live stream relays the worker's mastery.updated", () => {
  it('every update the worker publishes reaches the stream once, with its event_id; a teacher hears only the class', { timeout: 150_000 }, async (t) => {
    const onCleanup = cleanups(t);
    const schema = await freshSchema();
    onCleanup(() => schema.drop());
    const redisUrl = await testRedisUrl(11);
    const redis = new Redis(redisUrl);
    onCleanup(() => redis.quit());
    await redis.flushdb();
    onCleanup(() => redis.flushdb());
    const cluster = await startKafkaBrokers();
    onCleanup(() => cluster.close());
    const kafka = testKafka(cluster.brokers, 'e2e-relay');
    await createServiceTopics(kafka);
    const recorder = await recordTopics(kafka, 'e2e-relay-recorder', [TOPIC.updated]);
    onCleanup(() => recorder.stop());

    const stores = {
      MASTERY_JWT_SECRET: SECRET,
      MASTERY_DATABASE_URL: schema.url,
      MASTERY_REDIS_URL: redisUrl,
      MASTERY_KAFKA_BROKERS: cluster.brokers.join(','),
    };
    const [worker, serve] = await Promise.all([
      startWorker({ ...stores, MASTERY_KAFKA_GROUP_ID: 'e2e-relay-worker' }),
      startServe({ ...stores, MASTERY_KAFKA_GROUP_ID: 'e2e-relay-worker', MASTERY_HTTP_INGEST: 'forward' }),
    ]);
    onCleanup(() => worker.stop());
    onCleanup(() => stopChild(serve.child));

    const events = seededClass({
      seed: 77,
      prefix: 'relay',
      students: 8,
      topics: ['python.loops'],
      days: ['2026-01-05', '2026-01-06', '2026-01-07'],
      density: 1,
    });
    const students = [...new Set(events.map((e) => e.student_id))].sort();
    const classOf = students.slice(0, 3);
    const admin = await signHs256(SECRET, { role: 'admin', sub: 'relay-admin', expiresIn: '1h' });
    const teacher = await signHs256(SECRET, { role: 'teacher', sub: 'relay-teacher', students: classOf, expiresIn: '1h' });
    const service = await signHs256(SECRET, { role: 'service', sub: 'relay-producer', expiresIn: '1h' });

    const adminStream = await openStream(serve.url, admin);
    onCleanup(() => adminStream.close());
    const teacherStream = await openStream(serve.url, teacher);
    onCleanup(() => teacherStream.close());
    // The relay starts at the topic's end when it joins: what is published before is not its to hear.
    await waitFor(() => /relaying mastery.updated to the live stream/.test(serve.log()), 'serve to join mastery.updated', {
      detail: () => serve.log().slice(-3000),
    });
    await recorder.joined;

    for (const batch of batchesOf(events, 20)) {
      const r = await postJson(`${serve.url}/v1/events`, service, batch);
      assert.equal(r.status, 202, JSON.stringify(r.body));
    }
    const onTopic = () => recorder.of(TOPIC.updated).map((m) => JSON.parse(m.value.toString('utf8')) as MasteryUpdated);
    // The worker commits its offsets once a chunk's updates are published: with nothing left to
    // commit, the topic holds all of them.
    await waitFor(
      async () =>
        (await groupBacklog(kafka, 'e2e-relay-worker', [TOPIC.requests, TOPIC.retry])) === 0 &&
        recorder.of(TOPIC.updated).length === (await topicSize(kafka, TOPIC.updated)) &&
        adminStream.received.length >= onTopic().length,
      'the worker to apply every event, and each of its updates on the admin stream',
      { timeoutMs: 60_000, detail: () => `${onTopic().length} on the topic, ${adminStream.received.length} streamed; worker:\n${worker.log().slice(-2000)}` },
    );

    const published = onTopic();
    assert.ok(
      students.every((s) => published.some((u) => u.student_id === s)),
      'an update for every student',
    );
    assert.deepEqual(
      adminStream.received.map((r) => r.update).sort((a, b) => a.event_id.localeCompare(b.event_id)),
      [...published].sort((a, b) => a.event_id.localeCompare(b.event_id)),
      'each update on the topic, streamed once, as published',
    );
    for (const { id, update } of adminStream.received) assert.equal(id, update.event_id, 'the SSE id is the event_id');
    const forClass = published.filter((u) => classOf.includes(u.student_id));
    await waitFor(() => teacherStream.received.length >= forClass.length, "the class's updates on the teacher's stream");
    assert.deepEqual(new Set(teacherStream.received.map((r) => r.update.event_id)), new Set(forClass.map((u) => u.event_id)));
    assert.ok(
      teacherStream.received.every((r) => classOf.includes(r.update.student_id)),
      'nothing of another class',
    );
    t.diagnostic(
      `${events.length} events forwarded, ${published.length} updates published by the worker, ${adminStream.received.length} relayed to the admin's stream`,
    );

    // Stopping serve stops its relay too: it exits on SIGTERM, cleanly.
    await adminStream.close();
    await teacherStream.close();
    serve.child.kill('SIGTERM');
    const [code] = (await once(serve.child, 'exit')) as [number | null];
    assert.equal(code, 0, serve.log().slice(-2000));
  });
});
