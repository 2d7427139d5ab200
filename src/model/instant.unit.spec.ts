import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../testing/property.js';
import { dayOfTimestamp, instantKey, isCanonicalUtc } from './instant.js';

/** The epoch milliseconds a key stands for. */
const msOf = (key: string) => Date.parse(`${key.slice(0, 23)}Z`);

describe('instantKey', () => {
  it('writes any RFC 3339 instant as a fixed-width UTC key to the nanosecond', () => {
    assert.equal(instantKey('2026-01-14T10:30:00Z'), '2026-01-14T10:30:00.000000000Z');
    assert.equal(instantKey('2026-01-14T10:30:00.5Z'), '2026-01-14T10:30:00.500000000Z');
    assert.equal(instantKey('2026-01-14T10:30:00.000900Z'), '2026-01-14T10:30:00.000900000Z');
    assert.equal(instantKey('2026-01-14T10:30:00.123456789123Z'), '2026-01-14T10:30:00.123456789Z');
  });

  it('converts offsets to UTC, across a day boundary', () => {
    assert.equal(instantKey('2026-01-14T23:30:00.25-05:00'), '2026-01-15T04:30:00.250000000Z');
    assert.equal(instantKey('2026-01-15T01:00:00+02:00'), '2026-01-14T23:00:00.000000000Z');
  });

  it('sorts as the instants follow each other, where milliseconds alone would tie', () => {
    const keys = ['2026-01-14T10:30:00.0009Z', '2026-01-14T10:30:00.0001Z', '2026-01-14T11:30:00.0005+01:00', '2026-01-14T10:29:59.9999Z'];
    assert.deepEqual([...keys].map(instantKey).sort(), [
      '2026-01-14T10:29:59.999900000Z',
      '2026-01-14T10:30:00.000100000Z',
      '2026-01-14T10:30:00.000500000Z',
      '2026-01-14T10:30:00.000900000Z',
    ]);
  });

  it('does not round the milliseconds up (0.9999 s stays in its second)', () => {
    assert.equal(instantKey('2026-01-14T23:59:59.9999Z'), '2026-01-14T23:59:59.999900000Z');
    assert.equal(msOf(instantKey('2026-01-14T23:59:59.9999Z')), Date.parse('2026-01-14T23:59:59.999Z'));
  });
});

describe('instantKey and dayOfTimestamp, fast and general paths agree', () => {
  it('a UTC timestamp gives the same key as the same instant written with an offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('1970-01-01T00:00:00Z'), max: Date.parse('2999-12-31T23:59:59Z') }),
        fc.stringMatching(/^\d{0,12}$/),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (ms, fraction, offsetMinutes) => {
          const whole = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
          const utc = `${whole}${fraction ? `.${fraction}` : ''}Z`;
          // The same instant, written in local time at an offset (which takes the general path).
          const local = new Date(Date.parse(`${whole}Z`) + offsetMinutes * 60_000).toISOString().slice(0, 19);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          const withOffset = `${local}${fraction ? `.${fraction}` : ''}${offset}`;
          assert.equal(instantKey(utc), instantKey(withOffset));
          assert.equal(dayOfTimestamp(utc), dayOfTimestamp(withOffset));
          assert.equal(dayOfTimestamp(utc), instantKey(withOffset).slice(0, 10));
          assert.equal(msOf(instantKey(utc)), Date.parse(`${whole}.${(fraction + '000').slice(0, 3)}Z`));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('isCanonicalUtc: which timestamps take the fast path', () => {
  const CANONICAL = '2026-01-14T10:30:00Z';
  /** CANONICAL with the character at `i` replaced. */
  const withChar = (i: number, c: string, t = CANONICAL) => `${t.slice(0, i)}${c}${t.slice(i + 1)}`;

  it('takes UTC with upper-case T and Z, whole seconds or a fraction of one or more digits', () => {
    for (const t of [
      CANONICAL,
      '2026-01-14T10:30:00.5Z',
      '2026-01-14T10:30:00.123456789123Z',
      '2999-09-09T09:09:09.09Z',
      '2000-01-01T00:00:00.0Z',
      '2026-01-14T23:59:59Z',
    ]) {
      assert.equal(isCanonicalUtc(t), true, t);
    }
  });

  it('refuses anything shorter than whole seconds, or not ending in an upper-case Z', () => {
    for (const t of ['2026-01-14T10:30:0Z', '2026-01-14T10:30:00z', '2026-01-14T10:30:00+00:00', '2026-01-14T10:30:00', 'Z'.padStart(20, '2')]) {
      assert.equal(isCanonicalUtc(t), false, t);
    }
  });

  it('refuses a misplaced or other separator at each of its places', () => {
    for (const [i, c] of [
      [4, '/'],
      [7, '/'],
      [10, 't'],
      [10, ' '],
      [13, '.'],
      [16, '.'],
    ] as const)
      assert.equal(isCanonicalUtc(withChar(i, c)), false, withChar(i, c));
  });

  it('refuses a fraction without its point or without a digit', () => {
    for (const t of ['2026-01-14T10:30:00.Z', '2026-01-14T10:30:001Z', '2026-01-14T10:30:00,5Z']) assert.equal(isCanonicalUtc(t), false, t);
  });

  it('refuses a non-digit in any digit place, the characters either side of 0–9 included', () => {
    for (const i of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]) {
      for (const c of ['/', ':', 'a']) assert.equal(isCanonicalUtc(withChar(i, c)), false, withChar(i, c));
    }
    for (const c of ['/', ':', 'a']) {
      assert.equal(isCanonicalUtc(`2026-01-14T10:30:00.1${c}Z`), false, `fraction with ${c}`);
      assert.equal(isCanonicalUtc(`2026-01-14T10:30:00.${c}1Z`), false, `fraction with ${c} first`);
    }
  });

  it('refuses hours from 24, minutes and seconds from 60 (the general path carries them over)', () => {
    for (const t of ['2026-01-14T24:00:00Z', '2026-01-14T30:00:00Z', '2026-01-14T10:60:00Z', '2026-01-14T10:30:60Z']) assert.equal(isCanonicalUtc(t), false, t);
    for (const t of ['2026-01-14T19:00:00Z', '2026-01-14T20:00:00Z', '2026-01-14T10:59:59Z']) assert.equal(isCanonicalUtc(t), true, t);
  });

  it('agrees with the general path on every timestamp it takes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.parse('2999-12-31T23:59:59Z') }), fc.stringMatching(/^\d{1,12}$/), fc.boolean(), (ms, fraction, whole) => {
        const t = `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}${whole ? '' : `.${fraction}`}Z`;
        assert.equal(isCanonicalUtc(t), true, t);
        // The same instant with a +00:00 offset takes the general path.
        assert.equal(instantKey(t), instantKey(`${t.slice(0, -1)}+00:00`));
      }),
      { numRuns: 500 },
    );
  });
});
