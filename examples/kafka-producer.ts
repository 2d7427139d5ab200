/**
 * Sends two mastery events to the worker's topic with KafkaJS, as a producer of yours would:
 * a completion and a quiz result for one student, keyed by student_id (one student's events stay
 * in order on one partition), in the envelope of docs/events.md. A `mastery worker` on the same
 * brokers applies them and publishes the student's result on mastery.updated.
 *
 *   npm run kafka:local                     # a local broker (prints MASTERY_KAFKA_BROKERS=…)
 *   MASTERY_KAFKA_BROKERS=… npx mastery worker
 *   node --import tsx examples/kafka-producer.ts --brokers 127.0.0.1:9092 [--student s-1] [--topic mastery.requests]
 *
 * It prints the event ids it sent, one a line.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const { values } = parseArgs({
  options: {
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    student: { type: 'string', default: 'example-student' },
    // The worker's default; MASTERY_KAFKA_TOPIC_REQUESTS renames it.
    topic: { type: 'string', default: 'mastery.requests' },
  },
});

const now = new Date().toISOString();
const events = [
  {
    event_id: randomUUID(),
    event_type: 'mastery.calculation.requested',
    timestamp: now,
    student_id: values.student,
    component: 'completion',
    topic: 'python.loops',
    data: { total_exercises: 25, completed_exercises: 20, difficulty: 'intermediate' },
    metadata: { source: 'kafka-producer-example', version: '1.0' },
  },
  {
    event_id: randomUUID(),
    event_type: 'mastery.calculation.requested',
    timestamp: now,
    student_id: values.student,
    component: 'quiz',
    topic: 'python.loops',
    data: { total_questions: 10, correct_answers: 8, avg_time_seconds: 42 },
    metadata: { source: 'kafka-producer-example', version: '1.0' },
  },
];

const kafka = new Kafka({ clientId: 'kafka-producer-example', brokers: values.brokers.split(','), logLevel: logLevel.WARN });
// The Java client's partitioner (murmur2), as the engine uses; idempotent, so a retried send is written once.
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
try {
  await producer.send({ topic: values.topic, messages: events.map((e) => ({ key: e.student_id, value: JSON.stringify(e) })) });
  for (const e of events) console.log(e.event_id);
} finally {
  await producer.disconnect();
}
