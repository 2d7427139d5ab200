import type { Producer } from 'kafkajs';
import type { Bus, MasteryUpdated } from '../../ports/bus.js';
import type { MessageCodec } from './message-codec.js';

/**
 * mastery.updated on Kafka, keyed by student (one student's updates stay in order on one
 * partition). `listeners` are the process's own (a dashboard's live stream): with `echo` they
 * hear each update this process publishes, once Kafka has it; without, they hear the topic
 * instead (see updates-consumer.ts), which brings them other processes' updates too, and this
 * one's only once.
 */
export function createKafkaBus(producer: Producer, topic: string, codec: MessageCodec, listeners: Bus, options: { echo: boolean }): Bus {
  return {
    async publish(updates: readonly MasteryUpdated[]) {
      if (updates.length === 0) return;
      await producer.send({
        topic,
        messages: updates.map((u) => ({ key: u.student_id, value: codec.encodeUpdate(u) })),
      });
      if (options.echo) await listeners.publish(updates);
    },
    subscribe: (listener) => listeners.subscribe(listener),
    close: () => listeners.close(),
  };
}
