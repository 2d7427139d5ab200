/**
 * The benchmark harness: `npm run bench [-- --scenario NAME] [--events N] [--full]`.
 * Every scenario spawns the real, built `mastery serve` and talks HTTP to it, except
 * ingest-kafka (bench/kafka-scenario.ts), which feeds `mastery worker` through Kafka.
 * See docs/benchmarks.md.
 */
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { signHs256 } from '../src/access/tokens.js';
import { generateBatches } from './generate-events.js';
import {
  agent,
  DEFAULT_STUDENTS,
  embedded,
  ingest,
  percentile,
  postgresRedis,
  printIngest,
  r1,
  r2,
  RESPONSE_HEAVY,
  SECRET,
  withService,
  type Args,
  type Context,
  type Service,
} from './harness.js';
import { runLoad } from './http-load.js';
import { printKafka, scenarioKafka } from './kafka-scenario.js';
import { printShapes, scenarioShapes } from './shapes-scenario.js';

/** The pause between the closed-loop and the paced read phases. */
const PHASE_GAP_MS = 3000;
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));

// ---------- arguments ----------

function parseArgs(argv: string[]): Args {
  const args: Args = {
    scenario: 'all',
    events: undefined,
    students: undefined,
    full: false,
    clients: 4,
    readSeconds: 15,
    readRate: 5000,
    profile: false,
    responses: undefined,
    lateAnswers: 1,
    shapes: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--scenario') args.scenario = value();
    else if (a === '--events') args.events = Number(value());
    else if (a === '--clients') args.clients = Number(value());
    else if (a === '--read-seconds') args.readSeconds = Number(value());
    else if (a === '--read-rate') args.readRate = Number(value());
    else if (a === '--students') args.students = Number(value());
    else if (a === '--full') args.full = true;
    else if (a === '--responses') args.responses = Number(value());
    else if (a === '--late-answers') args.lateAnswers = Number(value());
    else if (a === '--cpu-prof') args.profile = true;
    else if (a === '--shape') args.shapes.push(value());
    else if (a === '--') continue;
    else throw new Error(`unknown argument ${a}; see docs/benchmarks.md`);
  }
  return args;
}

// ---------- reads ----------

interface ReadResult {
  mode: string;
  connections: number;
  target_rps: number | null;
  seconds: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  requests_per_second: number;
  latency_ms: { p50: number; p95: number; p99: number; max: number };
  peak_rss_mb: number;
}

/**
 * GETs /v1/students/{id}/mastery for random ingested students from `connections` keep-alive
 * connections (bench/http-load.ts: raw sockets, so the client's own CPU stays small).
 * targetRps null: closed loop (each connection sends its next request when the last one
 * answered). A number: each connection follows a fixed schedule, and latency counts from the
 * scheduled start, so a stall is not hidden (no coordinated omission).
 */
async function readLoad(service: Service, students: readonly string[], connections: number, seconds: number, targetRps: number | null): Promise<ReadResult> {
  const token = await signHs256(SECRET, { role: 'admin', sub: 'bench-reader', expiresIn: '4h' });
  let seed = 12345;
  const nextPath = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return `/v1/students/${students[seed % students.length]!}/mastery`;
  };
  const { latencies, statuses, wallSeconds } = await runLoad({
    port: service.port,
    connections,
    seconds,
    targetRps,
    nextPath,
    headers: { authorization: `Bearer ${token}` },
  });
  latencies.sort((a, b) => a - b);
  return {
    mode: targetRps ? `paced ${targetRps} req/s` : 'closed loop (max)',
    connections,
    target_rps: targetRps,
    seconds: r2(wallSeconds),
    requests: latencies.length,
    errors: latencies.length - (statuses['200'] ?? 0),
    statuses,
    requests_per_second: Math.round(latencies.length / wallSeconds),
    latency_ms: {
      p50: r2(percentile(latencies, 50)),
      p95: r2(percentile(latencies, 95)),
      p99: r2(percentile(latencies, 99)),
      max: r2(latencies.at(-1) ?? NaN),
    },
    peak_rss_mb: r1(service.peakRssMb()),
  };
}

// ---------- scenarios ----------

async function scenarioIngest(
  ctx: Context,
  which: 'embedded' | 'pg-redis',
  answers = { responseShare: ctx.args.responses ?? 0, lateAnswerShare: ctx.args.lateAnswers },
) {
  const events = ctx.args.events ?? 100_000;
  const backend = which === 'embedded' ? await embedded() : await postgresRedis();
  const gen = { totalEvents: events, students: ctx.args.students ?? DEFAULT_STUDENTS, ...answers };
  const result = await withService(backend, ctx, (s) => ingest(s, gen, ctx.args.clients, which, backend.stores));
  return { backend: backend.describe, response_share: answers.responseShare, late_answer_share: answers.lateAnswerShare, ...result };
}

async function scenarioRead(ctx: Context) {
  const events = ctx.args.events ?? 100_000;
  const backend = await postgresRedis();
  return withService(backend, ctx, async (s) => {
    const gen = { totalEvents: events, students: DEFAULT_STUDENTS, responseShare: ctx.args.responses ?? 0, lateAnswerShare: ctx.args.lateAnswers };
    const ingested = await ingest(s, gen, ctx.args.clients, 'read/ingest');
    // Read only students that were sent events (others answer 404).
    const known = new Set<string>();
    for (const batch of generateBatches(gen)) for (const e of batch) known.add(e.student_id);
    const ids = [...known].sort();
    // Warm-up: JIT, connections, and the first (L1-missing) reads.
    await readLoad(s, ids, 100, 3, null);
    const closed = await readLoad(s, ids, 100, ctx.args.readSeconds, null);
    // The paced phase measures a steady 5,000 req/s, not the closed loop's aftermath: started
    // right after it, its first 0.4 s held 40–70 % of its requests over 5 ms.
    await new Promise((resolve) => setTimeout(resolve, PHASE_GAP_MS));
    const paced = await readLoad(s, ids, 100, ctx.args.readSeconds, ctx.args.readRate);
    return { backend: backend.describe, ingest_before: ingested, students_read: ids.length, runs: [closed, paced] };
  });
}

async function scenarioGrowth(ctx: Context) {
  const points: Array<{ events: number; students: number }> = [
    { events: 10_000, students: 1_000 },
    { events: 100_000, students: 1_000 },
    { events: 100_000, students: 10_000 },
  ];
  if (ctx.args.full) points.push({ events: 1_000_000, students: 1_000 }, { events: 1_000_000, students: 100_000 });
  const rows = [];
  for (const p of points) {
    const backend = await embedded();
    const row = await withService(backend, ctx, (s) =>
      ingest(s, { totalEvents: p.events, students: p.students }, ctx.args.clients, `growth ${p.events}/${p.students}`),
    );
    rows.push({ backend: backend.describe, ...row });
    printIngest(`growth ${p.events} ev / ${p.students} students`, row);
  }
  return { points: rows };
}

// ---------- output ----------

function printRead(r: ReadResult) {
  console.log(
    `read ${r.mode.padEnd(35)} ${String(r.requests_per_second).padStart(8)} req/s  p50/p95/p99/max ${r.latency_ms.p50}/${r.latency_ms.p95}/${r.latency_ms.p99}/${r.latency_ms.max} ms  ` +
      `errors ${r.errors} ${JSON.stringify(r.statuses)}  peak RSS ${r.peak_rss_mb} MB`,
  );
}

function machine() {
  return {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model,
    memory_gb: r1(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

export async function save(scenario: string, args: Args, result: unknown) {
  await mkdir(RESULTS, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  const file = join(RESULTS, `${date}-${scenario}.json`);
  await writeFile(file, JSON.stringify({ scenario, date: new Date().toISOString(), machine: machine(), args, result }, null, 2) + '\n');
  console.log(`  -> ${file}`);
}

const SCENARIOS = ['ingest-embedded', 'ingest-pg-redis', 'ingest-responses', 'ingest-kafka', 'read-mastery', 'growth', 'shapes'] as const;

/** `npm run build`: the benchmark measures the service as `npm start` runs it. */
async function build() {
  const child = spawn('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`npm run build failed (exit ${code})`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const chosen = args.scenario === 'all' ? [...SCENARIOS] : [args.scenario];
  for (const s of chosen) if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`unknown scenario ${s}: one of ${SCENARIOS.join(', ')}`);
  const profileDir = args.profile ? fileURLToPath(new URL('./results/profiles/', import.meta.url)) : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const ctx: Context = { args, profileDir };
  console.log(`machine: ${JSON.stringify(machine())}`);
  await build();
  for (const s of chosen) {
    const t0 = Date.now();
    console.log(`\n== ${s}`);
    if (s === 'ingest-embedded' || s === 'ingest-pg-redis') {
      const r = await scenarioIngest(ctx, s === 'ingest-embedded' ? 'embedded' : 'pg-redis');
      printIngest(s, r);
      await save(s, args, r);
    } else if (s === 'ingest-responses') {
      for (const which of ['embedded', 'pg-redis'] as const) {
        const r = await scenarioIngest(ctx, which, RESPONSE_HEAVY);
        printIngest(`${s} (${which}, ${RESPONSE_HEAVY.responseShare * 100} % answers, ${RESPONSE_HEAVY.lateAnswerShare * 100} % late)`, r);
        await save(`${s}-${which}`, args, r);
      }
    } else if (s === 'ingest-kafka') {
      const r = await scenarioKafka(ctx);
      printKafka(s, r);
      await save(s, args, r);
    } else if (s === 'read-mastery') {
      const r = await scenarioRead(ctx);
      printIngest('ingest before reads (pg+redis)', r.ingest_before);
      for (const run of r.runs) printRead(run);
      await save(s, args, r);
    } else if (s === 'shapes') {
      const r = await scenarioShapes(ctx);
      printShapes(r);
      await save(s, args, r);
    } else {
      const r = await scenarioGrowth(ctx);
      await save(s, args, r);
    }
    console.log(`  (${r1((Date.now() - t0) / 1000)} s)`);
  }
  agent.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
