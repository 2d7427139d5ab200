import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { createKafka, ensureTopics } from '../adapters/kafka/kafka-client.js';
import { avroCodec, jsonCodec, type MessageCodec } from '../adapters/kafka/message-codec.js';
import type { KafkaConfig } from '../config.js';

/** The engine's Kafka connection, when MASTERY_KAFKA_BROKERS is set. */
export interface EngineKafka {
  kafka: Kafka;
  producer: Producer;
  codec: MessageCodec;
  config: KafkaConfig;
}

/** A producer on the configured brokers (topics created when missing), and the topics' codec. */
export async function connectKafka(config: KafkaConfig, logger: Logger): Promise<EngineKafka> {
  const kafka = createKafka(config, logger);
  await ensureTopics(kafka, config, logger);
  // Murmur2 keyed partitioning, as the Java client: one student's messages share a partition.
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const codec = config.encoding === 'avro' ? avroCodec(config.avroSchemaIds) : jsonCodec;
  return { kafka, producer, codec, config };
}
