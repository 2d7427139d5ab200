import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry } from '../../ports/audit-trail.js';
import { freshSchema } from '../../testing/stores/postgres-schema.js';
import { migrate } from './migrations.js';
import { openPglite } from './pglite-client.js';
import { openPostgres } from './postgres-client.js';
import { createSqlAuditTrail } from './sql-audit-trail.js';
import type { SqlClient } from './sql-client.js';

const entry = (actor: string, n: number): AuditEntry => ({
  at: `2026-01-14T12:00:00.${String(n).padStart(3, '0')}Z`,
  actor,
  role: 'teacher',
  student_id: `s-${n}`,
  action: 'mastery.read',
  outcome: 'allowed',
  request_id: `r-${n}`,
});

describe('SQL audit trail: group commit', () => {
  let db: SqlClient | undefined;
  before(async () => {
    db = await openPglite();
    await migrate(db);
  });
  after(() => db?.close());

  it('writes one insert at a time: the entries recorded while one runs go together in the next', async () => {
    const inserts: number[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    // The real database, with the first insert held until the test lets it go.
    const counting: SqlClient = {
      ...db!,
      async query<T>(sql: string, params?: unknown[]) {
        if (sql.includes('INSERT INTO mastery_audit')) {
          inserts.push((JSON.parse(params![0] as string) as unknown[]).length);
          if (inserts.length === 1) await firstHeld;
        }
        return db!.query<T>(sql, params);
      },
    };
    const trail = createSqlAuditTrail(counting);

    const first = [trail.record([entry('gc-a', 0)]), trail.record([entry('gc-a', 1)])];
    await new Promise((resolve) => setImmediate(resolve));
    // The first insert is under way: these wait for it, in different turns of the event loop.
    const later: Array<Promise<void>> = [];
    for (let n = 2; n < 12; n++) {
      later.push(trail.record([entry('gc-a', n)]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(inserts, [2], 'one insert so far, with the two entries of the first turn');
    releaseFirst();
    await Promise.all([...first, ...later]);

    assert.deepEqual(inserts, [2, 10], 'the ten entries recorded meanwhile: one more insert');
    const { entries } = await trail.query({ actor: 'gc-a', limit: 50 });
    assert.equal(entries.length, 12, 'every entry stored');
  });

  it('rejects the callers of a failed insert only; the next insert is tried for the entries after it', async () => {
    let fail = true;
    const flaky: SqlClient = {
      ...db!,
      async query<T>(sql: string, params?: unknown[]) {
        if (sql.includes('INSERT INTO mastery_audit') && fail) {
          fail = false;
          throw new Error('connection lost');
        }
        return db!.query<T>(sql, params);
      },
    };
    const trail = createSqlAuditTrail(flaky);

    const lost = trail.record([entry('gc-b', 0)]);
    const kept = new Promise<void>((resolve, reject) => setImmediate(() => trail.record([entry('gc-b', 1)]).then(resolve, reject)));
    await assert.rejects(lost, /connection lost/);
    await kept;
    const { entries } = await trail.query({ actor: 'gc-b', limit: 10 });
    assert.deepEqual(
      entries.map((e) => e.request_id),
      ['r-1'],
    );
  });
});

/**
 * Which commit an insert asked for, seen from inside its transaction: the trail writes through
 * the transaction's connection, and SHOW reads the setting the insert left for its commit.
 */
function commitModes(where: string, open: () => Promise<{ db: SqlClient; close: () => Promise<void> }>) {
  describe(`SQL audit trail on ${where}: when an insert waits for the WAL flush`, () => {
    let opened: Awaited<ReturnType<typeof open>> | undefined;
    before(async () => {
      opened = await open();
      await migrate(opened.db);
    });
    after(() => opened?.close());

    const setting = async (db: Pick<SqlClient, 'query'>) => (await db.query<{ synchronous_commit: string }>('SHOW synchronous_commit'))[0]!.synchronous_commit;
    const commitOf = (entries: AuditEntry[], options?: { durableReads?: boolean }) =>
      opened!.db.transaction(async (tx) => {
        const base = await setting(tx);
        await createSqlAuditTrail({ ...opened!.db, query: tx.query }, options).record(entries);
        return { base, after: await setting(tx) };
      });
    const change = (n: number): AuditEntry => ({ ...entry('cm', n), action: 'erase', detail: { events_erased: 1 } });

    it('commits reads without waiting for the flush, for that transaction only', async () => {
      assert.deepEqual(await commitOf([entry('cm', 1), entry('cm', 2)]), { base: 'on', after: 'off' });
      assert.equal(await setting(opened!.db), 'on', 'the next statement commits as the server is set');
    });

    it('waits for the flush when an entry of the insert records a change, or when reads must be durable', async () => {
      assert.deepEqual(await commitOf([entry('cm', 3), change(4)]), { base: 'on', after: 'on' });
      assert.deepEqual(await commitOf([entry('cm', 5)], { durableReads: true }), { base: 'on', after: 'on' });
      for (const action of ['events.ingest', 'consent.update'] as const) {
        assert.deepEqual(await commitOf([{ ...entry('cm', 6), action }]), { base: 'on', after: 'on' }, action);
      }
    });

    it('stores the entries either way', async () => {
      const trail = createSqlAuditTrail(opened!.db);
      await trail.record([entry('cm-stored', 7)]);
      await trail.record([change(8)].map((e) => ({ ...e, actor: 'cm-stored' })));
      const { entries } = await trail.query({ actor: 'cm-stored', limit: 10 });
      assert.deepEqual(entries.map((e) => e.action).sort(), ['erase', 'mastery.read']);
    });
  });
}

commitModes('PGlite', async () => {
  const db = await openPglite();
  return { db, close: () => db.close() };
});

commitModes('PostgreSQL (a real server)', async () => {
  const schema = await freshSchema();
  const db = await openPostgres(schema.url);
  return {
    db,
    async close() {
      await db.close();
      await schema.drop();
    },
  };
});
