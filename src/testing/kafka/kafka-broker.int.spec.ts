/**
 * The tests' Kafka (kafka-broker.ts: Apache Kafka in KRaft mode, one broker of this file's own)
 * with KafkaJS, the client the engine uses: topics made through the admin API and none made
 * by a send, a group of two sharing the partitions with KafkaJS's default assigner, committed
 * offsets kept across a consumer restart, and a broker killed with -9 and started again.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { waitFor } from './kafka-e2e.js';
import { waitForLeaders } from '../../adapters/kafka/kafka-client.js';
import { startKafkaBrokers, type KafkaBrokers } from './kafka-broker.js';

interface Received {
  member: number;
  partition: number;
  key: string;
  value: string;
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

const seqOf = (value: string) => Number(value.slice(value.lastIndexOf(':') + 1));

describe("the tests' Kafka broker (Apache Kafka, KRaft) with KafkaJS", () => {
  let cluster: KafkaBrokers;
  let kafka: Kafka;
  let admin: Admin;
  // Everything a test opens, so after() closes it even when the test failed half-way.
  const clients: Array<{ disconnect(): Promise<void> }> = [];

  before(async () => {
    cluster = await startKafkaBrokers({ brokers: 1 });
    kafka = new Kafka({
      clientId: 'kafka-broker-spec',
      brokers: cluster.brokers,
      logLevel: logLevel.NOTHING,
      // A broker restart in these tests lasts seconds: keep trying for longer than that.
      retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 60 },
    });
    admin = kafka.admin();
    clients.push(admin);
    await admin.connect();
  });

  after(async () => {
    await Promise.allSettled(clients.reverse().map((client) => client.disconnect()));
    await cluster?.close();
  });

  const createTopic = async (topic: string, numPartitions: number) => {
    await admin.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions }] });
    await waitForLeaders(admin, [topic]);
  };

  const producer = async (): Promise<Producer> => {
    // Idempotent: a send retried after a slow answer must not write its messages twice.
    const created = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    clients.push(created);
    await created.connect();
    return created;
  };

  /** Committed offsets of the group on the topic, summed over partitions. */
  const committed = async (groupId: string, topic: string) => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  };

  /** A group member that records what it reads; `joined` holds its latest assignment of `topic`. */
  const member = async (groupId: string, topic: string, index: number, into: Received[]) => {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 500, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
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

  it('creates topics through the admin API with their partitions, and refuses a send to a topic nobody created', { timeout: 30_000 }, async () => {
    await createTopic('spec.created', 6);
    assert.ok((await admin.listTopics()).includes('spec.created'));
    const [metadata] = (await admin.fetchTopicMetadata({ topics: ['spec.created'] })).topics;
    assert.equal(metadata?.partitions.length, 6);
    const writer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 1, initialRetryTime: 50 } });
    clients.push(writer);
    await writer.connect();
    await assert.rejects(writer.send({ topic: 'spec.never-created', messages: [{ value: 'x' }] }));
    assert.ok(!(await admin.listTopics()).includes('spec.never-created'), 'the broker made a topic on a send');
  });

  it('delivers 1,000 keyed messages to a two-member group exactly once, each key on one partition, in order', { timeout: 60_000 }, async () => {
    const topic = 'spec.exactly-once';
    const groupId = 'spec-exactly-once';
    await createTopic(topic, 6);
    const received: Received[] = [];
    const members = await Promise.all([0, 1].map((index) => member(groupId, topic, index, received)));
    // Produce only once the group is stable: a rebalance in the middle would legitimately
    // redeliver uncommitted messages, and this test is about the broker, not about rebalances.
    await waitFor(() => {
      const [a, b] = members.map((m) => m.joined.partitions ?? []);
      return !!a?.length && !!b?.length && [...a, ...b].sort((x, y) => x - y).join() === '0,1,2,3,4,5';
    }, 'both members to share the six partitions');

    const sent = keyed('exactly-once', 1_000, 40);
    const writer = await producer();
    for (let i = 0; i < sent.length; i += 100) await writer.send({ topic, messages: sent.slice(i, i + 100) });
    // Every message committed by the group: whatever was read twice has been read by now.
    await waitFor(
      async () => received.length >= sent.length && (await committed(groupId, topic)) === sent.length,
      'the group to read and commit all 1,000 messages',
    );
    assert.equal(received.length, sent.length, 'each message read once');
    assert.deepEqual(new Set(received.map((r) => r.value)), new Set(sent.map((m) => m.value)));

    const partitionsOfKey = new Map<string, Set<number>>();
    for (const r of received) partitionsOfKey.set(r.key, (partitionsOfKey.get(r.key) ?? new Set()).add(r.partition));
    for (const [key, partitions] of partitionsOfKey) assert.equal(partitions.size, 1, `${key} was spread over partitions ${[...partitions].join(', ')}`);
    assert.equal(new Set(received.map((r) => r.partition)).size, 6, 'the 40 keys use all six partitions');
    for (const key of partitionsOfKey.keys()) {
      const seqs = received.filter((r) => r.key === key).map((r) => seqOf(r.value));
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        `${key} read out of order`,
      );
    }
    for (const index of [0, 1]) {
      const own = received.filter((r) => r.member === index);
      assert.ok(own.length > 0, `member ${index} read nothing`);
      assert.deepEqual(
        [...new Set(own.map((r) => r.partition))].sort((a, b) => a - b),
        members[index]?.joined.partitions,
        `member ${index} read outside its assignment`,
      );
    }
    const [described] = (await admin.describeGroups([groupId])).groups;
    assert.equal(described?.state, 'Stable');
    assert.equal(described?.members.length, 2);
    await Promise.all(members.map((m) => m.consumer.disconnect()));
  });

  it('keeps committed offsets across a consumer restart: the next member of the group resumes after them', { timeout: 60_000 }, async () => {
    const topic = 'spec.restart';
    const groupId = 'spec-restart';
    await createTopic(topic, 6);
    const writer = await producer();
    const earlier = keyed('before', 60, 12);
    await writer.send({ topic, messages: earlier });

    const firstRead: Received[] = [];
    const first = await member(groupId, topic, 0, firstRead);
    await waitFor(() => firstRead.length >= earlier.length, 'the first consumer to read 60 messages');
    await first.consumer.disconnect(); // commits whatever it has read (KafkaJS autoCommit)
    assert.equal(firstRead.length, earlier.length, 'the topic holds the 60 messages once each');
    assert.equal(await committed(groupId, topic), earlier.length, 'committed offsets cover the 60 messages read');

    const afterRestart = keyed('after', 30, 12);
    await writer.send({ topic, messages: afterRestart });
    const secondRead: Received[] = [];
    // fromBeginning only applies without a committed offset: if the commits were lost, this
    // member would read all 90 messages again.
    await member(groupId, topic, 1, secondRead);
    await waitFor(async () => (await committed(groupId, topic)) === earlier.length + afterRestart.length, 'the restarted consumer to commit 30 more messages');
    assert.deepEqual(secondRead.map((r) => r.value).sort(), afterRestart.map((m) => m.value).sort());
  });

  it('comes back from kill -9 with what it had acknowledged: sends made meanwhile are retried, and the group reads everything', {
    timeout: 120_000,
  }, async () => {
    const topic = 'spec.outage';
    const groupId = 'spec-outage';
    await createTopic(topic, 6);
    const received: Received[] = [];
    const reader = await member(groupId, topic, 0, received);
    await waitFor(() => reader.joined.partitions?.length === 6, 'the consumer to own all six partitions');
    const writer = await producer();
    const before = keyed('before', 60, 12);
    await writer.send({ topic, messages: before });

    await cluster.kill(1);
    const sent = keyed('outage', 120, 24);
    let settled = false;
    const sending = writer.send({ topic, messages: sent }).finally(() => (settled = true));
    // Not asserted on a clock: the broker is dead, so the send cannot have finished yet.
    assert.equal(cluster.running(1), false);
    assert.equal(settled, false, 'the send finished while the only broker was dead');
    await cluster.start(1);
    await sending;
    await waitFor(() => new Set(received.map((r) => r.value)).size === before.length + sent.length, 'the consumer to read all 180 messages', {
      timeoutMs: 60_000,
    });
    assert.deepEqual(new Set(received.map((r) => r.value)), new Set([...before, ...sent].map((m) => m.value)));
  });
});

describe("a test file's shared broker", () => {
  it('is gone with the process that started it: the process exits 0, and its folder is removed', { timeout: 90_000 }, async () => {
    // A process of its own, with a temporary folder of its own (TMPDIR), so that nothing another
    // spec file has open is counted. It writes into the broker (a topic), and simply ends.
    const tmp = await mkdtemp(join(tmpdir(), 'shared-broker-spec-'));
    try {
      const harness = new URL('./kafka-broker.ts', import.meta.url).href;
      const script = `
        import { Kafka, logLevel } from 'kafkajs';
        const { sharedKafkaBroker } = await import(${JSON.stringify(harness)});
        const cluster = await sharedKafkaBroker();
        const admin = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).admin();
        await admin.connect();
        await admin.createTopics({ topics: [{ topic: 'shared-broker-spec', numPartitions: 3 }] });
        await admin.disconnect();
      `;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, TMPDIR: tmp },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0, stderr);
      // tsx keeps its cache there too (tsx-0); the brokers' folder is mastery-kafka-….
      assert.deepEqual(
        (await readdir(tmp)).filter((name) => name.startsWith('mastery-kafka-')),
        [],
        'the brokers folder is removed',
      );
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
