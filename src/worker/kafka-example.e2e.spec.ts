/**
 * examples/kafka-producer.ts against the tests' Kafka: `mastery worker` (which makes its topics
 * through the admin API on a broker that has none) applies the two events the example sends,
 * and publishes the student's result on mastery.updated.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startKafkaBrokers } from '../testing/kafka/kafka-broker.js';
import { childProcessBase } from '../config/test-environment.js';
import type { MasteryUpdated } from '../ports/bus.js';
import { cleanups } from '../testing/cleanups.js';
import { fetchText, metricValue, recordTopics, startWorker, testKafka, TOPIC, waitFor, workerKafkaEnv } from '../testing/kafka/kafka-e2e.js';

const run = promisify(execFile);
const example = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'kafka-producer.ts');

describe('examples/kafka-producer.ts', () => {
  it('sends two events that the worker applies, and the student gets a mastery.updated', { timeout: 120_000 }, async (t) => {
    const onCleanup = cleanups(t);
    const cluster = await startKafkaBrokers();
    onCleanup(() => cluster.close());
    const worker = await startWorker({
      ...workerKafkaEnv(cluster.brokers),
      MASTERY_KAFKA_GROUP_ID: 'e2e-example',
      MASTERY_DATA_DIR: ':memory:',
      MASTERY_JWT_SECRET: 'kafka-example-secret-at-least-thirty-two-bytes',
    });
    onCleanup(() => worker.stop());
    await waitFor(async () => (await fetchText(`${worker.url}/readyz`)).status === 200, 'the worker to join its group', {
      timeoutMs: 60_000,
      detail: () => worker.log().slice(-2000),
    });
    const kafka = testKafka(cluster.brokers, 'e2e-example');
    const updates = await recordTopics(kafka, 'e2e-example-recorder', [TOPIC.updated]);
    onCleanup(() => updates.stop());

    const sent = await run(process.execPath, ['--import', 'tsx', example, '--brokers', cluster.brokers.join(','), '--student', 'example-7'], {
      env: childProcessBase(),
    });
    const ids = sent.stdout.trim().split('\n');
    assert.equal(ids.length, 2, sent.stdout + sent.stderr);

    await waitFor(
      async () => metricValue((await fetchText(`${worker.url}/metrics`)).text, 'mastery_events_total', { source: 'kafka', outcome: 'accepted' }) === 2,
      'the worker to apply both events',
      {
        timeoutMs: 30_000,
        detail: () => worker.log().slice(-2000),
      },
    );
    await waitFor(() => updates.of(TOPIC.updated).some((m) => m.key === 'example-7'), "the student's mastery.updated", { timeoutMs: 30_000 });
    const update = JSON.parse(
      updates
        .of(TOPIC.updated)
        .find((m) => m.key === 'example-7')!
        .value.toString(),
    ) as MasteryUpdated;
    assert.equal(update.student_id, 'example-7');
    assert.ok(update.mastery_score > 0, JSON.stringify(update));
  });
});
