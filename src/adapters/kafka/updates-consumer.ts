import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { MasteryUpdated } from '../../ports/bus.js';
import type { MessageCodec } from './message-codec.js';

export interface UpdatesConsumerOptions {
  topic: string;
  /** A group of this process's own: every instance must hear every update, none shares them. */
  groupId: string;
  codec: MessageCodec;
  logger: Logger;
}

/**
 * Hears mastery.updated from the topic, as published by any process (the worker), and hands
 * each message's update to `deliver`. For a live view only: it starts at the topic's end when
 * it joins and commits no offsets, so it never replays what was published before (nor, after an
 * outage, while it was away), and its group, holding no offsets, leaves nothing on the broker.
 * A message it cannot decode is logged and skipped.
 */
export async function consumeUpdates(
  kafka: Kafka,
  options: UpdatesConsumerOptions,
  deliver: (updates: MasteryUpdated[]) => Promise<void>,
): Promise<{ stop: () => Promise<void> }> {
  const consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
  consumer.on(consumer.events.GROUP_JOIN, () =>
    options.logger.info({ topic: options.topic, group: options.groupId }, 'relaying mastery.updated to the live stream'),
  );
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [options.topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const updates: MasteryUpdated[] = [];
        for (const message of batch.messages) {
          try {
            updates.push(options.codec.decodeUpdate(message.value ?? Buffer.alloc(0)));
          } catch (error) {
            options.logger.warn(
              { err: error, topic: batch.topic, partition: batch.partition, offset: message.offset },
              'a mastery.updated message could not be decoded; skipped',
            );
          }
        }
        await deliver(updates);
        await heartbeat();
      },
    });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
  return { stop: () => consumer.disconnect() };
}
