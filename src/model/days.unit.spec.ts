import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../testing/property.js';
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

describe('day arithmetic agrees with Date', () => {
  it('dayNumber, dayFromNumber and dayOfInstant match Date for every day of years 0001–9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('0001-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }), (ms) => {
        const day = new Date(ms).toISOString().slice(0, 10);
        assert.equal(dayOfInstant(ms), day);
        assert.equal(dayNumber(day), Math.floor(ms / 86_400_000));
        assert.equal(dayFromNumber(Math.floor(ms / 86_400_000)), day);
      }),
      { numRuns: 5000 },
    );
  });

  it('isDay agrees with a Date round trip for any YYYY-MM-DD', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), (y, m, d) => {
        const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const t = new Date(0).setUTCFullYear(y, m - 1, d);
        const expected = m >= 1 && m <= 12 && d >= 1 && d <= 31 && Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === text;
        assert.equal(isDay(text), expected, text);
      }),
      { numRuns: 5000 },
    );
  });

  it('an instant that is not a number has no day', () => {
    assert.throws(() => dayOfInstant(Number.NaN), RangeError);
  });
});
