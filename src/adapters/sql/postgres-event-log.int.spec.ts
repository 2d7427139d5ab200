import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventLog } from '../../ports/event-log.js';
import { auditTrailContract } from '../../testing/contracts/audit-trail-contract.js';
import { eventLogContract } from '../../testing/contracts/event-log-contract.js';
import { privacyRegistryContract } from '../../testing/contracts/privacy-registry-contract.js';
import { learnerParamsStoreContract } from '../../testing/contracts/learner-params-store-contract.js';
import { createSqlLearnerParamsStore } from './sql-learner-params-store.js';
import { freshSchema } from '../../testing/stores/postgres-schema.js';
import { migrate } from './migrations.js';
import { openPostgres } from './postgres-client.js';
import { createSqlAuditTrail } from './sql-audit-trail.js';
import type { SqlClient } from './sql-client.js';
import { createSqlEventLog } from './sql-event-log.js';
import { createSqlPrivacyRegistry } from './sql-privacy-registry.js';
import { storedColumnsCase } from '../../testing/stores/stored-columns.js';

describe('SQL event log on PostgreSQL (a real server)', () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let db: SqlClient;

  before(async () => {
    schema = await freshSchema();
    db = await openPostgres(schema.url);
    await migrate(db);
  });
  after(async () => {
    await db.close();
    await schema.drop();
  });

  // One pool for the file; each test's close() leaves it open.
  eventLogContract('EventLog contract: SQL on PostgreSQL', async (): Promise<EventLog> => ({ ...createSqlEventLog(db), close: async () => {} }));
  // The audit trail and the privacy registry live in the event log's database: the same schema here.
  auditTrailContract('AuditTrail contract: SQL on PostgreSQL', async () => createSqlAuditTrail(db));
  privacyRegistryContract('PrivacyRegistry contract: SQL on PostgreSQL', async () => createSqlPrivacyRegistry(db));
  learnerParamsStoreContract('LearnerParamsStore contract: SQL on PostgreSQL', async () => createSqlLearnerParamsStore(db));
  storedColumnsCase(() => db);

  it('migrates once: a second run applies nothing', async () => {
    assert.deepEqual(await migrate(db), []);
  });

  it('appends a batch in one statement: 1,000 events are one round trip', async () => {
    const log = createSqlEventLog(db);
    const statements: string[] = [];
    const counting: SqlClient = { ...db, query: (sql, params) => (statements.push(sql), db.query(sql, params)) };
    const events = Array.from({ length: 1000 }, (_, i) => ({
      event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      event_type: 'activity.recorded' as const,
      timestamp: '2026-01-10T10:00:00Z',
      student_id: `one-trip-${i % 10}`,
      topic: 'general',
      data: {},
    }));
    const { stored } = await createSqlEventLog(counting).append(events);
    assert.equal(stored.size, 1000);
    assert.equal(statements.length, 1);
    assert.equal((await log.readStudent('one-trip-3')).length, 100);
  });

  it('indexes the per-student reads and keys events by event_id', async () => {
    const indexes = await db.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'mastery_events'");
    const defs = indexes.map((i) => i.indexdef).join('\n');
    assert.match(defs, /UNIQUE INDEX .*\(event_id\)/);
    assert.match(defs, /\(student_id, occurred_at\)/);
  });

  it('lets concurrent batches share event ids in opposite orders: no deadlock in opposite orders, and store each event once', async () => {
    const log = createSqlEventLog(db);
    for (let round = 0; round < 10; round++) {
      const events = Array.from({ length: 400 }, (_, i) => ({
        // Ids of this test's own (c0c0c0c…), apart from the other tests' on this schema.
        event_id: `c0c0c0c${round}-0000-4000-8000-${String(i).padStart(12, '0')}`,
        event_type: 'activity.recorded' as const,
        timestamp: '2026-01-10T10:00:00Z',
        student_id: `race-${i % 20}`,
        topic: 'general',
        data: {},
      }));
      const stored = (await Promise.all([log.append(events), log.append([...events].reverse()), log.append(events.slice(100, 300))])).map((a) => a.stored);
      assert.equal(new Set(stored.flatMap((s) => [...s])).size, 400, 'every event stored by exactly one of the batches');
      assert.equal(
        stored.reduce((n, s) => n + s.size, 0),
        400,
      );
    }
  });
});
