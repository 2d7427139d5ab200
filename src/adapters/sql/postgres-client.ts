import pg from 'pg';
import type { Logger } from 'pino';
import type { SqlClient } from './sql-client.js';

/** A SqlClient on a PostgreSQL server (node-postgres pool). */
export async function openPostgres(url: string, logger?: Pick<Logger, 'error'>): Promise<SqlClient> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 });
  // An idle connection that dies must not take the process with it; the next query reconnects.
  pool.on('error', (error) => logger?.error({ err: error }, 'an idle PostgreSQL connection failed'));
  await pool.query('SELECT 1');
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({ query: async (sql, params) => (await client.query(sql, params)).rows as never });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
