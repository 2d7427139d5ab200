import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENVIRONMENT, loadConfig } from '../config.js';
import { childProcessBase, testCrashPoint, testSeed, testServers } from './test-environment.js';
import { ConfigError } from './variables.js';

/** The message of the ConfigError `read` throws must name `variable`. */
function refuses(read: () => unknown, variable: string): void {
  assert.throws(read, (e: unknown) => e instanceof ConfigError && e.message.startsWith(`${variable} `), `${variable} should be refused`);
}

describe("the tests' own variables are not the service's configuration", () => {
  it('no MASTERY_TEST_* is in the service schema, and loadConfig does not read one', () => {
    assert.deepEqual(
      Object.keys(ENVIRONMENT.shape).filter((name) => name.startsWith('MASTERY_TEST_')),
      [],
    );
    assert.equal('testCrashPoint' in loadConfig({ MASTERY_TEST_CRASH_POINT: 'after-state-write' }), false);
  });
});

describe('testServers: where the suites find PostgreSQL and Redis', () => {
  it("defaults to the machine's database `test`, and no Redis (the suites start their own)", () => {
    assert.deepEqual(testServers({}), { databaseUrl: 'postgres://postgres@127.0.0.1:5432/test', redisUrl: undefined });
  });

  it('reads MASTERY_TEST_DATABASE_URL and MASTERY_TEST_REDIS_URL, and refuses URLs of the wrong kind', () => {
    assert.deepEqual(testServers({ MASTERY_TEST_DATABASE_URL: 'postgres://db/t', MASTERY_TEST_REDIS_URL: 'redis://r:6380' }), {
      databaseUrl: 'postgres://db/t',
      redisUrl: 'redis://r:6380',
    });
    refuses(() => testServers({ MASTERY_TEST_DATABASE_URL: 'mysql://db/t' }), 'MASTERY_TEST_DATABASE_URL');
    refuses(() => testServers({ MASTERY_TEST_REDIS_URL: 'localhost:6379' }), 'MASTERY_TEST_REDIS_URL');
  });
});

describe('testSeed: the property tests replay a seed given, or draw one', () => {
  it('reads MASTERY_TEST_SEED as given, and draws a whole number in range without it', () => {
    assert.equal(testSeed({ MASTERY_TEST_SEED: '706961122' }), 706961122);
    assert.equal(testSeed({ MASTERY_TEST_SEED: '0' }), 0);
    const drawn = testSeed({});
    assert.ok(Number.isInteger(drawn) && drawn >= 0 && drawn < 2 ** 31, `drawn ${drawn}`);
  });

  it('refuses a seed that is not a whole number fast-check takes', () => {
    for (const bad of ['-1', '1.5', 'abc', String(2 ** 31)]) refuses(() => testSeed({ MASTERY_TEST_SEED: bad }), 'MASTERY_TEST_SEED');
  });
});

describe('testCrashPoint: where a process started by a test kills itself', () => {
  it('is unset by default, and read when given', () => {
    assert.equal(testCrashPoint({}), undefined);
    assert.equal(testCrashPoint({ MASTERY_TEST_CRASH_POINT: 'after-state-write' }), 'after-state-write');
  });

  it('refuses a point it does not know, naming the variable', () => {
    refuses(() => testCrashPoint({ MASTERY_TEST_CRASH_POINT: 'sometime' }), 'MASTERY_TEST_CRASH_POINT');
  });
});

describe('childProcessBase: what a child process started by the tests inherits', () => {
  it('PATH alone, when there is one', () => {
    assert.deepEqual(childProcessBase({ PATH: '/usr/bin', HOME: '/root', MASTERY_JWT_SECRET: 'x' }), { PATH: '/usr/bin' });
    assert.deepEqual(childProcessBase({}), {});
  });
});
