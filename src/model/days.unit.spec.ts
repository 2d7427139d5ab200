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
    // Not YYYY-MM-DD, although it converts back to itself: read digit by digit it is year −2998,
    // month 91, day 7, which lands in July of −2991, whose Date form is this very text. Found by
    // trying every Date form outside four-digit years; only the pattern check refuses it.
    assert.equal(isDay('-002991-07'), false);
  });
});

describe('leap days at the ends of the 400-year cycle', () => {
  // The conversions work in eras of 400 years (146,097 days) starting on 03-01; the last day of
  // an era is the 02-29 of a year divisible by 400, the one day the century rule gives back.
  // Random days hit it about once in 36,500, so it is pinned here.
  it('2000-02-29, 1600-02-29 and 2400-02-29 exist and convert both ways', () => {
    // 2000-01-01 is day 10,957 (30 years of 365 days plus 7 leap days); +31 +28 → 11,016.
    const cases: Array<[string, number]> = [
      ['2000-02-29', 11_016],
      ['2000-03-01', 11_017],
      // The same day one era (146,097 days) earlier or later, and four eras earlier.
      ['1600-02-29', 11_016 - 146_097],
      ['2400-02-29', 11_016 + 146_097],
      ['0400-02-29', 11_016 - 4 * 146_097],
    ];
    for (const [day, n] of cases) {
      assert.equal(dayNumber(day), n, day);
      assert.equal(dayFromNumber(n), day, day);
      assert.equal(isDay(day), true, day);
      assert.equal(dayOfInstant(n * 86_400_000 + 43_200_000), day, day);
    }
    assert.equal(daysBetween('2000-02-28', '2000-03-01'), 2);
    assert.equal(addDays('2000-02-28', 1), '2000-02-29');
    assert.equal(addDays('2000-03-01', -1), '2000-02-29');
  });

  it('the first days of an era (from 03-01 of a year divisible by 400) convert back', () => {
    // 2000-03-01 is day 11,017; an era's first weeks are where a wrong year-of-era would still
    // give a four-digit year, so they must not lean on the Date fallback.
    for (const [day, n] of [
      ['2000-03-02', 11_018],
      ['2000-03-28', 11_044],
      ['1600-03-15', 11_031 - 146_097],
    ] as const) {
      assert.equal(dayNumber(day), n, day);
      assert.equal(dayFromNumber(n), day, day);
    }
  });

  it('centuries not divisible by 400 have no 02-29', () => {
    for (const year of ['1700', '1800', '1900', '2100', '2200', '2300']) {
      assert.equal(isDay(`${year}-02-29`), false, year);
      assert.equal(daysBetween(`${year}-02-28`, `${year}-03-01`), 1, year);
    }
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

  it("outside four-digit years dayFromNumber gives Date's own form, which is not a Day", () => {
    // The formula covers any year, but only 0000–9999 can be written YYYY-MM-DD; past that the
    // day is Date's (±YYYYYY…), across the whole range Date can represent (±10^8 days).
    const dateForm = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);
    assert.equal(dayFromNumber(dayNumber('0000-01-01') - 1), '-000001-12');
    assert.equal(dayFromNumber(dayNumber('9999-12-31') + 1), '+010000-01');
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -100_000_000, max: dayNumber('0000-01-01') - 1 }), fc.integer({ min: dayNumber('9999-12-31') + 1, max: 100_000_000 })),
        (n) => {
          const day = dayFromNumber(n);
          assert.equal(day, dateForm(n));
          assert.equal(isDay(day), false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the first and last four-digit days are written as days', () => {
    assert.equal(dayFromNumber(dayNumber('0000-01-01')), '0000-01-01');
    assert.equal(dayNumber('0000-03-01'), -719_468); // the start of era 0, EPOCH_SHIFT days before 1970
    assert.equal(dayFromNumber(-719_468), '0000-03-01');
    assert.equal(dayFromNumber(dayNumber('9999-12-31')), '9999-12-31');
    assert.equal(isDay('0000-01-01'), true);
    assert.equal(isDay('9999-12-31'), true);
  });

  it('an instant that is not a number has no day', () => {
    assert.throws(() => dayOfInstant(Number.NaN), { name: 'RangeError', message: 'not an instant: NaN' });
    assert.throws(() => dayOfInstant(Number.POSITIVE_INFINITY), { name: 'RangeError', message: 'not an instant: Infinity' });
  });
});
