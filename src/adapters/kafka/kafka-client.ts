import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel as KafkaLogLevel, type Admin, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from '../../config.js';

/*
 * All of the engine's Kafka code is in this folder, so that KafkaJS (barely maintained) can be
 * swapped for another client by rewriting one adapter. The librdkafka-based client cannot be
 * installed here: its install step downloads a binary.
 */

/** KafkaJS's log lines go to the service's pino logger, at warn and above. */
function logCreator(logger: Logger) {
  return () => (entry: LogEntry) => {
    const { message, ...extra } = entry.log;
    const fields = { kafka: entry.namespace, ...extra };
    if (entry.level <= KafkaLogLevel.ERROR) logger.error(fields, message);
    else logger.warn(fields, message);
  };
}

export function createKafka(config: KafkaConfig, logger: Logger): Kafka {
  return new Kafka({
    // The client is named after its consumer group: what the brokers' logs and client-id quotas
    // show is then the deployment, and one name is one fewer setting to keep in step.
    clientId: config.groupId,
    brokers: config.brokers,
    logLevel: KafkaLogLevel.WARN,
    logCreator: logCreator(logger),
    // Brokers that are down for a while must not make the client give up: keep trying.
    retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 10 },
  });
}

/**
 * Creates the topics of events.md that the broker does not have yet, with their partitions,
 * where the broker allows it; a broker that refuses (or a test broker that cannot) is logged,
 * not fatal: the topics may have been created by the operator.
 */
export async function ensureTopics(kafka: Kafka, config: KafkaConfig, logger: Logger): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(config.topics).filter((t) => !existing.has(t.name));
    if (missing.length === 0) return;
    await admin.createTopics({ waitForLeaders: false, topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions })) });
    await waitForLeaders(
      admin,
      missing.map((t) => t.name),
    );
    logger.info({ topics: missing.map((t) => t.name) }, 'Kafka topics created');
  } catch (error) {
    logger.warn({ err: error }, 'could not create the Kafka topics; they must exist already');
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The errors a metadata request answers for a topic the cluster is still setting up. */
const SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Resolves once every partition of the topics has a leader. KafkaJS's own `waitForLeaders` on
 * createTopics tolerates only LEADER_NOT_AVAILABLE, but a KRaft broker (every Kafka from 4.0)
 * answers a topic created a moment ago with UNKNOWN_TOPIC_OR_PARTITION until its metadata has
 * caught up with the controller's, and KafkaJS then throws: so this waits through both.
 */
export async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (!SETTLING.has((error as { type?: string }).type ?? '')) throw error;
    }
    if (Date.now() > deadline) throw new Error(`the Kafka topics ${topics.join(', ')} have no leader after ${timeoutMs} ms`);
    await sleep(100);
  }
}
