/**
 * The worker-thread side of openPgliteThread: owns one PGlite and runs what the main thread
 * sends, in order. Messages: { id, op: 'query', sql, params, tx? } | { id, op: 'begin' } |
 * { id, op: 'end', tx, commit } | { id, op: 'close' }; each is answered { id, rows? , tx?, error? }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';

type Request =
  | { id: number; op: 'query'; sql: string; params?: unknown[]; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

const port = parentPort!;
const db = await PGlite.create((workerData as { dataDir?: string }).dataDir);
/** Open transactions: the PGlite transaction, how to end it, and its outcome. */
const open = new Map<number, { tx: Transaction; end: (commit: boolean) => void; done: Promise<void> }>();
let nextTx = 1;

/** How a transaction the main thread gave up on is ended: PGlite rolls back on a rejection. */
class RolledBack extends Error {}

const failure = (error: unknown) => {
  const e = error as { message?: string; code?: string; name?: string };
  return { message: e.message ?? String(error), code: e.code, name: e.name };
};

async function handle(m: Request): Promise<unknown> {
  switch (m.op) {
    case 'query': {
      const runner = m.tx === undefined ? db : open.get(m.tx)?.tx;
      if (runner === undefined) throw new Error(`transaction ${m.tx} is not open`);
      return { rows: (await runner.query(m.sql, m.params)).rows };
    }
    case 'begin': {
      const tx = nextTx++;
      // PGlite holds its lock for the whole transaction: other queries wait, as in-process.
      await new Promise<void>((started, failed) => {
        const done: Promise<void> = db.transaction(
          (t) =>
            new Promise<void>((commit, rollBack) => {
              open.set(tx, { tx: t, end: (ok) => (ok ? commit() : rollBack(new RolledBack())), done });
              started();
            }),
        );
        done.catch(failed);
      });
      return { tx };
    }
    case 'end': {
      const t = open.get(m.tx);
      if (t === undefined) throw new Error(`transaction ${m.tx} is not open`);
      open.delete(m.tx);
      t.end(m.commit);
      try {
        await t.done;
      } catch (error) {
        if (!(error instanceof RolledBack)) throw error;
      }
      return {};
    }
    case 'close':
      await db.close();
      return {};
  }
}

port.on('message', (m: Request) => {
  handle(m).then(
    (answer) => port.postMessage({ id: m.id, ...(answer as object) }),
    (error: unknown) => port.postMessage({ id: m.id, error: failure(error) }),
  );
});
port.postMessage({ id: 0, ready: true });
