/**
 * A local Apache Kafka broker for trying the worker without Docker: the tests' broker
 * (src/testing/kafka/kafka-broker.ts, KRaft, one node) from the jars' cache, with the
 * service's topics made through the admin API. It prints its address and runs until Ctrl-C;
 * its data is in a temporary folder, deleted when it stops.
 *
 *   npm run kafka:local
 */
import { startKafkaBrokers, kafkaVersion } from '../../src/testing/kafka/kafka-broker.js';
import { createServiceTopics, testKafka } from '../../src/testing/kafka/kafka-e2e.js';

const cluster = await startKafkaBrokers({ brokers: 1 });
await createServiceTopics(testKafka(cluster.brokers, 'local-broker'));
console.log(`Apache Kafka ${await kafkaVersion()} (KRaft, one broker) with the topics mastery.requests, mastery.updated, mastery.retry, mastery.dlq`);
console.log(`MASTERY_KAFKA_BROKERS=${cluster.brokers.join(',')}`);
console.log('Ctrl-C stops it and deletes its data.');
const stop = () => void cluster.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
