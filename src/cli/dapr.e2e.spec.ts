import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signHs256 } from '../access/tokens.js';
import { startDaprContractServer, type DaprContractServer } from '../adapters/dapr/testing/dapr-contract-server.js';
import { workedExampleB } from '../testing/wire-events.js';
import { startServer } from './testing/run-cli.js';

const SECRET = 'dapr-e2e-secret-that-is-at-least-32-bytes';

describe('mastery serve with the Dapr state API as its state store', () => {
  let dapr: DaprContractServer;
  before(async () => {
    dapr = await startDaprContractServer({ store: 'mastery-state' });
  });
  after(() => dapr.close());

  it('keeps students in Dapr under the events.md keys, and serves worked example B from there', async () => {
    const server = await startServer({
      MASTERY_DATA_DIR: ':memory:',
      MASTERY_JWT_SECRET: SECRET,
      MASTERY_DAPR_URL: dapr.url,
      MASTERY_DAPR_STORE: 'mastery-state',
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

      assert.ok(dapr.keys().includes('student:{dapr-b}:state'), dapr.keys().join(', '));
      assert.ok(dapr.keys().includes('student:{dapr-b}:profile:current_mastery'));
      assert.ok(dapr.requests.some((r) => r.path === '/v1.0/state/mastery-state/transaction'), 'writes go in transactions');

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
