import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SqlClient } from './sql-client.js';

/**
 * A SqlClient on PGlite: PostgreSQL compiled to WebAssembly, in this process, kept on disk in
 * `dataDir` (or in memory when it is undefined). One process may open a data folder at a time.
 */
export async function openPglite(dataDir?: string): Promise<SqlClient> {
  if (dataDir !== undefined) await mkdir(dirname(dataDir), { recursive: true });
  const db = await PGlite.create(dataDir);
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return (await db.query<T>(sql, params)).rows;
    },
    transaction: (work) => db.transaction((tx) => work({ query: async (sql, params) => (await tx.query(sql, params)).rows as never })),
    close: () => db.close(),
  };
}
