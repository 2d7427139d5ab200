import { join } from 'node:path';
import type { Logger } from 'pino';
import { createMemoryAuditTrail } from '../adapters/memory/memory-audit-trail.js';
import { createMemoryEventLog } from '../adapters/memory/memory-event-log.js';
import { createMemoryLearnerParamsStore } from '../adapters/memory/memory-learner-params-store.js';
import { createSqlLearnerParamsStore } from '../adapters/sql/sql-learner-params-store.js';
import type { LearnerParamsStore } from '../ports/learner-params-store.js';
import { createMemoryPrivacyRegistry } from '../adapters/memory/memory-privacy-registry.js';
import { migrate } from '../adapters/sql/migrations.js';
import { openPgliteThread } from '../adapters/sql/pglite-client.js';
import { openPostgres } from '../adapters/sql/postgres-client.js';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import { createSqlAuditTrail } from '../adapters/sql/sql-audit-trail.js';
import { createSqlEventLog } from '../adapters/sql/sql-event-log.js';
import { createSqlPrivacyRegistry } from '../adapters/sql/sql-privacy-registry.js';
import { MEMORY_DATA_DIR, type Config } from '../config.js';
import type { AuditTrail } from '../ports/audit-trail.js';
import type { EventLog } from '../ports/event-log.js';
import type { PrivacyRegistry } from '../ports/privacy-registry.js';
import { lockDataFolder } from './data-folder-lock.js';

/** PGlite in `folder`, held by this process alone until it is closed. */
async function openEmbedded(folder: string): Promise<SqlClient> {
  const release = await lockDataFolder(`${folder}.lock`);
  try {
    const db = await openPgliteThread(folder);
    return {
      ...db,
      async close() {
        try {
          await db.close();
        } finally {
          await release();
        }
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/** The SQL database of the event log, migrated: PostgreSQL when configured, else PGlite. */
export async function openEventLogDatabase(config: Config, logger: Logger): Promise<SqlClient> {
  const db = config.databaseUrl ? await openPostgres(config.databaseUrl, logger) : await openEmbedded(join(config.dataDir, 'pglite'));
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ migrations: applied }, 'event log migrated');
  return db;
}

/** The durable side of the engine: the event log, the audit trail, the privacy registry, the learner model's parameters. */
export interface DurableStores {
  log: EventLog;
  audit: AuditTrail;
  privacy: PrivacyRegistry;
  params: LearnerParamsStore;
}

export async function openDurableStores(config: Config, logger: Logger): Promise<DurableStores> {
  if (!config.databaseUrl && config.dataDir === MEMORY_DATA_DIR) {
    return { log: createMemoryEventLog(), audit: createMemoryAuditTrail(), privacy: createMemoryPrivacyRegistry(), params: createMemoryLearnerParamsStore() };
  }
  const db = await openEventLogDatabase(config, logger);
  return {
    log: createSqlEventLog(db),
    audit: createSqlAuditTrail(db, { durableReads: config.privacy.durableReadAudit }),
    privacy: createSqlPrivacyRegistry(db),
    params: createSqlLearnerParamsStore(db),
  };
}
