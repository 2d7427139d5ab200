/**
 * The worker's per-partition transactions (partition-transactions.ts) on a real Kafka broker of
 * this file's own: two members taking one partition over from each other, as a rebalance does.
 * A session's floor is the group's committed offset read after its producer fenced the earlier
 * ones; an earlier owner's commit after that fails and writes nothing; a transaction a killed
 * member left open is aborted before the floor is read; and an offset at or below the floor
 * commits nothing (it would move the group's offset back).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { pino } from 'pino';
import { startKafkaBrokers, type KafkaBrokers } from '../testing/kafka/kafka-broker.js';
import { waitForLeaders } from '../adapters/kafka/kafka-client.js';
import { partitionTransactions, type PartitionTransactions } from './partition-transactions.js';
import { recordTopics, type Recorder, waitFor } from '../testing/kafka/kafka-e2e.js';

const logger = pino({ level: 'silent' });

describe('partition transactions on a Kafka broker: one partition taken over by another member', () => {
  let cluster: KafkaBrokers;
  let kafka: Kafka;
  let admin: Admin;
  const closing: Array<() => Promise<unknown>> = [];

  before(async () => {
    cluster = await startKafkaBrokers({ brokers: 1 });
    kafka = new Kafka({ clientId: 'partition-transactions-spec', brokers: cluster.brokers, logLevel: logLevel.NOTHING, retry: { retries: 20 } });
    admin = kafka.admin();
    await admin.connect();
  });

  after(async () => {
    for (const close of closing.reverse()) await close().catch(() => undefined);
    await admin?.disconnect();
    await cluster?.close();
  });

  /** An input and a dead-letter topic of the test's own, a recorder of the latter and two members of one group. */
  async function setUp(name: string): Promise<{ input: string; dlq: Recorder; a: PartitionTransactions; b: PartitionTransactions; group: string }> {
    const input = `${name}.in`;
    const out = `${name}.dlq`;
    await admin.createTopics({
      waitForLeaders: false,
      topics: [
        { topic: input, numPartitions: 1 },
        { topic: out, numPartitions: 1 },
      ],
    });
    await waitForLeaders(admin, [input, out]);
    const dlq = await recordTopics(kafka, `${name}-recorder`, [out]);
    closing.push(() => dlq.stop());
    const group = `${name}-group`;
    const [a, b] = [partitionTransactions(kafka, group, logger), partitionTransactions(kafka, group, logger)];
    closing.push(
      () => a.close(),
      () => b.close(),
    );
    return { input, dlq, a, b, group };
  }

  const letter = (topic: string, text: string) => [{ topic, messages: [{ key: null, value: Buffer.from(text) }] }];
  const committed = async (group: string, topic: string) => (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]!.partitions[0]!.offset;

  it("a member that lost the partition cannot commit once the new owner's session began; the new owner starts from the last commit", async () => {
    const { input, dlq, a, b, group } = await setUp('takeover');
    const first = await a.begin(input, 0);
    assert.equal(first.floor, -1n, 'nothing committed yet');
    await a.commit(first, letter('takeover.dlq', 'chunk 1'), '10');

    const taken = await b.begin(input, 0);
    assert.equal(taken.floor, 10n, "the new owner's floor is the earlier owner's last commit");
    await assert.rejects(a.commit(first, letter('takeover.dlq', 'chunk 2 by the old owner'), '20'), 'the fenced owner commits nothing');
    await b.commit(taken, letter('takeover.dlq', 'chunk 2'), '20');

    assert.equal(await committed(group, input), '20');
    await readAll(kafka, dlq, 'takeover.dlq', 2);
    assert.deepEqual(dlq.all.map((m) => m.value.toString()).sort(), ['chunk 1', 'chunk 2'], "the old owner's chunk 2 is not there");
  });

  it("the transaction a killed member left open is aborted before the next owner's floor is read", async () => {
    const { input, dlq, b, group } = await setUp('killed');
    // A member that sent a chunk's dead letter and offset and died before committing: a
    // producer of the partition's transactional id whose transaction is never ended.
    const dead = kafka.producer({ transactionalId: `${group}.${input}.0`, idempotent: true, maxInFlightRequests: 1 });
    await dead.connect();
    closing.push(() => dead.disconnect());
    const tx = await dead.transaction();
    await tx.send({ topic: 'killed.dlq', messages: [{ value: 'chunk 1 of the killed member' }] });
    await tx.sendOffsets({ consumerGroupId: group, topics: [{ topic: input, partitions: [{ partition: 0, offset: '10' }] }] });

    const session = await b.begin(input, 0);
    assert.equal(session.floor, -1n, 'the open transaction did not commit its offset');
    await b.commit(session, letter('killed.dlq', 'chunk 1'), '10');
    await readAll(kafka, dlq, 'killed.dlq', 1);
    assert.deepEqual(
      dlq.all.map((m) => m.value.toString()),
      ['chunk 1'],
      "the killed member's dead letter is not there",
    );
  });

  it('an offset at or below the floor commits nothing', async () => {
    const { input, a, group } = await setUp('floor');
    const session = await a.begin(input, 0);
    await a.commit(session, [], '30');
    await a.commit(session, [], '12');
    assert.equal(session.floor, 30n);
    assert.equal(await committed(group, input), '30');
  });
});

/** Waits until the recorder holds `count` messages and has read `topic` to its end: one more would be there too. */
async function readAll(kafka: Kafka, recorder: Recorder, topic: string, count: number): Promise<void> {
  await waitFor(async () => recorder.all.length >= count && (await recorder.readToEnd(kafka, [topic])), `${count} messages read from ${topic}`, {
    timeoutMs: 30_000,
  });
}
