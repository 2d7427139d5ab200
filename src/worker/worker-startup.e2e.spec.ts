/**
 * `mastery worker` answers its probes from the start: while it cannot join its consumer group
 * (here: no broker at the address given) /healthz says alive and /readyz says not ready yet.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { freshSchema } from '../testing/stores/postgres-schema.js';
import { freePort } from '../testing/stores/redis-server.js';
import { testRedisUrl } from '../testing/stores/test-redis.js';
import { fetchText, startWorker, type WorkerProcess } from '../testing/kafka/kafka-e2e.js';

describe('mastery worker before it has joined its group', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('serves /healthz (200) and /readyz (503 NOT_READY) while no broker answers', { timeout: 60_000 }, async () => {
    const schema = await freshSchema();
    cleanups.push(() => schema.drop());
    const nobody = await freePort();
    const worker: WorkerProcess = await startWorker({
      MASTERY_KAFKA_BROKERS: `127.0.0.1:${nobody}`,
      MASTERY_DATABASE_URL: schema.url,
      MASTERY_REDIS_URL: await testRedisUrl(1),
      MASTERY_JWT_SECRET: 'worker-startup-secret-0123456789abcdef-0123',
    });
    cleanups.push(() => worker.kill());

    const health = await fetchText(`${worker.url}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetchText(`${worker.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(JSON.parse(ready.text), { error: { code: 'NOT_READY', message: 'the worker has not joined its consumer group yet' } });
    assert.equal((await fetchText(`${worker.url}/metrics`)).status, 200, '/metrics answers too');
  });
});
