import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { OutboundMessage } from './handle-batch.js';

/** What a chunk writes: its retries and dead letters, by topic. */
export interface ChunkOutput {
  topic: string;
  messages: OutboundMessage[];
}

/**
 * Kafka's consume-transform-produce (KIP-98) for the worker: one transactional producer per
 * input partition it owns, whose transactional id names the group and the partition, so the
 * next owner of a partition, on opening its producer, fences the previous owner's and aborts
 * whatever transaction that one left open (a member killed with -9). A chunk's outputs and the
 * chunk's offset go in one transaction: committed together, or neither, so a chunk done again
 * by the next owner writes its dead letters and retries once.
 */
export interface PartitionTransactions {
  /** Sends `outputs` and commits `next` as the group's offset of `topic`/`partition`, all or nothing. */
  commit(topic: string, partition: number, outputs: readonly ChunkOutput[], next: string): Promise<void>;
  /** The group gave this member these partitions: producers for the new ones open now (fencing their previous owner), the others' close. */
  assigned(assignment: Record<string, number[]>): void;
  close(): Promise<void>;
}

/**
 * Long enough for a chunk's few requests through a broker's restart; a transaction a crashed
 * member leaves open and no new owner fences is aborted after it, which unblocks the
 * read-committed readers of the topics it wrote to.
 */
const TRANSACTION_TIMEOUT_MS = 30_000;

export function partitionTransactions(kafka: Kafka, groupId: string, logger: Logger): PartitionTransactions {
  const producers = new Map<string, Promise<Producer>>();
  const keyOf = (topic: string, partition: number) => `${groupId}.${topic}.${partition}`;

  function open(key: string): Promise<Producer> {
    const known = producers.get(key);
    if (known) return known;
    const opening = (async () => {
      // Murmur2 keyed partitioning, as the Java client: a student's dead letters share a partition.
      const producer = kafka.producer({
        transactionalId: key,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: TRANSACTION_TIMEOUT_MS,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      // KafkaJS registers the transactional id on its first transaction: an empty one fences the previous owner now.
      await (await producer.transaction()).abort();
      return producer;
    })();
    producers.set(key, opening);
    opening.catch(() => {
      if (producers.get(key) === opening) producers.delete(key);
    });
    return opening;
  }

  async function drop(key: string): Promise<void> {
    const producer = producers.get(key);
    producers.delete(key);
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  }

  return {
    async commit(topic, partition, outputs, next) {
      const key = keyOf(topic, partition);
      const producer = await open(key);
      const tx = await producer.transaction();
      try {
        const topicMessages = outputs.filter((o) => o.messages.length > 0);
        if (topicMessages.length > 0) await tx.sendBatch({ topicMessages });
        await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition, offset: next }] }] });
        await tx.commit();
      } catch (error) {
        // Aborted here, or by the coordinator when this producer was fenced: either way nothing of
        // the chunk is visible, and a fresh producer takes the chunk again.
        await tx.abort().catch(() => undefined);
        await drop(key);
        throw error;
      }
    },
    assigned(assignment) {
      const mine = new Set(Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => keyOf(topic, p))));
      for (const key of producers.keys()) if (!mine.has(key)) void drop(key);
      for (const key of mine) {
        open(key).catch((error: unknown) => logger.warn({ err: error, transactionalId: key }, 'transactional producer not opened; the first chunk of its partition tries again'));
      }
    },
    async close() {
      await Promise.all([...producers.keys()].map(drop));
    },
  };
}
