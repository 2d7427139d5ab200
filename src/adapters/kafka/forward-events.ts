import type { Producer } from 'kafkajs';
import type { LearningEvent } from '../../model/learning-event.js';
import type { MessageCodec } from './message-codec.js';

/**
 * Sends validated events to the requests topic for the worker to apply (serve with
 * MASTERY_HTTP_INGEST=forward), keyed by student: one student's events share a partition, so
 * one worker applies them in the order they were sent.
 */
export function createEventForwarder(producer: Producer, topic: string, codec: MessageCodec): (events: readonly LearningEvent[]) => Promise<void> {
  return async (events) => {
    if (events.length === 0) return;
    await producer.send({ topic, messages: events.map((e) => ({ key: e.student_id, value: codec.encodeEvent(e) })) });
  };
}
