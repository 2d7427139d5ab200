import { Partitioners, type Admin, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { OutboundMessage } from './handle-batch.js';

/** What a chunk writes: its retries and dead letters, by topic. */
export interface ChunkOutput {
  topic: string;
  messages: OutboundMessage[];
}

/** One input partition's transactional producer, as this member opened it for the group's latest assignment. */
export interface PartitionSession {
  readonly topic: string;
  readonly partition: number;
  /**
   * The group's committed offset of the partition as it stood once this producer had fenced
   * every earlier one, moved on by this session's own commits: the messages below it are done.
   */
  readonly floor: bigint;
}

/**
 * Kafka's consume-transform-produce (KIP-98) for the worker, as it must be done without KIP-447
 * (KafkaJS's TxnOffsetCommit carries no group generation, and its offset fetch cannot ask for
 * stable offsets): one transactional producer per input partition, whose transactional id
 * names the group and the partition, so that whoever owns the partition uses the same id.
 *
 * A partition's session begins with its first batch after each assignment of the group: the
 * producer registers its id (InitProducerId), which fences every earlier producer of the
 * partition, aborts the transaction a killed member left open and waits until one that was
 * being committed is complete, offsets included; only then is the group's committed offset
 * read, and messages below it are not done again. A chunk's outputs and its offset go in one
 * transaction of that producer: committed together, or neither. So a chunk's dead letters and
 * retries are written once, whichever member did it before, however its commit ended
 * (docs/decisions.md).
 */
export interface PartitionTransactions {
  /** The partition's session for this assignment, opened now if there is none yet: call before doing a batch of it. */
  begin(topic: string, partition: number): Promise<PartitionSession>;
  /**
   * Sends `outputs` and commits `next` as the group's offset of the session's partition, all or
   * nothing, after the partition's earlier commits. Fails, writing nothing, when the session has
   * ended (the group moved the partition, or a transaction of it failed): the batch is then
   * taken again from a new session's floor. A `next` at or below the floor commits nothing.
   */
  commit(session: PartitionSession, outputs: readonly ChunkOutput[], next: string): Promise<void>;
  /** The group gave this member these partitions: the sessions of the others end, and every partition's next batch begins a new one. */
  assigned(assignment: Record<string, number[]>): void;
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

interface Session {
  topic: string;
  partition: number;
  floor: bigint;
  producer: Producer;
  /** The assignment it was opened in (counted by `assigned`). */
  generation: number;
}

export function partitionTransactions(kafka: Kafka, groupId: string, logger: Logger): PartitionTransactions {
  const sessions = new Map<string, Session>();
  // A partition's work one step after the other (opening, transactions, closing): a producer
  // holds one transaction at a time, and the group's offset of the partition only moves forward.
  const queues = new Map<string, Promise<unknown>>();
  const keyOf = (topic: string, partition: number) => `${groupId}.${topic}.${partition}`;
  let mine = new Set<string>();
  let generation = 0;
  let admin: Promise<Admin> | undefined;

  function queued<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    const settle = () => {
      if (queues.get(key) === next) queues.delete(key);
    };
    queues.set(key, next);
    next.then(settle, settle);
    return next;
  }

  function connectedAdmin(): Promise<Admin> {
    admin ??= (async () => {
      const client = kafka.admin();
      await client.connect();
      return client;
    })();
    admin.catch(() => (admin = undefined));
    return admin;
  }

  /** The group's committed offset of the partition, -1 when it has none. */
  async function committedOffset(topic: string, partition: number): Promise<bigint> {
    const [found] = await (await connectedAdmin()).fetchOffsets({ groupId, topics: [topic] });
    return BigInt(found?.partitions.find((p) => p.partition === partition)?.offset ?? '-1');
  }

  async function open(key: string, topic: string, partition: number): Promise<Session> {
    // The assignment as the id is registered, not as the offset comes back: a rebalance in
    // between gives the next batch a new session.
    const opened = generation;
    // Murmur2 keyed partitioning, as the Java client: a student's dead letters share a partition.
    const producer = kafka.producer({
      transactionalId: key,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: TRANSACTION_TIMEOUT_MS,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
      // KafkaJS registers the transactional id with a producer's first transaction: an empty
      // one (its abort sends nothing) does it here, so the fencing and the settling of the
      // earlier owner's transaction come before the offset is read, not at the first commit.
      const registering = await producer.transaction();
      await registering.abort();
      return { topic, partition, producer, generation: opened, floor: await committedOffset(topic, partition) };
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async function end(key: string): Promise<void> {
    const session = sessions.get(key);
    sessions.delete(key);
    await session?.producer.disconnect().catch(() => undefined);
  }

  async function transact(key: string, session: Session, outputs: readonly ChunkOutput[], next: string): Promise<void> {
    if (sessions.get(key) !== session) {
      throw new Error(`the session of ${session.topic}/${session.partition} has ended (the group moved it, or a transaction failed); the batch is taken again`);
    }
    if (BigInt(next) <= session.floor) return;
    const tx = await session.producer.transaction();
    try {
      const topicMessages = outputs.filter((o) => o.messages.length > 0);
      if (topicMessages.length > 0) await tx.sendBatch({ topicMessages });
      await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: session.topic, partitions: [{ partition: session.partition, offset: next }] }] });
      await tx.commit();
      session.floor = BigInt(next);
    } catch (error) {
      // Aborted here, or by the coordinator when this producer was fenced, or (a commit whose
      // answer was lost) committed after all: the next session's opening waits until the
      // coordinator has settled it and reads the offset after, so the chunk is done again
      // exactly when it was not committed.
      logger.warn(
        { err: error, transactionalId: key },
        'chunk transaction failed; the partition begins a new session and takes the chunk again if it was not committed',
      );
      await tx.abort().catch(() => undefined);
      await end(key);
      throw error;
    }
  }

  return {
    begin(topic, partition) {
      const key = keyOf(topic, partition);
      return queued(key, async () => {
        const current = sessions.get(key);
        if (current?.generation === generation) return current;
        await end(key);
        const session = await open(key, topic, partition);
        sessions.set(key, session);
        return session;
      });
    },
    commit(session, outputs, next) {
      const key = keyOf(session.topic, session.partition);
      return queued(key, () => transact(key, session as Session, outputs, next));
    },
    assigned(assignment) {
      generation++;
      mine = new Set(Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => keyOf(topic, p))));
      for (const key of sessions.keys()) if (!mine.has(key)) void queued(key, () => end(key));
    },
    owns: (topic, partition) => mine.has(keyOf(topic, partition)),
    async close() {
      await Promise.allSettled(queues.values());
      await Promise.all([...sessions.keys()].map(end));
      await admin?.then((a) => a.disconnect()).catch(() => undefined);
    },
  };
}
