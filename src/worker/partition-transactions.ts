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
 * input partition it owns, opened with the partition's first chunk (not as the group assigns
 * it: see docs/decisions.md), whose transactional id names the group and the partition, so the
 * next owner of a partition, on opening its producer, fences the previous owner's and aborts
 * whatever transaction that one left open (a member killed with -9). A chunk's outputs and the
 * chunk's offset go in one transaction: committed together, or neither, so a chunk done again
 * by the next owner writes its dead letters and retries once.
 */
export interface PartitionTransactions {
  /** Sends `outputs` and commits `next` as the group's offset of `topic`/`partition`, all or nothing, after the partition's earlier commits. */
  commit(topic: string, partition: number, outputs: readonly ChunkOutput[], next: string): Promise<void>;
  /** The group gave this member these partitions: the producers of the others close. */
  assigned(assignment: Record<string, number[]>): void;
  /**
   * The offset this process's last transaction committed for the partition. A consumer that
   * starts again right after a commit may fetch the offset before it (KafkaJS's offset fetch
   * does not wait for a transaction's offsets to settle): messages below this one are done.
   */
  committed(topic: string, partition: number): bigint | undefined;
  /** Whether the group's latest assignment gave this member the partition. */
  owns(topic: string, partition: number): boolean;
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
  // A partition's transactions one after the other: a producer holds one at a time, and the
  // group's offset of the partition only moves forward.
  const queues = new Map<string, Promise<unknown>>();
  const keyOf = (topic: string, partition: number) => `${groupId}.${topic}.${partition}`;
  let mine = new Set<string>();
  const done = new Map<string, bigint>();

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

  async function transact(key: string, topic: string, partition: number, outputs: readonly ChunkOutput[], next: string): Promise<void> {
    const producer = await open(key);
    const tx = await producer.transaction();
    try {
      const topicMessages = outputs.filter((o) => o.messages.length > 0);
      if (topicMessages.length > 0) await tx.sendBatch({ topicMessages });
      await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition, offset: next }] }] });
      await tx.commit();
      if (BigInt(next) > (done.get(key) ?? -1n)) done.set(key, BigInt(next));
    } catch (error) {
      // Aborted here, or by the coordinator when this producer was fenced: either way nothing of
      // the chunk is visible, and a fresh producer takes the chunk again.
      logger.warn({ err: error, transactionalId: key }, 'chunk transaction aborted; the chunk is taken again');
      await tx.abort().catch(() => undefined);
      await drop(key);
      throw error;
    }
  }

  return {
    commit(topic, partition, outputs, next) {
      const key = keyOf(topic, partition);
      const previous = queues.get(key) ?? Promise.resolve();
      const queued = previous.catch(() => undefined).then(() => transact(key, topic, partition, outputs, next));
      const settle = () => {
        if (queues.get(key) === queued) queues.delete(key);
      };
      queues.set(key, queued);
      queued.then(settle, settle);
      return queued;
    },
    assigned(assignment) {
      mine = new Set(Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => keyOf(topic, p))));
      for (const key of producers.keys()) if (!mine.has(key)) void drop(key);
    },
    owns: (topic, partition) => mine.has(keyOf(topic, partition)),
    committed: (topic, partition) => done.get(keyOf(topic, partition)),
    async close() {
      await Promise.allSettled(queues.values());
      await Promise.all([...producers.keys()].map(drop));
    },
  };
}
