import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signHs256 } from '../access/tokens.js';
import { type Daprd, keysByDapr, startDaprd, storedByDapr } from '../testing/stores/daprd.js';
import { workedExampleB } from '../testing/wire-events.js';
import { startServer } from '../testing/run-cli.js';

const SECRET = 'dapr-e2e-secret-that-is-at-least-32-bytes';

describe('mastery serve with a Dapr sidecar (daprd, state.redis) as its state store', () => {
  let dapr: Daprd;
  before(async () => {
    // A test Redis database no other spec file uses.
    dapr = await startDaprd({ redisDb: 15 });
  });
  after(() => dapr.stop());

  it('keeps students in Dapr under the events.md keys, and serves worked example B from there', async () => {
    const server = await startServer({
      MASTERY_DATA_DIR: ':memory:',
      MASTERY_JWT_SECRET: SECRET,
      MASTERY_DAPR_URL: dapr.url,
      MASTERY_DAPR_STORE: dapr.store,
      MASTERY_CACHE_SECONDS: '0',
    });
    try {
      const service = await signHs256(SECRET, { role: 'service', sub: 'producer' });
      const admin = await signHs256(SECRET, { role: 'admin', sub: 'root' });
      const posted = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${service}`, 'content-type': 'application/json' },
        body: JSON.stringify(workedExampleB('dapr-b')),
      });
      assert.equal(posted.status, 200);

      // keyPrefix none: Redis holds the engine's key names, in the layout of Dapr's state.redis.
      const keys = await keysByDapr(dapr.redis, 'student:{dapr-b}:');
      assert.ok(keys.includes('student:{dapr-b}:state'), keys.join(', '));
      assert.ok(keys.includes('student:{dapr-b}:profile:current_mastery'));
      assert.equal((await storedByDapr(dapr.redis, 'student:{dapr-b}:state'))?.etag, '1', 'written once, through the sidecar');

      const read = await fetch(`${server.url}/v1/students/dapr-b/mastery?as_of=2026-01-14`, { headers: { authorization: `Bearer ${admin}` } });
      const body = (await read.json()) as { mastery_score: number; level: string };
      assert.equal(body.mastery_score, 0.712);
      assert.equal(body.level, 'competent');
      const ready = await fetch(`${server.url}/readyz`);
      assert.equal(ready.status, 200);
    } finally {
      await server.stop();
    }
  });
});
