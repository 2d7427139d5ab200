import { randomUUID } from 'node:crypto';
import { openPostgres } from '../../adapters/sql/postgres-client.js';
import { testServers } from '../../config/test-environment.js';

/**
 * A schema of its own in the test database, so suites running side by side never see each
 * other's tables; `url` connects with it as the search path. `drop()` removes it.
 */
export async function freshSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = testServers().databaseUrl;
  const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = await openPostgres(base);
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}
