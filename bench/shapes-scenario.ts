/**
 * Scenario shapes (issue 18): the workload shapes of bench/shapes.ts through the built `mastery
 * serve`, each on a fresh backend, with the stores' CPU per event and, on PostgreSQL + Redis, the
 * stores' floors for the same events (bench/floors.ts); then the long-history check. See
 * docs/benchmarks.md.
 */
import { Redis } from 'ioredis';
import type { WireEvent } from './generate-events.js';
import { measureEngineSizes, runFloors, type FloorResult } from './floors.js';
import { embedded, ingest, postgresRedis, printIngest, r2, RESPONSE_HEAVY, startService, type Backend, type Context, type IngestResult } from './harness.js';
import { inBatches, longHistory, SHAPE_DEFS, SHAPES, shapeEvents, shapeStudents, type ShapeName } from './shapes.js';

/** The floors' Redis database, on the bench's redis-server (the engine's is 13; the tests use 0). */
const FLOOR_REDIS_DB = 12;
/** As the service runs in the bench (harness.ts's MASTERY_RETENTION_DAYS). */
const RETENTION_DAYS = 36_500;

/** Which shapes run on which backends (issue 18 item 1). */
const RUNS: ReadonlyArray<{ shape: ShapeName; backend: 'pg-redis' | 'embedded' }> = [
  { shape: 'wide', backend: 'pg-redis' },
  { shape: 'wide-random', backend: 'pg-redis' },
  { shape: 'wide-random', backend: 'embedded' },
  { shape: 'backfill', backend: 'pg-redis' },
  { shape: 'long-random', backend: 'pg-redis' },
  { shape: 'long-random', backend: 'embedded' },
];
export const LONG_HISTORY = 'long-history';

export function mixOf(responseShare: number): string {
  return (
    `${Math.round(responseShare * 100)} % response.recorded answers, the rest the seed's mix ` +
    `(completion, quiz, quality, consistency, activity.recorded), 2 % duplicates` +
    (responseShare === RESPONSE_HEAVY.responseShare ? ` — ingest-responses' mix` : '')
  );
}

export interface ShapeRow {
  shape: string;
  backend: 'pg-redis' | 'embedded';
  describe: string;
  students: number;
  days: number;
  order: string;
  ingest: IngestResult;
  floor?: FloorResult & { engine_sizes: Awaited<ReturnType<typeof measureEngineSizes>> };
  /** Engine events/s over the floor's, and the floor's CPU per event over the engine's, per store. */
  fraction_of_floor?: { events_per_second: number; postgres_cpu: number; redis_cpu: number };
}

function floorRedis(stores: NonNullable<Backend['stores']>): Redis {
  const url = new URL(stores.redisUrl);
  url.pathname = `/${FLOOR_REDIS_DB}`;
  return new Redis(url.toString());
}

async function runShape(ctx: Context, shape: ShapeName, which: 'pg-redis' | 'embedded', responseShare: number): Promise<ShapeRow> {
  const totalEvents = ctx.args.events ?? 100_000;
  const students = ctx.args.students ?? shapeStudents(shape, totalEvents);
  const events = shapeEvents(shape, { totalEvents, responseShare, students });
  const batches = inBatches(events);
  const label = `${shape} (${which})`;
  const backend = which === 'embedded' ? await embedded() : await postgresRedis();
  try {
    const service = await startService(backend.env, ctx.profileDir);
    let result: IngestResult;
    try {
      result = await ingest(service, { batches, students }, ctx.args.clients, label, backend.stores);
    } finally {
      await service.stop();
    }
    const def = SHAPE_DEFS[shape];
    const row: ShapeRow = { shape, backend: which, describe: backend.describe, students, days: def.days, order: def.order, ingest: result };
    if (backend.stores) {
      const ids = [...new Set(events.map((e) => e.student_id))].sort();
      const sizes = await measureEngineSizes(backend.stores.redis, ids);
      const redis = floorRedis(backend.stores);
      try {
        const floor = await runFloors({ batches, redis, sizes, clients: ctx.args.clients, retentionDays: RETENTION_DAYS });
        row.floor = { ...floor, engine_sizes: sizes };
        const cpu = result.cpu_us_per_event!;
        row.fraction_of_floor = {
          events_per_second: r2(result.events_per_second / floor.events_per_second),
          postgres_cpu: r2(floor.postgres_cpu_us_per_event / cpu.postgres),
          redis_cpu: r2(floor.redis_cpu_us_per_event / cpu.redis),
        };
      } finally {
        redis.disconnect();
      }
    }
    return row;
  } finally {
    await backend.cleanup();
  }
}

export interface LongHistoryResult {
  describe: string;
  students_per_group: number;
  history_events: { year: number; week: number };
  preload: IngestResult;
  /** Each round of in-order appends, per group, in the order they ran. */
  rounds: Array<{ group: 'year' | 'week'; round: number; ingest: IngestResult }>;
  /** Summed over the rounds, per group: CPU µs per appended event. */
  per_event_us: { year: { service: number; postgres: number; redis: number }; week: { service: number; postgres: number; redis: number } };
  /** year ÷ week (1: a year of history costs no more per event than a week). */
  year_over_week: { service: number; postgres: number; redis: number };
}

/**
 * The long-history check: students with 365 and with 7 days of history (one event a day) are
 * loaded by one service; a second, started cold on the same stores, appends the same in-order
 * events to both groups, alternating (week, year, then year, week), each round measured alone.
 */
async function runLongHistory(ctx: Context, responseShare: number): Promise<LongHistoryResult> {
  const totalEvents = ctx.args.events ?? 100_000;
  const students = Math.max(10, Math.round((200 * totalEvents) / 100_000));
  const common = { students, appendsPerStudent: 50, rounds: 2, responseShare };
  const year = longHistory({ ...common, historyDays: 365, prefix: 'year', idTag: 'a' });
  const week = longHistory({ ...common, historyDays: 7, prefix: 'week', idTag: 'b' });
  const history = [...year.history, ...week.history].sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  const backend = await postgresRedis();
  try {
    const loader = await startService(backend.env, ctx.profileDir);
    let preload: IngestResult;
    try {
      preload = await ingest(loader, { batches: inBatches(history), students: 2 * students }, ctx.args.clients, 'long-history preload', backend.stores);
    } finally {
      await loader.stop();
    }
    const service = await startService(backend.env, ctx.profileDir);
    const rounds: LongHistoryResult['rounds'] = [];
    try {
      const order: Array<['year' | 'week', number]> = [
        ['week', 0],
        ['year', 0],
        ['year', 1],
        ['week', 1],
      ];
      for (const [group, round] of order) {
        const events: WireEvent[] = (group === 'year' ? year : week).rounds[round]!;
        const r = await ingest(service, { batches: inBatches(events), students }, ctx.args.clients, `long-history ${group} round ${round}`, backend.stores);
        rounds.push({ group, round, ingest: r });
      }
    } finally {
      await service.stop();
    }
    const perEvent = (group: 'year' | 'week') => {
      const mine = rounds.filter((r) => r.group === group).map((r) => r.ingest);
      const events = mine.reduce((n, r) => n + r.accepted + r.duplicate, 0);
      const sum = (key: 'service' | 'postgres' | 'redis') => mine.reduce((n, r) => n + r.cpu_us_per_event![key] * (r.accepted + r.duplicate), 0) / events;
      return { service: Math.round(sum('service')), postgres: Math.round(sum('postgres')), redis: Math.round(sum('redis')) };
    };
    const y = perEvent('year');
    const w = perEvent('week');
    return {
      describe: backend.describe,
      students_per_group: students,
      history_events: { year: year.history.length, week: week.history.length },
      preload: preload!,
      rounds,
      per_event_us: { year: y, week: w },
      year_over_week: { service: r2(y.service / w.service), postgres: r2(y.postgres / w.postgres), redis: r2(y.redis / w.redis) },
    };
  } finally {
    await backend.cleanup();
  }
}

export async function scenarioShapes(ctx: Context) {
  const responseShare = ctx.args.responses ?? RESPONSE_HEAVY.responseShare;
  const chosen = ctx.args.shapes.length > 0 ? ctx.args.shapes : [...SHAPES, LONG_HISTORY];
  for (const s of chosen)
    if (s !== LONG_HISTORY && !(SHAPES as readonly string[]).includes(s)) throw new Error(`unknown shape ${s}: one of ${[...SHAPES, LONG_HISTORY].join(', ')}`);
  console.log(`  mix: ${mixOf(responseShare)}`);
  const rows: ShapeRow[] = [];
  for (const run of RUNS) {
    if (!chosen.includes(run.shape)) continue;
    const row = await runShape(ctx, run.shape, run.backend, responseShare);
    printIngest(`${run.shape} (${run.backend})`, row.ingest);
    rows.push(row);
  }
  const long = chosen.includes(LONG_HISTORY) ? await runLongHistory(ctx, responseShare) : undefined;
  return { mix: mixOf(responseShare), response_share: responseShare, shapes: rows, long_history: long };
}

const pad = (x: unknown, n: number) => String(x ?? '–').padStart(n);

export function printShapes(r: Awaited<ReturnType<typeof scenarioShapes>>) {
  console.log(`\nshapes — ${r.mix}; CPU in µs per event; floor: bare INSERT + pipelined Redis writes of the same events`);
  console.log(
    `${'shape'.padEnd(24)}${pad('events/s', 10)}${pad('service', 9)}${pad('PG', 6)}${pad('Redis', 7)}  |${pad('floor ev/s', 11)}${pad('PG', 6)}${pad('Redis', 7)}  | fraction of floor: ev/s, PG CPU, Redis CPU`,
  );
  for (const row of r.shapes) {
    const c = row.ingest.cpu_us_per_event;
    const f = row.floor;
    const q = row.fraction_of_floor;
    console.log(
      `${`${row.shape} (${row.backend})`.padEnd(24)}${pad(row.ingest.events_per_second, 10)}${pad(c?.service ?? Math.round(row.ingest.service_cpu_ms_per_1000_events), 9)}${pad(c?.postgres, 6)}${pad(c?.redis, 7)}  |` +
        `${pad(f?.events_per_second, 11)}${pad(f?.postgres_cpu_us_per_event, 6)}${pad(f?.redis_cpu_us_per_event, 7)}  | ${q ? `${q.events_per_second}, ${q.postgres_cpu}, ${q.redis_cpu}` : 'n/a (embedded)'}`,
    );
  }
  const l = r.long_history;
  if (l) {
    console.log(
      `long history (pg-redis, ${l.students_per_group} students a group, ${l.history_events.year} / ${l.history_events.week} events of history): CPU µs per appended in-order event, year ${JSON.stringify(l.per_event_us.year)}, week ${JSON.stringify(l.per_event_us.week)}, year ÷ week ${JSON.stringify(l.year_over_week)}`,
    );
    for (const round of l.rounds)
      console.log(`  ${round.group} round ${round.round}: ${round.ingest.events_per_second} ev/s, ${JSON.stringify(round.ingest.cpu_us_per_event)}`);
  }
}
