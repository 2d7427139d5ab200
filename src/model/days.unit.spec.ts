import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays, dayFromNumber, dayNumber, dayOfInstant, daysBetween, isDay } from './days.js';

describe('days (UTC calendar days, YYYY-MM-DD)', () => {
  it('the day of an instant is its UTC date, whatever offset the timestamp was written with', () => {
    // 23:30 at UTC−5 is 04:30 the next day in UTC (mastery-model.md §1.4: "UTC date of its timestamp").
    assert.equal(dayOfInstant(Date.parse('2026-01-14T23:30:00-05:00')), '2026-01-15');
    assert.equal(dayOfInstant(Date.parse('2026-01-15T02:00:00+05:00')), '2026-01-14');
    assert.equal(dayOfInstant(Date.parse('2026-01-14T00:00:00Z')), '2026-01-14');
  });

  it('day numbers count whole days since 1970-01-01 and convert back', () => {
    assert.equal(dayNumber('1970-01-01'), 0);
    assert.equal(dayNumber('1970-01-02'), 1);
    assert.equal(dayFromNumber(dayNumber('2026-01-14')), '2026-01-14');
  });

  it('daysBetween is b − a in whole days, across months, years and leap days', () => {
    assert.equal(daysBetween('2026-01-12', '2026-01-14'), 2);
    assert.equal(daysBetween('2025-12-31', '2026-01-01'), 1);
    assert.equal(daysBetween('2024-02-28', '2024-03-01'), 2);
    assert.equal(daysBetween('2026-01-14', '2026-01-12'), -2);
  });

  it('addDays moves forward and backward', () => {
    assert.equal(addDays('2026-01-31', 1), '2026-02-01');
    assert.equal(addDays('2026-01-01', -1), '2025-12-31');
    assert.equal(addDays('2024-02-28', 1), '2024-02-29');
  });

  it('isDay accepts real calendar days only', () => {
    assert.equal(isDay('2026-01-14'), true);
    assert.equal(isDay('2024-02-29'), true);
    assert.equal(isDay('2026-02-29'), false);
    assert.equal(isDay('2026-02-30'), false);
    assert.equal(isDay('2026-1-5'), false);
    assert.equal(isDay('2026-01-14T00:00:00Z'), false);
    assert.equal(isDay(''), false);
  });
});
