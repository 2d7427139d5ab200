import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { signHs256 } from '../access/tokens.js';
import { MIGRATIONS } from '../adapters/sql/migrations.js';
import { openPostgres } from '../adapters/sql/postgres-client.js';
import { freshSchema } from '../testing/stores/postgres-schema.js';
import { workedExampleB } from '../testing/wire-events.js';
import { runCli, startServer } from '../testing/run-cli.js';
import { testRedisUrl } from '../testing/stores/test-redis.js';

const SECRET = 'rebuild-e2e-secret-at-least-32-bytes-long';
/** A Redis database of this suite's own, so flushing it disturbs no other suite. */
const REDIS_DB = 11;

describe('mastery migrate and mastery rebuild on PostgreSQL and Redis', () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let redis: Redis;
  let env: Record<string, string>;

  before(async () => {
    schema = await freshSchema();
    const redisUrl = await testRedisUrl(REDIS_DB);
    redis = new Redis(redisUrl);
    await redis.flushdb();
    env = { MASTERY_DATABASE_URL: schema.url, MASTERY_REDIS_URL: redisUrl, MASTERY_JWT_SECRET: SECRET };
  });
  after(async () => {
    await redis.quit();
    await schema.drop();
  });

  it('migrate creates the event log tables, and a second run changes nothing', async () => {
    const first = await runCli(['migrate'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /event log migrated \(PostgreSQL\)/);
    const db = await openPostgres(schema.url);
    try {
      const tables = (await db.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = current_schema()'))
        .map((t) => t.tablename)
        .sort();
      assert.deepEqual(tables, ['mastery_audit', 'mastery_events', 'mastery_learner_params', 'mastery_migrations', 'mastery_privacy']);
      assert.equal((await runCli(['migrate'], env)).code, 0);
      assert.equal(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM mastery_migrations'))[0]!.n), MIGRATIONS.length);
    } finally {
      await db.close();
    }
  });

  it('rebuild brings a flushed Redis back, applies new weights to the stored results, and is idempotent', async () => {
    const server = await startServer(env);
    try {
      const service = await signHs256(SECRET, { role: 'service', sub: 'producer' });
      const response = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${service}`, 'content-type': 'application/json' },
        body: JSON.stringify(workedExampleB('rebuilt-b')),
      });
      assert.equal(response.status, 200);
    } finally {
      await server.stop();
    }
    const stateKey = 'student:{rebuilt-b}:state';
    const currentKey = 'student:{rebuilt-b}:profile:current_mastery';
    const keysBefore = (await redis.keys('student:{rebuilt-b}:*')).sort();
    const { version: _v, ...stateBefore } = await redis.hgetall(stateKey);
    assert.ok(Object.keys(stateBefore).length > 0, 'the service wrote the student to Redis');

    await redis.flushdb();
    const rebuilt = await runCli(['rebuild'], env);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.match(rebuilt.stdout, /rebuilt 1 students from the event log/);
    assert.match(rebuilt.stderr, /1\/1 students 100%/);
    assert.deepEqual((await redis.keys('student:{rebuilt-b}:*')).sort(), keysBefore);
    // Same inputs, same days; only the version may differ.
    const { version: _after, ...stateAfter } = await redis.hgetall(stateKey);
    assert.deepEqual(stateAfter, stateBefore);

    // All weight on completion (0.8 for example B): the stored result follows the new weights.
    const reweighted = await runCli(['rebuild'], { ...env, MASTERY_WEIGHTS: '1,0,0,0' });
    assert.equal(reweighted.code, 0, reweighted.stderr);
    assert.equal(JSON.parse((await redis.get(currentKey))!).mastery_score, 0.8);

    const again = await runCli(['rebuild'], { ...env, MASTERY_WEIGHTS: '1,0,0,0' });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse((await redis.get(currentKey))!).mastery_score, 0.8);
  });
});

describe('mastery rebuild on the embedded default', () => {
  it('says there is nothing to do: the service rebuilds its state at every start', async () => {
    const r = await runCli(['rebuild'], { MASTERY_DATA_DIR: ':memory:', MASTERY_JWT_SECRET: SECRET });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /rebuilt from the log at every start/);
  });
});
