/**
 * The workload shapes of issue 18, as seeded, pure generators: the same options give the same
 * events in the same order (only `now` moves the timestamps). Each shape is a list of events
 * sent in batches of 1,000 in list order; the mix is the ingest scenarios' (generate-events.ts:
 * the seed's four components and activity, plus `responseShare` of response.recorded answers,
 * 2 % duplicates). See docs/benchmarks.md.
 */
import { seededRandom } from '../src/demo/seeded-random.js';
import { BENCH_SEED, makeEvent, makeResponse, studentId, type WireEvent } from './generate-events.js';

export const SHAPES = ['wide', 'wide-random', 'backfill', 'long-random'] as const;
export type ShapeName = (typeof SHAPES)[number];

export type Order = 'time' | 'random' | 'newest-day-first';

/** Each shape at its default 100,000 events: a population, a span and an order. */
export const SHAPE_DEFS: Record<ShapeName, { studentsPer100k: number; days: number; order: Order }> = {
  wide: { studentsPer100k: 20_000, days: 30, order: 'time' },
  'wide-random': { studentsPer100k: 20_000, days: 30, order: 'random' },
  backfill: { studentsPer100k: 20_000, days: 30, order: 'newest-day-first' },
  'long-random': { studentsPer100k: 2_000, days: 30, order: 'random' },
};

export interface PopulationOptions {
  totalEvents: number;
  students: number;
  /** Timestamps fall within this many days before `now` (the last minute left out). */
  days: number;
  responseShare: number;
  duplicateRate?: number;
  seed?: number;
  now?: Date;
  /** Student ids are `${prefix}-NNNNNN` (default: studentId's `bench-NNNNNN`). */
  prefix?: string;
}

const idOf = (prefix: string | undefined, i: number) => (prefix === undefined ? studentId(i) : `${prefix}-${String(i).padStart(6, '0')}`);

/**
 * The events of a population, in no particular order: the distinct events go to the students in
 * turn (so each has the same number, ±1), at uniformly random instants of the span; a duplicate
 * is the same event object listed twice.
 */
export function population(o: PopulationOptions): WireEvent[] {
  const random = seededRandom(o.seed ?? BENCH_SEED);
  const latest = (o.now ?? new Date()).getTime() - 60_000;
  const span = o.days * 86_400_000;
  const distinct = Math.round(o.totalEvents * (1 - (o.duplicateRate ?? 0.02)));
  const events: WireEvent[] = [];
  for (let k = 0; k < distinct; k++) {
    const student = idOf(o.prefix, k % o.students);
    const at = latest - Math.floor(random() * span);
    events.push(random() < o.responseShare ? makeResponse(random, student, at) : makeEvent(random, student, at));
  }
  for (let k = distinct; k < o.totalEvents; k++) events.push(events[Math.floor(random() * distinct)]!);
  return events;
}

const byTime = (a: WireEvent, b: WireEvent) =>
  a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;

/** `events` in the order given (a new array; the events themselves are shared). */
export function ordered(events: readonly WireEvent[], order: Order, seed = BENCH_SEED): WireEvent[] {
  const list = [...events].sort(byTime);
  if (order === 'time') return list;
  if (order === 'newest-day-first') {
    // Days newest first, each day's events in time order: a back-fill importing day by day.
    return list.sort((a, b) => {
      const da = a.timestamp.slice(0, 10);
      const db = b.timestamp.slice(0, 10);
      return da > db ? -1 : da < db ? 1 : byTime(a, b);
    });
  }
  // Fisher–Yates from the time order, so that the result depends on the seed alone.
  const random = seededRandom(seed ^ 0x5bd1e995);
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/** Consecutive batches of `size` (the last one may be shorter). */
export function inBatches<T>(list: readonly T[], size = 1000): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < list.length; i += size) batches.push(list.slice(i, i + size));
  return batches;
}

/** A shape's students at `totalEvents` (scaled from its 100,000-event population, at least 1). */
export const shapeStudents = (shape: ShapeName, totalEvents: number) => Math.max(1, Math.round((SHAPE_DEFS[shape].studentsPer100k * totalEvents) / 100_000));

/** A shape's events in the order it sends them. wide, wide-random and backfill share one set of events. */
export function shapeEvents(shape: ShapeName, o: { totalEvents: number; responseShare: number; students?: number; now?: Date; seed?: number }): WireEvent[] {
  const def = SHAPE_DEFS[shape];
  const events = population({
    totalEvents: o.totalEvents,
    students: o.students ?? shapeStudents(shape, o.totalEvents),
    days: def.days,
    responseShare: o.responseShare,
    now: o.now,
    seed: o.seed,
  });
  return ordered(events, def.order, o.seed);
}

// ---------- the long-history check ----------

export interface LongHistoryOptions {
  /** Students in each group (the year's and the week's). */
  students: number;
  /** Days of history before the appends: 365 and 7. */
  historyDays: number;
  /** Events per student in each round of appends. */
  appendsPerStudent: number;
  rounds: number;
  responseShare: number;
  prefix: string;
  /** A hex digit that starts every event id of the group's appends, so two groups' ids never meet. */
  idTag: string;
  seed?: number;
  now?: Date;
}

/**
 * A group of students with `historyDays` days of history, one event on each calendar day (UTC) up
 * to the day before yesterday, and then `rounds` rounds of in-order appends in the last day (each round after the one
 * before). The appends of two groups with the same options but for `historyDays` and `prefix`
 * are the same events but for the student ids and event ids, so their cost can be compared.
 */
export function longHistory(o: LongHistoryOptions): { history: WireEvent[]; rounds: WireEvent[][] } {
  const now = (o.now ?? new Date()).getTime();
  const day = 86_400_000;
  const historyRandom = seededRandom((o.seed ?? BENCH_SEED) + o.historyDays);
  const history: WireEvent[] = [];
  // UTC midnight two days back: each of the history's days is one calendar day of its own.
  const historyEnd = Math.floor(now / day) * day - day;
  for (let d = o.historyDays; d >= 1; d--) {
    for (let s = 0; s < o.students; s++) {
      const student = idOf(o.prefix, s);
      const at = historyEnd - d * day + Math.floor(historyRandom() * day);
      history.push(historyRandom() < o.responseShare ? makeResponse(historyRandom, student, at) : makeEvent(historyRandom, student, at));
    }
  }
  history.sort(byTime);
  // The same draws for every group: the appends differ only in their ids' prefix and the uuids.
  const appendRandom = seededRandom((o.seed ?? BENCH_SEED) + 1);
  const window = (day - 120_000) / o.rounds;
  const start = now - day;
  const rounds: WireEvent[][] = [];
  for (let r = 0; r < o.rounds; r++) {
    const round: WireEvent[] = [];
    for (let k = 0; k < o.students * o.appendsPerStudent; k++) {
      const student = idOf(o.prefix, k % o.students);
      const at = start + r * window + Math.floor(appendRandom() * window);
      const e = appendRandom() < o.responseShare ? makeResponse(appendRandom, student, at) : makeEvent(appendRandom, student, at);
      round.push({ ...e, event_id: o.idTag + e.event_id.slice(1) });
    }
    rounds.push(round.sort(byTime));
  }
  return { history, rounds };
}
