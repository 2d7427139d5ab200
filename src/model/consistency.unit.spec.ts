import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consistencyAsOf, consistencyOf, streakOf } from './consistency.js';
import { dayNumber } from './days.js';

/** The value as of the end of one day (§1.4). */
const consistencyValue = (days: string[], asOf: string) => consistencyAsOf(days, asOf);
import { round3 } from './numbers.js';

const consistency = (days: string[], asOf: string) => round3(consistencyValue(days, asOf));

describe('consistency = (current_streak / max_streak) × 0.9 ^ days_since (§1.4)', () => {
  it('no active day gives 0', () => {
    assert.equal(consistencyValue([], '2026-01-14'), 0);
  });

  it('one unbroken run ending today gives 1', () => {
    assert.equal(consistency(['2026-01-12', '2026-01-13', '2026-01-14'], '2026-01-14'), 1);
  });

  it('decays by 0.9 per day since the last active day', () => {
    assert.equal(consistency(['2026-01-13', '2026-01-14'], '2026-01-15'), 0.9);
    assert.equal(consistency(['2026-01-13', '2026-01-14'], '2026-01-17'), 0.729);
  });

  it('a gap resets the current streak but not the max streak', () => {
    // max run 01..05 (5), current run 10..12 (3), 2 days since → 0.6 × 0.81
    const days = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-10', '2026-01-11', '2026-01-12'];
    assert.equal(consistency(days, '2026-01-14'), 0.486);
  });

  it('a current run longer than an earlier one is its own max', () => {
    assert.equal(consistency(['2026-01-01', '2026-01-05', '2026-01-06', '2026-01-07'], '2026-01-07'), 1);
  });

  it('a single day after a gap is current streak 1', () => {
    assert.equal(consistency(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-09'], '2026-01-09'), 0.25);
  });

  it('only active days on or before the as-of day count', () => {
    // As of 01-03 the later run (01-10…01-12) has not happened yet: streak 3 of 3, 0 days since.
    const days = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-10', '2026-01-11', '2026-01-12'];
    assert.equal(consistency(days, '2026-01-03'), 1);
    assert.equal(consistency(days, '2026-01-05'), 0.81);
    assert.equal(consistency(days, '2026-01-10'), round3(1 / 3));
    assert.equal(consistencyValue(days, '2025-12-31'), 0, 'before the first active day there is none');
  });

  it('counts consecutive days across a month end', () => {
    assert.equal(consistency(['2026-01-30', '2026-01-31', '2026-02-01'], '2026-02-01'), 1);
  });
});

describe('the run and the formula the forecast shares', () => {
  it('streakOf: the last day, the streak ending on it and the longest streak', () => {
    const n = (days: string[]) => days.map(dayNumber);
    assert.deepEqual(streakOf([]), { last: Number.NaN, current: 0, max: 0 });
    assert.deepEqual(streakOf(n(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-07', '2026-01-08'])), {
      last: dayNumber('2026-01-08'),
      current: 2,
      max: 3,
    });
    assert.deepEqual(streakOf(n(['2026-01-01', '2026-01-05', '2026-01-06'])), { last: dayNumber('2026-01-06'), current: 2, max: 2 });
  });

  it('consistencyOf: current / max × 0.9 ^ days since; 0 without a run', () => {
    assert.equal(consistencyOf(2, 4, 0), 0.5);
    assert.equal(consistencyOf(2, 4, 2), 0.5 * 0.81);
    assert.equal(consistencyOf(0, 0, Number.NaN), 0);
  });
});
