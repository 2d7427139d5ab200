import { execFile } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { access, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import type { SqlClient } from './sql-client.js';

const run = promisify(execFile);

/** What a child process runs to create a data folder: PGlite runs initdb on first open. */
const INITDB = `
const [moduleUrl, dataDir] = process.argv.slice(1);
const { PGlite } = await import(moduleUrl);
const db = await PGlite.create(dataDir);
await db.close();
`;

/**
 * Creates a new data folder in a short-lived child process. PGlite runs initdb on first open,
 * and this process would keep the memory initdb used (hundreds of MB) for as long as it lives.
 */
async function createDataDir(dataDir: string): Promise<void> {
  try {
    await access(join(dataDir, 'PG_VERSION'));
    return; // an existing database
  } catch {
    await mkdir(dirname(dataDir), { recursive: true });
    await run(process.execPath, ['--input-type=module', '-e', INITDB, import.meta.resolve('@electric-sql/pglite'), dataDir]);
  }
}

/**
 * A SqlClient on PGlite: PostgreSQL compiled to WebAssembly, in this process, kept on disk in
 * `dataDir` (or in memory when it is undefined). One process may open a data folder at a time.
 */
export async function openPglite(dataDir?: string): Promise<SqlClient> {
  if (dataDir !== undefined) await createDataDir(dataDir);
  const db = await PGlite.create(dataDir);
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return (await db.query<T>(sql, params)).rows;
    },
    transaction: (work) => db.transaction((tx) => work({ query: async (sql, params) => (await tx.query(sql, params)).rows as never })),
    close: () => db.close(),
  };
}

/** The thread: built, pglite-thread.js; from source (tests run through tsx), its .ts twin. */
function startThread(workerData: { dataDir?: string }): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./pglite-thread.js', import.meta.url), { workerData });
  // A worker does not inherit tsx's loader: it registers it before importing the TypeScript.
  const entry = JSON.stringify(new URL('./pglite-thread.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); })`, { eval: true, workerData });
}

type Answer = { id: number; rows?: unknown[]; tx?: number; ready?: boolean; error?: { message: string; code?: string; name?: string } };

/**
 * The same SqlClient with PGlite in a worker thread (pglite-thread.ts): the database's work —
 * PostgreSQL itself, compiled to WebAssembly — runs on another core than the HTTP handling and
 * the model, which on the embedded default share one thread otherwise.
 */
export async function openPgliteThread(dataDir?: string): Promise<SqlClient> {
  if (dataDir !== undefined) await createDataDir(dataDir);
  const worker = startThread({ dataDir });
  const waiting = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failed: Error | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    waiting.set(0, { resolve: () => resolve(), reject });
  });
  worker.on('message', (a: Answer) => {
    const w = waiting.get(a.id);
    if (w === undefined) return;
    waiting.delete(a.id);
    if (a.error) w.reject(Object.assign(new Error(a.error.message), { code: a.error.code, name: a.error.name ?? 'Error' }));
    else w.resolve(a);
  });
  const fail = (error: Error) => {
    failed = error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the PGlite thread exited (code ${code})`)));
  const send = (message: Record<string, unknown>): Promise<Answer> => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    return new Promise<Answer>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, ...message });
    });
  };
  await ready;
  const query = async <T>(sql: string, params?: unknown[], tx?: number) => (await send({ op: 'query', sql, params, tx })).rows as T[];
  return {
    query: (sql, params) => query(sql, params),
    async transaction(work) {
      const { tx } = await send({ op: 'begin' });
      let result: Awaited<ReturnType<typeof work>>;
      try {
        result = await work({ query: (sql, params) => query(sql, params, tx) });
      } catch (error) {
        await send({ op: 'end', tx, commit: false });
        throw error;
      }
      await send({ op: 'end', tx, commit: true });
      return result;
    },
    async close() {
      await send({ op: 'close' });
      await worker.terminate();
    },
  };
}
