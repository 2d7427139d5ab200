import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Caller } from '../access/caller.js';
import type { EngineMetrics } from '../metrics/engine-metrics.js';
import type { Engine, EngineKafka } from '../runtime/engine.js';
import type { XapiMapping } from '../xapi/xapi-mapping.js';
import { type HandleDeps, handleBatch, RETRY_COUNT_HEADER } from './handle-batch.js';
import { type ChunkOutput, partitionTransactions } from './partition-transactions.js';

/** The pipeline takes at most this many events at once (as over HTTP). */
const CHUNK = 1000;

/** Events that arrive over Kafka are audited under this name. */
const KAFKA_CALLER: Caller = {
  principal: { sub: 'kafka-worker', role: 'service', students: new Set() },
  requestId: 'kafka',
};

/** When a message on the retry topic may be tried again: its time on the topic plus a doubling back-off. */
function dueAt(message: KafkaMessage, firstBackoffMs: number): number {
  const tries = Number(message.headers?.[RETRY_COUNT_HEADER]?.toString() ?? '1');
  return Number(message.timestamp) + firstBackoffMs * 2 ** Math.max(0, tries - 1);
}

/** Waits until `until`, beating the group's heartbeat so the broker keeps the partition here. */
async function waitUntil(until: number, heartbeat: () => Promise<void>, isRunning: () => boolean): Promise<void> {
  while (Date.now() < until && isRunning()) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, until - Date.now())));
    await heartbeat();
  }
}

/**
 * The Kafka worker: consumes mastery.requests and mastery.retry in batches through the same
 * pipeline as HTTP; updates go out on mastery.updated (the engine's outbox and Kafka bus). A
 * chunk's retries and dead letters and its offset are one Kafka transaction
 * (partition-transactions.ts), committed once every event of the chunk was applied: a crash
 * redelivers the chunk, redelivered events are duplicates the pipeline ignores, and its retries
 * and dead letters are written once.
 */
export async function runWorker(engine: Engine, metrics: EngineMetrics, logger: Logger, xapi: XapiMapping): Promise<{ stop: () => Promise<void> }> {
  const k: EngineKafka = engine.kafka!;
  const { topics } = k.config;
  const deps: Omit<HandleDeps, 'sinks'> = {
    ingest: engine.ingest,
    caller: KAFKA_CALLER,
    codec: k.codec,
    now: () => engine.deps.clock.now(),
    maxRetries: 3,
    xapi,
    onDeadLetter: ({ event_id, reason }) => logger.warn({ event_id, reason, topic: topics.dlq.name }, 'message dead-lettered'),
  };

  // A shorter session lets a restarted worker take its partitions back sooner after a crash;
  // heartbeats go at a tenth of it, as Kafka advises a third at most.
  const consumer: Consumer = k.kafka.consumer({
    groupId: k.config.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: k.config.sessionTimeoutMs,
    heartbeatInterval: Math.max(100, Math.floor(k.config.sessionTimeoutMs / 10)),
  });
  const transactions = partitionTransactions(k.kafka, k.config.groupId, logger);
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => transactions.assigned(payload.memberAssignment));
  // A fetch of nothing but transaction markers (or aborted records) never reaches eachBatch:
  // its offsets are committed here, so the group's offsets reach the end of mastery.retry.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.batchSize > 0 || !transactions.owns(payload.topic, payload.partition)) return;
    const next = String(BigInt(payload.lastOffset) + 1n);
    transactions
      .begin(payload.topic, payload.partition)
      .then((session) => transactions.commit(session, [], next))
      .catch((error: unknown) => {
        logger.warn(
          { err: error, topic: payload.topic, partition: payload.partition },
          'offsets past transaction markers not committed; the next chunk commits them',
        );
      });
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.requests.name, topics.retry.name], fromBeginning: true });

  async function eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) {
    // The backlog as the batch arrives (its first offset to the end of the partition), then as
    // it is done: a broker hands over a whole partition's backlog in a fetch or two, so the lag
    // after each batch alone is mostly 0 even while the worker is far behind.
    metrics.recordLag(batch.topic, batch.partition, Number(batch.offsetLagLow()));
    // What the group committed is not done again, whoever committed it: the consumer's own
    // offset fetch may have come before an earlier owner's last commit was complete.
    const session = await transactions.begin(batch.topic, batch.partition);
    const messages = batch.messages.filter((m) => BigInt(m.offset) >= session.floor);
    if (messages.length < batch.messages.length) resolveOffset(String(session.floor - 1n));
    for (let i = 0; i < messages.length; i += CHUNK) {
      if (!isRunning() || isStale()) return;
      const chunk = messages.slice(i, i + CHUNK);
      if (batch.topic === topics.retry.name) {
        await waitUntil(Math.max(...chunk.map((m) => dueAt(m, k.config.retryBackoffMs))), heartbeat, isRunning);
      }
      const started = process.hrtime.bigint();
      const outputs: ChunkOutput[] = [];
      const collect = (topic: string) => async (out: ChunkOutput['messages']) => void outputs.push({ topic, messages: out });
      const outcome = await handleBatch(chunk, { ...deps, sinks: { retry: collect(topics.retry.name), deadLetter: collect(topics.dlq.name) } });
      // Counted before the commit, as the pipeline has done its work: a commit whose answer is
      // lost may have committed after all, and the chunk is then never taken again (the next
      // session starts past it), so counting after the commit would lose its events. A chunk
      // whose commit did fail comes back, and its events count again as what they then are:
      // duplicates.
      metrics.recordBatch('kafka', outcome, Number(process.hrtime.bigint() - started) / 1e9);
      // The last chunk's offset steps over the markers the fetch ended on, as KafkaJS's resolveOffset does.
      const last = i + CHUNK >= messages.length ? batch.lastOffset() : chunk[chunk.length - 1]!.offset;
      await transactions.commit(session, outputs, String(BigInt(last) + 1n));
      resolveOffset(chunk[chunk.length - 1]!.offset);
      await heartbeat();
    }
    metrics.recordLag(batch.topic, batch.partition, Number(batch.offsetLag()));
  }

  await consumer.run({
    eachBatchAutoResolve: false,
    // Only transactions commit offsets: a plain commit of the consumer's besides them could be
    // overtaken by an earlier transaction's and move the group's offset back.
    autoCommit: false,
    partitionsConsumedConcurrently: 3,
    eachBatch,
  });
  logger.info({ group: k.config.groupId, topics: [topics.requests.name, topics.retry.name] }, 'worker consuming');
  return {
    // Disconnecting lets the batch in hand finish (its chunks' transactions commit), then the producers close.
    stop: async () => {
      await consumer.disconnect();
      await transactions.close();
    },
  };
}
