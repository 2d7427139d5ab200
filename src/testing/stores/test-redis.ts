/**
 * Test-only: the Redis the tests write to. By default a redis-server of this test process's own
 * (each test file runs in a process of its own), started on first use and gone with the
 * process; MASTERY_TEST_REDIS_URL points the tests at a server of the user's choosing instead,
 * and they then write to the database indexes they name on it.
 */
import { testServers } from '../../config/test-environment.js';
import { startRedisServer } from './redis-server.js';

let own: Promise<string> | undefined;

/** The URL of the test Redis with database `db` (0–15). */
export async function testRedisUrl(db = 0): Promise<string> {
  const base =
    testServers().redisUrl ??
    (await (own ??= startRedisServer().then((server) => {
      server.unref();
      return server.url;
    })));
  const url = new URL(base);
  url.pathname = `/${db}`;
  return url.toString();
}
