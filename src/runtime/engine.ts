import { join } from 'node:path';
import type { Logger } from 'pino';
import { createMemoryBus } from '../adapters/memory/memory-bus.js';
import { createMemoryEventLog } from '../adapters/memory/memory-event-log.js';
import { createMemoryStateStore } from '../adapters/memory/memory-state-store.js';
import { migrate } from '../adapters/sql/migrations.js';
import { openPglite } from '../adapters/sql/pglite-client.js';
import { createSqlEventLog } from '../adapters/sql/sql-event-log.js';
import { MEMORY_DATA_DIR, type Config } from '../config.js';
import type { EngineDeps } from '../pipeline/engine-deps.js';
import { createIngest, type Ingest } from '../pipeline/ingest.js';
import { rebuildState } from '../pipeline/rebuild-state.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { EventLog } from '../ports/event-log.js';
import { createStudentQueries, type StudentQueries } from '../queries/student-queries.js';

export interface Engine {
  deps: EngineDeps;
  ingest: Ingest;
  queries: StudentQueries;
  /** Resolves when every store answers; throws when one does not. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

async function openEventLog(config: Config): Promise<EventLog> {
  if (config.dataDir === MEMORY_DATA_DIR) return createMemoryEventLog();
  const db = await openPglite(join(config.dataDir, 'pglite'));
  await migrate(db);
  return createSqlEventLog(db);
}

/**
 * Builds the engine from its configuration: the embedded adapters (PGlite event log, state in
 * memory rebuilt from the log, in-process bus) and the use cases over them.
 */
export async function openEngine(config: Config, logger: Logger, clock: Clock = systemClock): Promise<Engine> {
  const log = await openEventLog(config);
  const deps: EngineDeps = {
    log,
    store: createMemoryStateStore(),
    bus: createMemoryBus((error) => logger.error({ err: error }, 'a mastery.updated listener failed')),
    clock,
    model: config.model,
  };
  const started = Date.now();
  const students = await rebuildState(deps);
  logger.info({ students, ms: Date.now() - started }, 'state rebuilt from the event log');
  return {
    deps,
    ingest: createIngest(deps),
    queries: createStudentQueries(deps),
    async ready() {
      await Promise.all([deps.log.ping(), deps.store.ping()]);
    },
    async close() {
      await deps.bus.close();
      await deps.store.close();
      await deps.log.close();
    },
  };
}
