import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { createKafkaBus } from '../adapters/kafka/kafka-bus.js';
import { consumeUpdates } from '../adapters/kafka/updates-consumer.js';
import { createMemoryBus } from '../adapters/memory/memory-bus.js';
import type { Config } from '../config.js';
import type { EngineDeps } from '../engine-deps.js';
import type { Bus } from '../ports/bus.js';
import { createIngest, type Ingest } from '../pipeline/ingest.js';
import { rebuildState } from '../pipeline/rebuild-state.js';
import { republishRecent } from '../pipeline/outbox.js';
import { recoverUnapplied } from '../pipeline/recover-unapplied.js';
import { systemClock, type Clock } from '../ports/clock.js';
import { createStudentQueries, type StudentQueries } from '../queries/student-queries.js';
import { openDurableStores } from './durable-stores.js';
import { createActiveParams } from './active-params.js';
import { guardPort } from './guard-port.js';
import { connectKafka, type EngineKafka } from './kafka-connection.js';
import { openStateStore } from './state-store.js';

export type { EngineKafka };

export interface Engine {
  deps: EngineDeps;
  kafka: EngineKafka | undefined;
  ingest: Ingest;
  queries: StudentQueries;
  /** Resolves when every store answers; throws when one does not. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Publishes the updates a stopped run saved but never published, then applies what it logged but
 * never applied (in this order, so that a pending update goes out before a newer one replaces
 * it); a store or a broker still down is no reason not to start.
 */
async function recoverAtStart(deps: EngineDeps, logger: Logger): Promise<void> {
  try {
    const republished = await republishRecent(deps);
    if (republished > 0) logger.warn({ updates: republished }, 'published the updates a previous run had saved but not published');
    const recovered = await recoverUnapplied(deps);
    if (recovered > 0) logger.warn({ events: recovered }, 'applied events a previous run had logged but not applied');
  } catch (error) {
    logger.warn({ err: error }, 'start-up recovery skipped: a store did not answer');
  }
}

export interface EngineOptions {
  /**
   * This process's listeners (the live stream) hear mastery.updated from Kafka, whoever
   * published it: for `serve` with MASTERY_HTTP_INGEST=forward, whose events the worker applies.
   */
  updatesFromTopic?: boolean;
}

/** A consumer of mastery.updated in a group of this process's own, feeding its listeners. */
function relayTopic(kafka: EngineKafka, listeners: Bus, logger: Logger) {
  const { groupId, topics } = kafka.config;
  return consumeUpdates(kafka.kafka, { topic: topics.updated.name, groupId: `${groupId}.stream.${randomUUID()}`, codec: kafka.codec, logger }, (updates) =>
    listeners.publish(updates),
  );
}

/**
 * Builds the engine from its configuration — the embedded adapters by default (PGlite, state
 * in memory rebuilt from the log, in-process bus); PostgreSQL, Redis or Dapr, and Kafka when
 * configured — and the use cases over them.
 */
export async function openEngine(config: Config, logger: Logger, clock: Clock = systemClock, options: EngineOptions = {}): Promise<Engine> {
  const durable = await openDurableStores(config, logger);
  const { store, shared } = openStateStore(config);
  const onListenerError = (error: unknown) => logger.error({ err: error }, 'a mastery.updated listener failed');
  const listeners = createMemoryBus(onListenerError);
  const kafka = config.kafka ? await connectKafka(config.kafka, logger) : undefined;
  const relay = kafka && options.updatesFromTopic ? await relayTopic(kafka, listeners, logger) : undefined;
  const params = guardPort(durable.params, 'the event log');
  const learner = createActiveParams(params, logger);
  // Results computed at start (the rebuild below) use the newest fit, not the defaults.
  await learner.refresh();
  learner.start();
  const deps: EngineDeps = {
    params,
    learner,
    log: guardPort(durable.log, 'the event log'),
    audit: guardPort(durable.audit, 'the audit trail'),
    privacy: guardPort(durable.privacy, 'the privacy registry'),
    store: guardPort(store, 'the state store'),
    bus: kafka
      ? guardPort(createKafkaBus(kafka.producer, kafka.config.topics.updated.name, kafka.codec, listeners, { echo: relay === undefined }), 'Kafka')
      : listeners,
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
      learner.stop();
      await relay?.stop();
      await deps.bus.close();
      await kafka?.producer.disconnect();
      await deps.store.close();
      await durable.log.close();
    },
  };
}
