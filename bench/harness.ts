/**
 * What every benchmark scenario shares: the built service spawned as `npm start` runs it, the
 * two back ends (the embedded default; PostgreSQL + Redis of the run's own), HTTP ingest with
 * its measurements, and the printed row. bench/run.ts is the command; the scenarios of their
 * own files (kafka-scenario.ts, shapes-scenario.ts) build on this.
 */
import { once } from 'node:events';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { signHs256 } from '../src/access/tokens.js';
import { SERVICE_NODE_FLAGS } from '../src/cli/node-flags.js';
import { childProcessBase, testServers } from '../src/config/test-environment.js';
import { freshSchema } from '../src/testing/stores/postgres-schema.js';
import { startRedisServer } from '../src/testing/stores/redis-server.js';
import { processTicks, TICKS_PER_SECOND } from './proc-cpu.js';
import { generateBatches, type GenerateOptions, type WireEvent } from './generate-events.js';
import { startStoreCpu, withApplicationName } from './store-cpu.js';

/** The HS256 secret the service verifies the benchmark's tokens with. */
export const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
/** The Redis database index the benchmark owns and flushes (the tests use 0). */
const BENCH_REDIS_DB = 13;
/** The built service, as `npm start` runs it (run.ts builds it first). */
const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

// ---------- arguments ----------

export interface Args {
  scenario: string;
  events: number | undefined;
  /** The student population of the ingest scenarios (default DEFAULT_STUDENTS). */
  students: number | undefined;
  full: boolean;
  clients: number;
  readSeconds: number;
  /** The paced read phase's offered rate, requests per second (default 5,000: the target). */
  readRate: number;
  profile: boolean;
  /** Share of response.recorded among the generated events (--responses; default 0, but ingest-responses and shapes use 0.6). */
  responses: number | undefined;
  /** Share of those answers that arrive late, anywhere in the span (--late-answers; default 1, all; ingest-responses uses 0.05). */
  lateAnswers: number;
  /** --scenario shapes: the shapes to run (--shape, repeatable; default all, and the long-history check). */
  shapes: string[];
}

export interface Context {
  args: Args;
  profileDir: string | undefined;
}

// ---------- the service ----------

export interface Service {
  url: string;
  port: number;
  child: ChildProcess;
  peakRssMb: () => number;
  currentRssMb: () => number;
  /** The tail of what the process printed, for error messages. */
  log: () => string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  server.close();
  await once(server, 'close');
  return port;
}

function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Spawns `mastery serve` (or `mastery worker`, whose ops server answers /readyz on PORT too)
 * and resolves once /readyz answers 200.
 */
export async function startService(env: Record<string, string>, profileDir?: string, command: 'serve' | 'worker' = 'serve'): Promise<Service> {
  const port = await freePort();
  // The built JavaScript with the node flags of production (no tsx loader in the process being
  // measured), and the profiler's when profiling (--cpu-prof is not allowed in NODE_OPTIONS).
  const nodeFlags = [...SERVICE_NODE_FLAGS, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
  const child = spawn(process.execPath, [...nodeFlags, MAIN, command], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...childProcessBase(),
      PORT: String(port),
      LOG_LEVEL: 'warn',
      MASTERY_RATE_LIMIT_PER_MINUTE: '0',
      MASTERY_RETENTION_DAYS: '36500',
      MASTERY_JWT_SECRET: SECRET,
      MASTERY_PURGE_INTERVAL_MINUTES: '0',
      ...env,
    },
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log = (log + d).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (log = (log + d).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    // A process stuck in its shutdown (e.g. a Kafka consumer that cannot leave its group) must
    // not hang the harness.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 120_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}:\n${log}`);
      try {
        const res = await fetch(`${url}/readyz`);
        if (res.ok) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`${command} did not become ready:\n${log}`);
      // Short: the worker starts consuming as soon as it is ready, and ingest-kafka's clock starts here.
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const pid = child.pid!;
  return {
    url,
    port,
    child,
    peakRssMb: () => procStatusKb(pid, 'VmHWM') / 1024,
    currentRssMb: () => procStatusKb(pid, 'VmRSS') / 1024,
    log: () => log,
    stop,
  };
}

// ---------- HTTP client ----------

export const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function request(port: number, method: string, path: string, token: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** nodejs_heap_size_used_bytes from the service's /metrics (prom-client's default metrics). */
async function heapUsedBytes(service: Service): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? NaN);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const r1 = (x: number) => Math.round(x * 10) / 10;
export const r2 = (x: number) => Math.round(x * 100) / 100;

// ---------- ingest ----------

export interface IngestResult {
  events_sent: number;
  batches: number;
  students: number;
  clients: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  /** Batch attempts answered 503 and sent again (their time is in the batch's latency). */
  retried_503: number;
  retried_503_kinds: Record<string, number>;
  wall_seconds: number;
  events_per_second: number;
  /** The service process's CPU time (all threads) over the run, and per 1,000 events. */
  service_cpu_seconds: number;
  service_cpu_ms_per_1000_events: number;
  batch_latency_ms: { p50: number; p95: number; p99: number; max: number };
  peak_rss_mb: number;
  rss_after_mb: number;
  /** V8's used heap at the end (the service's /metrics): live data, apart from what GC has yet to give back. */
  heap_used_after_mb: number;
  /** With the stores measured (PostgreSQL + Redis): CPU per event of the service and of each store's server processes. */
  cpu_us_per_event?: { service: number; postgres: number; redis: number; postgres_backends: number };
}

/** What an ingest sends: generated batches, or batches given (the shapes). */
export type IngestSource = GenerateOptions | { batches: readonly WireEvent[][]; students: number };

export async function ingest(service: Service, gen: IngestSource, clients: number, label: string, stores?: Stores): Promise<IngestResult> {
  const token = await signHs256(SECRET, { role: 'service', sub: 'bench-ingest', expiresIn: '4h' });
  // Serialise ahead of time so the client's JSON work is not in the measured window.
  const bodies: string[] = [];
  for (const batch of 'batches' in gen ? gen.batches : generateBatches(gen)) bodies.push(JSON.stringify(batch));
  const eventsSent = 'batches' in gen ? gen.batches.reduce((n, b) => n + b.length, 0) : gen.totalEvents;
  const latencies: number[] = [];
  let accepted = 0;
  let duplicate = 0;
  let rejected = 0;
  let next = 0;
  let firstRejection: string | undefined;
  const failures: string[] = [];
  let lastReport = Date.now();
  const pid = service.child.pid!;
  const storeCpu = stores ? await startStoreCpu(stores) : undefined;
  const cpuBefore = processTicks(pid)?.ticks ?? Number.NaN;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= bodies.length) return;
      const t0 = performance.now();
      let res = await request(service.port, 'POST', '/v1/events', token, bodies[i]);
      // A 503 is retried, as a producer would (up to 5 times); each one is counted and reported.
      for (let attempt = 1; res.status === 503 && attempt <= 5; attempt++) {
        failures.push(`${res.status} ${res.body.slice(0, 300)}`);
        res = await request(service.port, 'POST', '/v1/events', token, bodies[i]);
      }
      latencies.push(performance.now() - t0);
      bodies[i] = '';
      if (res.status !== 200) throw new Error(`POST /v1/events answered ${res.status}: ${res.body.slice(0, 500)}`);
      const report = JSON.parse(res.body) as { accepted: number; duplicate: number; rejected: number; results: Array<{ status: string; errors?: unknown }> };
      accepted += report.accepted;
      duplicate += report.duplicate;
      rejected += report.rejected;
      if (report.rejected > 0 && firstRejection === undefined) {
        firstRejection = JSON.stringify(report.results.find((r) => r.status === 'rejected'));
      }
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        const done = accepted + duplicate + rejected;
        process.stderr.write(`  [${label}] ${done} events, ${r1(done / ((performance.now() - started) / 1000))} ev/s\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  const wall = (performance.now() - started) / 1000;
  // The service's own CPU time is steadier than the rate on a shared machine: what its work costs.
  const cpuSeconds = ((processTicks(pid)?.ticks ?? Number.NaN) - cpuBefore) / TICKS_PER_SECOND;
  const storeUsed = await storeCpu?.stop();
  const perEvent = (seconds: number) => Math.round((1e6 * seconds) / (accepted + duplicate));
  if (firstRejection) process.stderr.write(`  [${label}] WARNING: ${rejected} rejected, e.g. ${firstRejection}\n`);
  if (failures.length > 0) process.stderr.write(`  [${label}] WARNING: ${failures.length} batch attempts answered 503 and were retried, e.g. ${failures[0]}\n`);
  latencies.sort((a, b) => a - b);
  const failureKinds: Record<string, number> = {};
  for (const f of failures) failureKinds[f] = (failureKinds[f] ?? 0) + 1;
  return {
    events_sent: eventsSent,
    batches: latencies.length,
    students: gen.students,
    clients,
    accepted,
    duplicate,
    rejected,
    wall_seconds: r2(wall),
    events_per_second: Math.round((accepted + duplicate) / wall),
    service_cpu_seconds: r2(cpuSeconds),
    service_cpu_ms_per_1000_events: r1((1000 * cpuSeconds) / ((accepted + duplicate) / 1000)),
    batch_latency_ms: {
      p50: r1(percentile(latencies, 50)),
      p95: r1(percentile(latencies, 95)),
      p99: r1(percentile(latencies, 99)),
      max: r1(latencies.at(-1) ?? NaN),
    },
    retried_503: failures.length,
    retried_503_kinds: failureKinds,
    peak_rss_mb: r1(service.peakRssMb()),
    rss_after_mb: r1(service.currentRssMb()),
    heap_used_after_mb: r1((await heapUsedBytes(service)) / 2 ** 20),
    ...(storeUsed && {
      cpu_us_per_event: {
        service: perEvent(cpuSeconds),
        postgres: perEvent(storeUsed.postgresSeconds),
        redis: perEvent(storeUsed.redisSeconds),
        postgres_backends: storeUsed.postgresBackends,
      },
    }),
  };
}

// ---------- back ends ----------

/** How to measure a PostgreSQL + Redis backend's stores (bench/store-cpu.ts). */
export interface Stores {
  /** A connection string of the PostgreSQL server, for the monitor. */
  adminUrl: string;
  /** The application_name of the service's connections. */
  applicationName: string;
  /** A connection to the Redis server (the service's database). */
  redis: Redis;
  redisUrl: string;
}

export interface Backend {
  env: Record<string, string>;
  cleanup: () => Promise<void>;
  describe: string;
  stores?: Stores;
}

export async function embedded(): Promise<Backend> {
  const dir = await mkdtemp(join(os.tmpdir(), 'mastery-bench-'));
  return {
    env: { MASTERY_DATA_DIR: dir },
    describe: `embedded default: PGlite in ${dir} (on disk), state in memory, in-process bus`,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

let backends = 0;

export async function postgresRedis(): Promise<Backend> {
  const schema = await freshSchema();
  // A redis-server of the run's own unless MASTERY_TEST_REDIS_URL names one: never the Redis on 6379.
  const own = testServers().redisUrl === undefined ? await startRedisServer() : undefined;
  const redisUrl = new URL(own?.url ?? testServers().redisUrl!);
  redisUrl.pathname = `/${BENCH_REDIS_DB}`;
  const redis = new Redis(redisUrl.toString());
  await redis.flushdb();
  // Tagged, so that the PostgreSQL backends serving the service can be told from the suite's others.
  const applicationName = `mastery-bench-${process.pid}-${++backends}`;
  return {
    stores: { adminUrl: testServers().databaseUrl, applicationName, redis, redisUrl: redisUrl.toString() },
    // The heap cap of the production configuration (deploy/k8s/configmap.yaml, .env.example).
    env: {
      MASTERY_DATABASE_URL: withApplicationName(schema.url, applicationName),
      MASTERY_REDIS_URL: redisUrl.toString(),
      NODE_OPTIONS: '--max-old-space-size=256 --max-semi-space-size=16',
    },
    describe: `PostgreSQL (${testServers().databaseUrl}, fresh schema) + Redis (${redisUrl}, flushed)`,
    async cleanup() {
      await redis.flushdb();
      redis.disconnect();
      await own?.kill();
      await schema.drop();
    },
  };
}

// ---------- scenarios ----------

/** Runs `body` against a fresh service on `backend`; stops it and cleans the backend up whatever happens. */
export async function withService<T>(backend: Backend, ctx: Context, body: (s: Service) => Promise<T>, command: 'serve' | 'worker' = 'serve'): Promise<T> {
  try {
    const service = await startService(backend.env, ctx.profileDir, command);
    try {
      return await body(service);
    } finally {
      await service.stop();
    }
  } finally {
    await backend.cleanup();
  }
}

export const DEFAULT_STUDENTS = 1000;

/**
 * The response-heavy scenario: most of what a tutoring platform sends is answers, and they
 * arrive as they happen, each student's in order, a few late (a device back online).
 */
export const RESPONSE_HEAVY = { responseShare: 0.6, lateAnswerShare: 0.05 };

export function printIngest(name: string, r: IngestResult) {
  console.log(
    `${name.padEnd(40)} ${String(r.events_per_second).padStart(8)} ev/s  batch p50/p95/p99 ${r.batch_latency_ms.p50}/${r.batch_latency_ms.p95}/${r.batch_latency_ms.p99} ms  service CPU ${r.service_cpu_ms_per_1000_events} ms/1k ev  ` +
      `acc ${r.accepted} dup ${r.duplicate} rej ${r.rejected} 503-retries ${r.retried_503}  ${r.wall_seconds}s  peak RSS ${r.peak_rss_mb} MB, heap used ${r.heap_used_after_mb} MB`,
  );
}
