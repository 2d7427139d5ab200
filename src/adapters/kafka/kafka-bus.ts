import type { Producer } from 'kafkajs';
import type { Bus, MasteryUpdated } from '../../ports/bus.js';
import { createMemoryBus } from '../memory/memory-bus.js';
import type { MessageCodec } from './message-codec.js';

/**
 * mastery.updated on Kafka, keyed by student (one student's updates stay in order on one
 * partition). The process's own listeners (a dashboard's live view) hear each update too,
 * once Kafka has it.
 */
export function createKafkaBus(producer: Producer, topic: string, codec: MessageCodec, onListenerError: (e: unknown) => void): Bus {
  const local = createMemoryBus(onListenerError);
  return {
    async publish(updates: readonly MasteryUpdated[]) {
      if (updates.length === 0) return;
      await producer.send({
        topic,
        messages: updates.map((u) => ({ key: u.student_id, value: codec.encodeUpdate(u) })),
      });
      await local.publish(updates);
    },
    subscribe: (listener) => local.subscribe(listener),
    close: () => local.close(),
  };
}
