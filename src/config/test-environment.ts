import { choice, type Env, integer, MAX_INT32, readOne, url } from './variables.js';

/*
 * The test suite's own variables, MASTERY_TEST_*: none is configuration of the service, none is
 * in its schema (src/config.ts), the README's configuration table or .env.example, and
 * compose.yaml and deploy/ may not name them. They are read here, so that the environment is
 * still read in src/config* alone.
 */

/**
 * Where the test suites find real servers: the machine's PostgreSQL (a database of the suite's
 * own) and, only when told, a Redis; otherwise the tests start their own (see the README's
 * "Tests" section).
 */
export function testServers(env: Env = process.env): { databaseUrl: string; redisUrl: string | undefined } {
  return {
    databaseUrl: readOne(url(['postgres:', 'postgresql:']), env, 'MASTERY_TEST_DATABASE_URL') ?? 'postgres://postgres@127.0.0.1:5432/test',
    // Unset: the tests start redis-servers of their own (src/testing/stores/test-redis.ts).
    redisUrl: readOne(url(['redis:', 'rediss:'], true), env, 'MASTERY_TEST_REDIS_URL'),
  };
}

/**
 * The seed of the suite's property tests: `MASTERY_TEST_SEED` replays a failed run exactly;
 * unset, each run draws a new one (and prints it), so runs keep exploring new cases.
 */
export function testSeed(env: Env = process.env): number {
  return readOne(integer(Math.floor(Math.random() * 2 ** 31), 0, MAX_INT32), env, 'MASTERY_TEST_SEED');
}

/** What a child `mastery` process started by the tests inherits: where to find executables. */
export function childProcessBase(env: Env = process.env): Record<string, string> {
  return env.PATH === undefined ? {} : { PATH: env.PATH };
}

export const TEST_CRASH_POINTS = ['after-state-write'] as const;
export type TestCrashPoint = (typeof TEST_CRASH_POINTS)[number];

/**
 * Where a `mastery` process started by a test kills itself (SIGKILL), so that the test can prove
 * what a crash at that point leaves (src/runtime/test-crash-point.ts). `after-state-write`: once
 * a state write that saved updates returns, before they are published. Unset everywhere else.
 */
export function testCrashPoint(env: Env = process.env): TestCrashPoint | undefined {
  return readOne(choice(TEST_CRASH_POINTS, undefined), env, 'MASTERY_TEST_CRASH_POINT');
}
