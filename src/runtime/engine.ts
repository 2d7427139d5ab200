import { join } from 'node:path';
import type { Logger } from 'pino';
import { createCachedStateStore } from '../adapters/cache/cached-state-store.js';
import { createDaprStateStore } from '../adapters/dapr/dapr-state-store.js';
import { createMemoryBus } from '../adapters/memory/memory-bus.js';
import { createMemoryAuditTrail } from '../adapters/memory/memory-audit-trail.js';
import { createMemoryEventLog } from '../adapters/memory/memory-event-log.js';
import { createMemoryPrivacyRegistry } from '../adapters/memory/memory-privacy-registry.js';
import { createMemoryStateStore } from '../adapters/memory/memory-state-store.js';
import { connectRedis } from '../adapters/redis/connect-redis.js';
import { createRedisStateStore } from '../adapters/redis/redis-state-store.js';
import { migrate } from '../adapters/sql/migrations.js';
import { openPglite } from '../adapters/sql/pglite-client.js';
import { openPostgres } from '../adapters/sql/postgres-client.js';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import { createSqlAuditTrail } from '../adapters/sql/sql-audit-trail.js';
import { createSqlEventLog } from '../adapters/sql/sql-event-log.js';
import { createSqlPrivacyRegistry } from '../adapters/sql/sql-privacy-registry.js';
import { MEMORY_DATA_DIR, type Config, type KafkaConfig } from '../config.js';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { createKafkaBus } from '../adapters/kafka/kafka-bus.js';
import { createKafka, ensureTopics } from '../adapters/kafka/kafka-client.js';
import { avroCodec, jsonCodec, type MessageCodec } from '../adapters/kafka/message-codec.js';
import type { EngineDeps } from '../pipeline/engine-deps.js';
import { createIngest, type Ingest } from '../pipeline/ingest.js';
import { rebuildState } from '../pipeline/rebuild-state.js';
import { recoverUnapplied } from '../pipeline/recover-unapplied.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { AuditTrail } from '../ports/audit-trail.js';
import type { EventLog } from '../ports/event-log.js';
import type { PrivacyRegistry } from '../ports/privacy-registry.js';
import type { StateStore } from '../ports/state-store.js';
import { createStudentQueries, type StudentQueries } from '../queries/student-queries.js';
import { guardPort } from './guard-port.js';

/** The engine's Kafka connection, when MASTERY_KAFKA_BROKERS is set. */
export interface EngineKafka {
  kafka: Kafka;
  producer: Producer;
  codec: MessageCodec;
  config: KafkaConfig;
}

export interface Engine {
  deps: EngineDeps;
  kafka: EngineKafka | undefined;
  ingest: Ingest;
  queries: StudentQueries;
  /** Resolves when every store answers; throws when one does not. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** L1 keeps 10,000 students at most, each for MASTERY_CACHE_SECONDS (30 s at most, by design). */
const L1_MAX_STUDENTS = 10_000;

function withL1(store: StateStore, config: Config): StateStore {
  if (config.cacheSeconds === 0) return store;
  return createCachedStateStore(store, { ttlMs: config.cacheSeconds * 1000, maxEntries: L1_MAX_STUDENTS });
}

/** The SQL database of the event log, migrated: PostgreSQL when configured, else PGlite. */
export async function openEventLogDatabase(config: Config, logger: Logger): Promise<SqlClient> {
  const db = config.databaseUrl
    ? await openPostgres(config.databaseUrl, logger)
    : await openPglite(join(config.dataDir, 'pglite'));
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ migrations: applied }, 'event log migrated');
  return db;
}

/** The durable side of the engine: the event log, the audit trail and the privacy registry. */
interface DurableStores {
  log: EventLog;
  audit: AuditTrail;
  privacy: PrivacyRegistry;
}

async function openDurableStores(config: Config, logger: Logger): Promise<DurableStores> {
  if (!config.databaseUrl && config.dataDir === MEMORY_DATA_DIR) {
    return { log: createMemoryEventLog(), audit: createMemoryAuditTrail(), privacy: createMemoryPrivacyRegistry() };
  }
  const db = await openEventLogDatabase(config, logger);
  return { log: createSqlEventLog(db), audit: createSqlAuditTrail(db), privacy: createSqlPrivacyRegistry(db) };
}

/** The configured state store; `shared` when other processes see it too (not in memory). */
function openStateStore(config: Config): { store: StateStore; shared: boolean } {
  if (config.redisUrl) {
    const redis = createRedisStateStore(connectRedis(config.redisUrl), { retentionDays: config.retentionDays });
    return { store: withL1(redis, config), shared: true };
  }
  if (config.dapr) {
    const dapr = createDaprStateStore({ ...config.dapr, retentionDays: config.retentionDays });
    return { store: withL1(dapr, config), shared: true };
  }
  return { store: createMemoryStateStore(), shared: false };
}

/** A producer on the configured brokers (topics created when missing), and the topics' codec. */
async function connectKafka(config: KafkaConfig, logger: Logger): Promise<EngineKafka> {
  const kafka = createKafka(config, logger);
  await ensureTopics(kafka, config, logger);
  // Murmur2 keyed partitioning, as the Java client: one student's messages share a partition.
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const codec = config.encoding === 'avro' ? avroCodec(config.avroSchemaIds) : jsonCodec;
  return { kafka, producer, codec, config };
}

/** Applies what a stopped run logged but never applied; a store still down is no reason not to start. */
async function recoverAtStart(deps: EngineDeps, logger: Logger): Promise<void> {
  try {
    const recovered = await recoverUnapplied(deps);
    if (recovered > 0) logger.warn({ events: recovered }, 'applied events a previous run had logged but not applied');
  } catch (error) {
    logger.warn({ err: error }, 'start-up recovery skipped: a store did not answer');
  }
}

/**
 * Builds the engine from its configuration — the embedded adapters by default (PGlite, state
 * in memory rebuilt from the log, in-process bus), PostgreSQL and Redis when configured — and
 * the use cases over them.
 */
export async function openEngine(config: Config, logger: Logger, clock: Clock = systemClock): Promise<Engine> {
  const durable = await openDurableStores(config, logger);
  const { store, shared } = openStateStore(config);
  const onListenerError = (error: unknown) => logger.error({ err: error }, 'a mastery.updated listener failed');
  const kafka = config.kafka ? await connectKafka(config.kafka, logger) : undefined;
  const deps: EngineDeps = {
    log: guardPort(durable.log, 'the event log'),
    audit: guardPort(durable.audit, 'the audit trail'),
    privacy: guardPort(durable.privacy, 'the privacy registry'),
    store: guardPort(store, 'the state store'),
    bus: kafka
      ? guardPort(createKafkaBus(kafka.producer, kafka.config.topics.updated.name, kafka.codec, onListenerError), 'Kafka')
      : createMemoryBus(onListenerError),
    clock,
    model: config.model,
    policy: {
      retentionDays: config.retentionDays,
      requireConsent: config.privacy.requireConsent,
      allowSelfErasure: config.privacy.allowSelfErasure,
    },
  };
  // A shared store outlives this process; one in memory starts empty and is filled from the log.
  if (!shared) {
    const started = Date.now();
    const students = await rebuildState(deps);
    logger.info({ students, ms: Date.now() - started }, 'state rebuilt from the event log');
  } else {
    await recoverAtStart(deps, logger);
  }
  return {
    deps,
    kafka,
    ingest: createIngest(deps),
    queries: createStudentQueries(deps),
    async ready() {
      await Promise.all([deps.log.ping(), deps.store.ping()]);
    },
    async close() {
      await deps.bus.close();
      await kafka?.producer.disconnect();
      await deps.store.close();
      await durable.log.close();
    },
  };
}
