import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { leaderSyncsLast, startKafkaMockCluster, type KafkaMockCluster } from './kafka-mock-cluster.js';

// The topics of design/events.md, as the service will find them.
const serviceTopics = [
  { name: 'mastery.requests', partitions: 6 },
  { name: 'mastery.updated', partitions: 6 },
  { name: 'mastery.retry', partitions: 6 },
  { name: 'mastery.dlq', partitions: 3 },
];

interface Received {
  member: number;
  partition: number;
  key: string;
  value: string;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

function keyed(prefix: string, count: number, students: number): Array<{ key: string; value: string }> {
  const next = new Map<string, number>();
  return Array.from({ length: count }, (_, i) => {
    const key = `student-${i % students}`;
    const seq = next.get(key) ?? 0;
    next.set(key, seq + 1);
    return { key, value: `${prefix}:${key}:${seq}` };
  });
}

function seqOf(value: string): number {
  return Number(value.slice(value.lastIndexOf(':') + 1));
}

describe('Kafka mock cluster (librdkafka) with KafkaJS', () => {
  let cluster: KafkaMockCluster;
  let kafka: Kafka;
  // Everything a test opens, so after() closes it even when the test failed half-way.
  const clients: Array<{ disconnect(): Promise<void> }> = [];

  before(async () => {
    cluster = await startKafkaMockCluster({ brokers: 3, topics: serviceTopics });
    kafka = new Kafka({
      clientId: 'mock-cluster-spec',
      brokers: cluster.brokers,
      logLevel: logLevel.NOTHING,
      // Short back-offs: a broker outage in these tests lasts about a second.
      retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 30 },
    });
  });

  after(async () => {
    await Promise.allSettled(clients.map((client) => client.disconnect()));
    await cluster?.stop();
  });

  const producer = async (): Promise<Producer> => {
    const created = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    clients.push(created);
    await created.connect();
    return created;
  };

  /** A group member that records what it reads; `joined` holds its latest assignment of `topic`. */
  const member = async (groupId: string, topic: string, index: number, into: Received[]) => {
    // The mock coordinator holds a rebalance for (session timeout - 1 s) before electing a leader,
    // so a short session keeps the tests quick; frequent heartbeats keep it alive.
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: 3_000,
      heartbeatInterval: 300,
      rebalanceTimeout: 3_000,
      maxWaitTimeInMs: 200,
      partitionAssigners: [leaderSyncsLast()],
    });
    clients.push(consumer);
    const joined: { partitions: number[] | null } = { partitions: null };
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      joined.partitions = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        into.push({ member: index, partition, key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
      },
    });
    return { consumer, joined };
  };

  it('starts the service topics and hands out one address per broker', () => {
    assert.equal(cluster.brokers.length, 3);
    for (const broker of cluster.brokers) assert.match(broker, /^[\w.-]+:\d+$/);
  });

  it('delivers 1,000 keyed messages to a two-member group exactly once, each key on one partition, in order', { timeout: 20_000 }, async () => {
    const topic = 'mastery.requests';
    const received: Received[] = [];
    // Both join at once: librdkafka's mock coordinator waits 3 s before the first generation of
    // a new group, and both members arriving inside that window spares a second rebalance.
    const members = await Promise.all([0, 1].map((index) => member('spec-exactly-once', topic, index, received)));
    // Produce only once the group is stable: a rebalance in the middle would legitimately
    // redeliver uncommitted messages, and this test is about the broker, not about rebalances.
    await waitFor(() => {
      const [a, b] = members.map((m) => m.joined.partitions ?? []);
      return !!a?.length && !!b?.length && [...a, ...b].sort((x, y) => x - y).join() === '0,1,2,3,4,5';
    }, 'both members to share the six partitions');

    const sent = keyed('exactly-once', 1_000, 40);
    const writer = await producer();
    for (let i = 0; i < sent.length; i += 100) await writer.send({ topic, messages: sent.slice(i, i + 100) });

    await waitFor(() => received.length >= sent.length, 'all 1,000 messages');
    await sleep(500); // room for a duplicate to show up
    assert.equal(received.length, sent.length, 'each message read once');
    assert.deepEqual(new Set(received.map((r) => r.value)), new Set(sent.map((m) => m.value)));

    const partitionsOfKey = new Map<string, Set<number>>();
    for (const r of received) partitionsOfKey.set(r.key, (partitionsOfKey.get(r.key) ?? new Set()).add(r.partition));
    for (const [key, partitions] of partitionsOfKey) assert.equal(partitions.size, 1, `${key} was spread over partitions ${[...partitions].join(', ')}`);
    assert.equal(new Set(received.map((r) => r.partition)).size, 6, 'the 40 keys use all six partitions');
    for (const key of partitionsOfKey.keys()) {
      const seqs = received.filter((r) => r.key === key).map((r) => seqOf(r.value));
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${key} read out of order`);
    }
    for (const index of [0, 1]) {
      const own = received.filter((r) => r.member === index);
      assert.ok(own.length > 0, `member ${index} read nothing`);
      assert.deepEqual([...new Set(own.map((r) => r.partition))].sort((a, b) => a - b), members[index]?.joined.partitions, `member ${index} read outside its assignment`);
    }
    await Promise.all(members.map((m) => m.consumer.disconnect()));
  });

  it('keeps committed offsets across a consumer restart: the next member of the group resumes after them', { timeout: 20_000 }, async () => {
    const topic = 'spec.restart';
    const groupId = 'spec-restart';
    await cluster.createTopic(topic, 6);
    const writer = await producer();
    const earlier = keyed('before', 60, 12);
    await writer.send({ topic, messages: earlier });

    const firstRead: Received[] = [];
    const first = await member(groupId, topic, 0, firstRead);
    await waitFor(() => firstRead.length >= earlier.length, 'the first consumer to read 60 messages');
    await first.consumer.disconnect(); // commits whatever it has read (KafkaJS autoCommit)

    const admin = kafka.admin();
    clients.push(admin);
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    const total = (committed?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    assert.equal(total, earlier.length, 'committed offsets cover the 60 messages read');

    const afterRestart = keyed('after', 30, 12);
    await writer.send({ topic, messages: afterRestart });
    const secondRead: Received[] = [];
    // fromBeginning only applies without a committed offset: if the commits were lost, this
    // member would read all 90 messages again.
    await member(groupId, topic, 1, secondRead);
    await waitFor(() => secondRead.length >= afterRestart.length, 'the restarted consumer to read 30 messages');
    await sleep(500);
    assert.deepEqual(secondRead.map((r) => r.value).sort(), afterRestart.map((m) => m.value).sort());
  });

  it('rides out a broker outage: sends are retried until the broker is back, and the group reads everything', { timeout: 25_000 }, async () => {
    const topic = 'spec.outage';
    await cluster.createTopic(topic, 6);
    const received: Received[] = [];
    const reader = await member('spec-outage', topic, 0, received);
    await waitFor(() => reader.joined.partitions?.length === 6, 'the consumer to own all six partitions');
    const writer = await producer();
    // The mock places leaders at random; take down the leader of partition 0, which the keys
    // below reach, so part of the send has nowhere to go until that broker is back.
    const admin = kafka.admin();
    clients.push(admin);
    await admin.connect();
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    await admin.disconnect();
    const victim = metadata?.partitions.find((p) => p.partitionId === 0)?.leader;
    assert.ok(victim !== undefined && victim >= 1, `partition 0 of ${topic} has no leader`);

    await cluster.brokerDown(victim);
    const sent = keyed('outage', 120, 24);
    let settled = false;
    const sending = writer.send({ topic, messages: sent }).finally(() => {
      settled = true;
    });
    await sleep(1_500);
    // The mock never moves leaders, so the send cannot finish while the broker is down; it must
    // still be retrying, not failed.
    assert.equal(settled, false, `the send finished while broker ${victim} was down`);

    await cluster.brokerUp(victim);
    const written = await sending;
    assert.ok(written.some((r) => r.partition === 0), 'no message went to the partition whose leader was down');
    await waitFor(() => new Set(received.map((r) => r.value)).size === sent.length, 'the consumer to read all 120 messages', 15_000);
    assert.deepEqual(new Set(received.map((r) => r.value)), new Set(sent.map((m) => m.value)));

    // And the group keeps working after the outage.
    await writer.send({ topic, messages: [{ key: 'student-0', value: 'outage:after' }] });
    await waitFor(() => received.some((r) => r.value === 'outage:after'), 'a message sent after the outage');
  });
});
