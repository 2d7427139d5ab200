/**
 * The little the SQL event log needs of a connection. PGlite and node-postgres both fit it, so
 * one set of migrations and queries serves the embedded and the production database.
 */
export interface SqlClient {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `work` in one transaction, committed when it returns, rolled back when it throws. */
  transaction<T>(work: (tx: Pick<SqlClient, 'query'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
