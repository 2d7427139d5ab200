import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WireEvent } from './generate-events.js';
import { inBatches, longHistory, shapeEvents } from './shapes.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const TOTAL = 20_000;
const day = (e: WireEvent) => e.timestamp.slice(0, 10);
const perStudent = (events: readonly WireEvent[]) => {
  const counts = new Map<string, Set<string>>();
  for (const e of events) counts.set(e.student_id, (counts.get(e.student_id) ?? new Set()).add(e.event_id));
  return [...counts.values()].map((ids) => ids.size);
};
const multiset = (events: readonly WireEvent[]) => events.map((e) => e.event_id).sort();

describe('bench shapes', () => {
  const opts = { totalEvents: TOTAL, responseShare: 0.6, now: NOW };
  const wide = shapeEvents('wide', opts);

  it('wide: a fifth of the events as students, each with about 5 distinct events, over 30 days, in time order', () => {
    assert.equal(wide.length, TOTAL);
    const counts = perStudent(wide);
    assert.equal(counts.length, TOTAL / 5);
    assert.ok(counts.every((n) => n >= 4 && n <= 5));
    for (let i = 1; i < wide.length; i++) assert.ok(wide[i - 1]!.timestamp <= wide[i]!.timestamp);
    const span = Date.parse(wide.at(-1)!.timestamp) - Date.parse(wide[0]!.timestamp);
    assert.ok(span > 29 * 86_400_000 && span <= 30 * 86_400_000);
    assert.ok(Date.parse(wide.at(-1)!.timestamp) < NOW.getTime());
  });

  it('carries the ingest mix: about 60 % answers and 2 % duplicates', () => {
    const answers = wide.filter((e) => e.event_type === 'response.recorded').length / wide.length;
    assert.ok(answers > 0.57 && answers < 0.63, String(answers));
    assert.equal(new Set(wide.map((e) => e.event_id)).size, Math.round(TOTAL * 0.98));
  });

  it('wide-random and backfill are permutations of wide, in their own orders', () => {
    const random = shapeEvents('wide-random', opts);
    const backfill = shapeEvents('backfill', opts);
    assert.deepEqual(multiset(random), multiset(wide));
    assert.deepEqual(multiset(backfill), multiset(wide));
    // Random: far from time order (about half of the neighbours out of order).
    let inversions = 0;
    for (let i = 1; i < random.length; i++) if (random[i - 1]!.timestamp > random[i]!.timestamp) inversions++;
    assert.ok(inversions > random.length * 0.4, String(inversions));
    // Backfill: the days newest first, each day in time order.
    for (let i = 1; i < backfill.length; i++) {
      const [a, b] = [backfill[i - 1]!, backfill[i]!];
      assert.ok(day(a) > day(b) || (day(a) === day(b) && a.timestamp <= b.timestamp), `${a.timestamp} then ${b.timestamp}`);
    }
    assert.ok(day(backfill[0]!) > day(backfill.at(-1)!));
  });

  it('long-random: a fiftieth of the events as students, about 50 each, in random order', () => {
    const long = shapeEvents('long-random', opts);
    const counts = perStudent(long);
    assert.equal(counts.length, TOTAL / 50);
    assert.ok(counts.every((n) => n >= 45 && n <= 50));
  });

  it('is seeded: the same options give the same events in the same order', () => {
    assert.deepEqual(shapeEvents('wide-random', opts), shapeEvents('wide-random', opts));
  });

  it('batches the list in order, 1,000 at a time', () => {
    const batches = inBatches(wide);
    assert.equal(batches.length, TOTAL / 1000);
    assert.deepEqual(batches.flat(), wide);
  });

  it('long history: a year and a week of daily history, then the same in-order appends for both groups', () => {
    const o = { students: 4, appendsPerStudent: 10, rounds: 2, responseShare: 0.6, now: NOW };
    const year = longHistory({ ...o, historyDays: 365, prefix: 'year', idTag: 'a' });
    const week = longHistory({ ...o, historyDays: 7, prefix: 'week', idTag: 'b' });
    assert.equal(year.history.length, 365 * 4);
    assert.equal(week.history.length, 7 * 4);
    assert.equal(new Set(year.history.filter((e) => e.student_id === 'year-000000').map(day)).size, 365);
    const lastHistory = year.history.at(-1)!.timestamp;
    for (const [r, round] of year.rounds.entries()) {
      assert.equal(round.length, 40);
      for (let i = 1; i < round.length; i++) assert.ok(round[i - 1]!.timestamp <= round[i]!.timestamp);
      assert.ok(round[0]!.timestamp > (r === 0 ? lastHistory : year.rounds[r - 1]!.at(-1)!.timestamp));
      // The same appends but for the ids.
      const strip = (e: WireEvent) => ({ ...e, event_id: e.event_id.slice(1), student_id: e.student_id.slice(5) });
      assert.deepEqual(round.map(strip), week.rounds[r]!.map(strip));
      assert.ok(round.every((e) => e.event_id.startsWith('a')) && week.rounds[r]!.every((e) => e.event_id.startsWith('b')));
    }
  });
});
