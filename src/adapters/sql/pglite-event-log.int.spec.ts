import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LearningEvent } from '../../model/learning-event.js';
import type { EventLog } from '../../ports/event-log.js';
import { auditTrailContract } from '../../testing/contracts/audit-trail-contract.js';
import { eventLogContract } from '../../testing/contracts/event-log-contract.js';
import { privacyRegistryContract } from '../../testing/contracts/privacy-registry-contract.js';
import { learnerParamsStoreContract } from '../../testing/contracts/learner-params-store-contract.js';
import { createSqlLearnerParamsStore } from './sql-learner-params-store.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { openPglite, openPgliteThread } from './pglite-client.js';
import { createSqlAuditTrail } from './sql-audit-trail.js';
import type { SqlClient } from './sql-client.js';
import { createSqlEventLog } from './sql-event-log.js';
import { createSqlPrivacyRegistry } from './sql-privacy-registry.js';
import { storedColumnsCase } from '../../testing/stores/stored-columns.js';

const ALL_MIGRATIONS = MIGRATIONS.map((m) => m.id);

/** The SQL-backed ports' contracts, each on the database this describe shares between its tests. */
function sqlContracts(where: string, database: () => SqlClient): void {
  eventLogContract(`EventLog contract: SQL on ${where}`, async () => sharedLog(database()));
  // The audit trail and the privacy registry live in the event log's database: the same one here.
  auditTrailContract(`AuditTrail contract: SQL on ${where}`, async () => createSqlAuditTrail(database()));
  privacyRegistryContract(`PrivacyRegistry contract: SQL on ${where}`, async () => createSqlPrivacyRegistry(database()));
  learnerParamsStoreContract(`LearnerParamsStore contract: SQL on ${where}`, async () => createSqlLearnerParamsStore(database()));
  storedColumnsCase(database);
}

/** The log over a database this file shares between tests: closing it leaves the database open. */
function sharedLog(db: SqlClient): EventLog {
  return { ...createSqlEventLog(db), close: async () => {} };
}

describe('SQL event log on PGlite', () => {
  // One in-memory database for the whole file (PGlite takes a second or two to start); the
  // contract keeps its tests apart with student and event ids of their own.
  let db: SqlClient | undefined;
  let firstMigration: string[] = [];
  before(async () => {
    db = await openPglite();
    firstMigration = await migrate(db);
  });
  after(async () => {
    await db?.close();
  });
  const database = () => {
    assert.ok(db, 'the shared database is open');
    return db;
  };

  sqlContracts('in-memory PGlite', database);

  describe('PGlite specifics', () => {
    it('migrate applies every migration on a new database, then nothing: a second call returns []', async () => {
      const db = database();
      assert.deepEqual(firstMigration, ALL_MIGRATIONS);

      assert.deepEqual(await migrate(db), []);
      assert.deepEqual(await migrate(db), []);

      const recorded = await db.query<{ id: string }>('SELECT id FROM mastery_migrations ORDER BY id');
      assert.deepEqual(
        recorded.map((r) => r.id),
        ALL_MIGRATIONS,
        'each migration recorded once',
      );
      await assert.doesNotReject(sharedLog(db).ping(), 'the schema still works');
    });

    it('keeps the events across close and reopen of the same data folder', async (t) => {
      const dir = await mkdtemp(join(tmpdir(), 'mastery-pglite-'));
      let open: SqlClient | undefined;
      t.after(async () => {
        await open?.close();
        await rm(dir, { recursive: true, force: true });
      });
      const events: LearningEvent[] = [
        {
          event_id: randomUUID(),
          event_type: 'mastery.calculation.requested',
          timestamp: '2026-01-12T09:00:00Z',
          student_id: 'persisted-a',
          component: 'completion',
          topic: 'python.loops',
          data: { total_exercises: 25, completed_exercises: 20, difficulty: 'advanced' },
          metadata: { source: 'exercise-agent', version: '1.0' },
        },
        {
          event_id: randomUUID(),
          event_type: 'activity.recorded',
          timestamp: '2026-01-13T09:00:00Z',
          student_id: 'persisted-a',
          topic: 'general',
          data: {},
        },
        {
          event_id: randomUUID(),
          event_type: 'mastery.calculation.requested',
          timestamp: '2026-01-12T10:00:00Z',
          student_id: 'persisted-b',
          component: 'quiz',
          topic: 'python.lists',
          data: { total_questions: 10, correct_answers: 7 },
        },
      ];

      open = await openPglite(dir);
      assert.deepEqual(await migrate(open), ALL_MIGRATIONS, 'a new folder gets every migration');
      assert.equal((await createSqlEventLog(open).append(events)).stored.size, 3);
      const closing = open;
      open = undefined;
      await createSqlEventLog(closing).close();

      open = await openPglite(dir);
      assert.deepEqual(await migrate(open), [], 'a reopened folder needs no migration');
      const log = createSqlEventLog(open);
      assert.deepEqual(await log.readStudent('persisted-a'), [events[0], events[1]]);
      assert.deepEqual(await log.readStudent('persisted-b'), [events[2]]);
      const scanned: string[] = [];
      for await (const page of log.scanStudents(1)) scanned.push(...page.map((s) => s.studentId));
      assert.deepEqual(scanned, ['persisted-a', 'persisted-b']);
      assert.deepEqual((await log.append(events)).stored, new Set(), 'the stored ids still count as stored');
    });
  });
});

describe('SQL event log on PGlite in a worker thread (the embedded default of serve)', () => {
  let db: SqlClient | undefined;
  let dir: string | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mastery-pglite-thread-'));
    db = await openPgliteThread(join(dir, 'pglite'));
    await migrate(db);
  });
  after(async () => {
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const database = () => {
    assert.ok(db, 'the shared database is open');
    return db;
  };

  sqlContracts('PGlite in a thread', database);

  it('a transaction commits what its work did, and rolls all of it back when the work throws', async () => {
    const db = database();
    await db.query('CREATE TABLE IF NOT EXISTS thread_tx (n int)');
    assert.equal(await db.transaction(async (tx) => (await tx.query('INSERT INTO thread_tx VALUES (1), (2) RETURNING n')).length), 2);
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO thread_tx VALUES (3)');
        throw new Error('the work failed');
      }),
      /the work failed/,
    );
    assert.deepEqual(
      (await db.query<{ n: number }>('SELECT n FROM thread_tx ORDER BY n')).map((r) => r.n),
      [1, 2],
    );
  });

  it('a statement PostgreSQL refuses rejects with its error and code, and the thread goes on', async () => {
    const db = database();
    await assert.rejects(db.query('SELECT * FROM no_such_table'), (error: Error & { code?: string }) => {
      assert.match(error.message, /no_such_table/);
      assert.equal(error.code, '42P01');
      return true;
    });
    assert.deepEqual(await db.query('SELECT 1 AS one'), [{ one: 1 }]);
  });
});
