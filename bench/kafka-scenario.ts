/**
 * Scenario ingest-kafka: events through Kafka (the tests' Apache Kafka, three brokers) into
 * PostgreSQL + Redis by the built `mastery worker`. Events are on mastery.requests before the
 * clock runs, so it measures the worker draining a backlog (fetch, apply, commit), not the
 * producer. See docs/benchmarks.md.
 */
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { startKafkaBrokers } from '../src/testing/kafka/kafka-broker.js';
import { openPostgres } from '../src/adapters/sql/postgres-client.js';
import { loadConfig } from '../src/config.js';
import { createServiceTopics, keyedProducer, metricValue, testKafka } from '../src/testing/kafka/kafka-e2e.js';
import { generateBatches, type WireEvent } from './generate-events.js';
import { processTicks, TICKS_PER_SECOND } from './proc-cpu.js';
import { DEFAULT_STUDENTS, postgresRedis, r1, r2, withService, type Context, type Service } from './harness.js';

const GROUP = 'mastery-bench';
/** As the e2e failure tests run Kafka. */
const BROKERS = 3;
const MiB = 1024 * 1024;
/**
 * Written for librdkafka's mock cluster (the tests' broker until issue 17), which answered a
 * fetch with one record batch per partition: each send carries about 1 MiB per partition, as a
 * real broker hands it out (KafkaJS's maxBytesPerPartition, which the worker keeps). Kept so
 * that runs stay comparable with docs/benchmarks.md's.
 */
const SEND_BYTES_PER_PARTITION = 1 * MiB;
/**
 * The mock kept at most 5 MiB per partition; a backlog is still produced in rounds of at most
 * this much per partition, each drained before the next, so that runs stay comparable.
 */
const ROUND_BYTES_PER_PARTITION = 4 * MiB;

/** The service's own topic names and partition counts (its config defaults), so they cannot drift. */
const serviceTopics = () => loadConfig({ MASTERY_KAFKA_BROKERS: '127.0.0.1:9092' }).kafka!.topics;

// ---------- CPU accounting: which process the 2 cores went to while the worker drained ----------

type Ticks = Record<string, number>;

/** utime + stime, in ticks, of every process, by pid, with its command name. */
function cpuByPid(): Map<number, { comm: string; ticks: number }> {
  const all = new Map<number, { comm: string; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cpu = processTicks(Number(name));
    if (cpu !== undefined) all.set(Number(name), cpu);
  }
  return all;
}

/** Busy ticks of the whole machine (/proc/stat's cpu line less idle and iowait), and all ticks. */
function machineTicks(): { busy: number; total: number } {
  const n = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = n.reduce((a, b) => a + b, 0); // user … steal (guest is inside user)
  return { busy: total - n[3]! - n[4]!, total };
}

/** Starts counting; the returned function adds the ticks used since, by who used them, into `into`. */
function cpuWindow(workerPid: number, into: { groups: Ticks; others: Ticks; machineBusy: number; machineTotal: number }) {
  const before = cpuByPid();
  const machineBefore = machineTicks();
  const groupOf = (pid: number, comm: string) =>
    pid === workerPid
      ? 'worker'
      : pid === process.pid
        ? 'bench'
        : comm === 'java'
          ? 'kafka'
          : comm === 'postgres'
            ? 'postgresql'
            : comm.startsWith('redis')
              ? 'redis'
              : 'other';
  return () => {
    for (const [pid, { comm, ticks }] of cpuByPid()) {
      const used = ticks - (before.get(pid)?.ticks ?? 0);
      const group = groupOf(pid, comm);
      into.groups[group] = (into.groups[group] ?? 0) + used;
      // "other" by command name, so that a machine that was not quiet shows who took the CPU.
      if (group === 'other') into.others[comm] = (into.others[comm] ?? 0) + used;
    }
    const machine = machineTicks();
    into.machineBusy += machine.busy - machineBefore.busy;
    into.machineTotal += machine.total - machineBefore.total;
  };
}

// ---------- Kafka and the worker ----------

/** Per partition of `topics`: messages the group has not committed, and messages the broker deleted before the group read them. */
async function partitionState(kafka: Kafka, topics: readonly string[]): Promise<{ behind: Record<string, number>; lost: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId: GROUP, topics: [...topics] });
    const behind: Record<string, number> = {};
    let lost = 0;
    for (const topic of topics) {
      for (const end of await admin.fetchTopicOffsets(topic)) {
        const at = Math.max(0, Number(committed.find((c) => c.topic === topic)?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1));
        if (Number(end.high) > at) behind[`${topic}[${end.partition}]`] = Number(end.high) - at;
        lost += Math.max(0, Number(end.low) - at);
      }
    }
    return { behind, lost };
  } finally {
    await admin.disconnect();
  }
}

/** What the worker counted, from its /metrics (mastery_events_total and the batch histogram). */
async function workerCounts(worker: Service) {
  const text = await (await fetch(`${worker.url}/metrics`)).text();
  const n = (outcome: string) => metricValue(text, 'mastery_events_total', { source: 'kafka', outcome });
  const counts = { accepted: n('accepted'), duplicate: n('duplicate'), invalid: n('invalid'), retried: n('retried'), dead_lettered: n('dead_lettered') };
  return {
    ...counts,
    // Retried events come back later through mastery.retry and are counted again then.
    done: counts.accepted + counts.duplicate + counts.invalid + counts.dead_lettered,
    batches: metricValue(text, 'mastery_batch_duration_seconds_count', { source: 'kafka' }),
    batchSeconds: metricValue(text, 'mastery_batch_duration_seconds_sum', { source: 'kafka' }),
  };
}
type Counts = Awaited<ReturnType<typeof workerCounts>>;

// ---------- the scenario ----------

export async function scenarioKafka(ctx: Context) {
  const totalEvents = ctx.args.events ?? 100_000;
  const gen = { totalEvents, students: DEFAULT_STUDENTS }; // as the HTTP ingest scenarios
  const topics = serviceTopics();
  const consumed = [topics.requests.name, topics.retry.name];
  const partitions = topics.requests.partitions;
  const cluster = await startKafkaBrokers({ brokers: BROKERS });
  const kafka = testKafka(cluster.brokers, 'mastery-bench');
  try {
    await createServiceTopics(kafka);
    const producer = await keyedProducer(kafka);
    try {
      // Keyed by student_id as the service expects (one student, one partition).
      const source = (function* (): Generator<WireEvent> {
        for (const batch of generateBatches(gen)) yield* batch;
      })();
      const distinct = new Set<string>();
      let produced = 0;
      let produceSeconds = 0;
      /** Produces the next round; resolves with how many events it held (0: none left). */
      const produceRound = async (): Promise<number> => {
        const started = performance.now();
        let messages: Array<{ key: string; value: string }> = [];
        let sendBytes = 0;
        let roundBytes = 0;
        const send = async () => {
          if (messages.length > 0) await producer.send({ topic: topics.requests.name, messages });
          produced += messages.length;
          messages = [];
          sendBytes = 0;
        };
        const before = produced;
        while (roundBytes < ROUND_BYTES_PER_PARTITION * partitions) {
          const next = source.next();
          if (next.done) break;
          const value = JSON.stringify(next.value);
          distinct.add(next.value.event_id);
          messages.push({ key: next.value.student_id, value });
          sendBytes += value.length;
          roundBytes += value.length;
          if (sendBytes >= SEND_BYTES_PER_PARTITION * partitions) await send();
        }
        await send();
        produceSeconds += (performance.now() - started) / 1000;
        const { lost } = await partitionState(kafka, consumed);
        if (lost > 0) throw new Error(`Kafka lost ${lost} messages before the worker read them`);
        return produced - before;
      };

      await produceRound();
      const backend = await postgresRedis();
      const env = { ...backend.env, MASTERY_KAFKA_BROKERS: cluster.brokers.join(','), MASTERY_KAFKA_GROUP_ID: GROUP };
      const spawnedAt = performance.now();
      const result = await withService(
        { ...backend, env },
        ctx,
        async (worker) => {
          const readyAt = performance.now();
          const cpu = { groups: {} as Ticks, others: {} as Ticks, machineBusy: 0, machineTotal: 0 };
          const rounds: Array<{ events: number; seconds: number; events_per_second: number; idle_before_clock_seconds: number }> = [];
          const exited = () => worker.child.exitCode !== null || worker.child.signalCode !== null;
          let now: Counts = await workerCounts(worker);
          const failure = async (what: string) => {
            const state = await partitionState(kafka, consumed).catch(String);
            return new Error(`${what} at ${now.done}/${produced} events; partitions: ${JSON.stringify(state)}; worker log:\n${worker.log().slice(-4000)}`);
          };
          const poll = async () => {
            await sleep(50);
            now = await workerCounts(worker).catch(async (error: unknown) => {
              // A dead worker resets the connection before its exit is reported: give that a moment.
              if (!exited()) await Promise.race([once(worker.child, 'exit'), sleep(2_000)]);
              throw exited() ? await failure(`the worker exited (${worker.child.signalCode ?? worker.child.exitCode})`) : error;
            });
          };

          let progressAt = performance.now();
          const pollUntil = async (condition: () => boolean) => {
            while (!condition()) {
              if (performance.now() - progressAt > 60_000) throw await failure('the worker made no progress for 60 s');
              const before = now.done;
              await poll();
              if (now.done > before) progressAt = performance.now();
            }
          };
          /** Waits (off the clock) until the group has committed what the metrics count as done. */
          const committedAll = async () => {
            let state = await partitionState(kafka, consumed);
            for (let i = 0; Object.keys(state.behind).length > 0 && i < 50; i++) {
              await sleep(200);
              state = await partitionState(kafka, consumed);
            }
            return state;
          };
          // Round 1's clock starts when the worker is ready (its consumer has joined the group:
          // runWorker returns after consumer.run). Later rounds start at their first progress: the
          // idle worker's fetch waits in the mock for KafkaJS's maxWaitTimeInMs (5 s) even when data
          // arrives, where a real broker answers at once. Events already done when a clock starts
          // are left out of its round.
          let started = readyAt;
          let wall = 0;
          let producedAt = readyAt;
          for (;;) {
            const start = now.done;
            const stopCpu = cpuWindow(worker.child.pid!, cpu);
            await pollUntil(() => now.done >= produced);
            const seconds = (performance.now() - started) / 1000;
            stopCpu();
            wall += seconds;
            rounds.push({
              events: now.done - start,
              seconds: r2(seconds),
              events_per_second: Math.round((now.done - start) / seconds),
              idle_before_clock_seconds: r2((started - producedAt) / 1000),
            });
            await committedAll(); // so that the next round can only push out messages that are done
            if ((await produceRound()) === 0) break;
            producedAt = progressAt = performance.now();
            const idle = now.done;
            await pollUntil(() => now.done > idle);
            started = performance.now();
          }

          // Outside the clock: the log holds each distinct event once, and the group committed everything.
          const db = await openPostgres(backend.env.MASTERY_DATABASE_URL!);
          const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM mastery_events').finally(() => db.close());
          const state = await committedAll();
          const cores = (ticks: Ticks) => Object.fromEntries(Object.entries(ticks).map(([k, t]) => [k, r2(t / TICKS_PER_SECOND / wall)]));
          return {
            events_produced: produced,
            distinct_events: distinct.size,
            students: gen.students,
            brokers: BROKERS,
            partitions: Object.fromEntries(Object.values(topics).map((t) => [t.name, t.partitions])),
            produce_seconds: r2(produceSeconds),
            worker_ready_seconds: r2((readyAt - spawnedAt) / 1000),
            rounds,
            wall_seconds: r2(wall),
            events_per_second: Math.round(rounds.reduce((sum, r) => sum + r.events, 0) / wall),
            accepted: now.accepted,
            duplicate: now.duplicate,
            invalid: now.invalid,
            retried: now.retried,
            dead_lettered: now.dead_lettered,
            log_rows: row!.n,
            group_backlog_after: Object.values(state.behind).reduce((a, b) => a + b, 0),
            worker_batches: now.batches,
            events_per_worker_batch: r1(now.done / now.batches),
            // Time inside handleBatch, summed over the (up to 3) partitions the worker handles at once.
            worker_batch_seconds: r2(now.batchSeconds),
            cores_used: { ...cores(cpu.groups), machine_total: r2((cpu.machineBusy / cpu.machineTotal) * os.cpus().length) } as Record<string, number>,
            other_cores_by_command: Object.fromEntries(Object.entries(cores(cpu.others)).filter(([, c]) => c >= 0.05)),
            peak_rss_mb: r1(worker.peakRssMb()),
            rss_after_mb: r1(worker.currentRssMb()),
          };
        },
        'worker',
      );
      return { backend: `${backend.describe}; Kafka: Apache Kafka (KRaft), ${BROKERS} brokers, group ${GROUP}`, ...result };
    } finally {
      await producer.disconnect();
    }
  } finally {
    await cluster.close();
  }
}

export function printKafka(name: string, r: Awaited<ReturnType<typeof scenarioKafka>>) {
  console.log(
    `${name.padEnd(40)} ${String(r.events_per_second).padStart(8)} ev/s  acc ${r.accepted} dup ${r.duplicate} inv ${r.invalid} retried ${r.retried} dlq ${r.dead_lettered}  ` +
      `${r.wall_seconds}s in ${r.rounds.length} round(s)  produce ${r.produce_seconds}s  ${r.worker_batches} batches (~${r.events_per_worker_batch} ev)  peak RSS ${r.peak_rss_mb} MB`,
  );
  console.log(`${''.padEnd(40)} cores used: ${JSON.stringify(r.cores_used)}  log rows ${r.log_rows}  backlog after ${r.group_backlog_after}`);
  const other = r.cores_used.other ?? 0;
  if (other >= 0.1)
    console.log(`  WARNING: other processes used ${other} cores during the run (${JSON.stringify(r.other_cores_by_command)}): the machine was not quiet`);
}
