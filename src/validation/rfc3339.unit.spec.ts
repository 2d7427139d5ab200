import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../testing/property.js';
import { parseRfc3339 } from './rfc3339.js';

/** RFC 3339 date-times with an offset (events.md: "timestamp: RFC 3339 with offset"). */

function parsed(text: string): { epochMs: number; normalized: string } {
  const result = parseRfc3339(text);
  if (result === null) assert.fail(`expected ${JSON.stringify(text)} to parse`);
  return result;
}

describe('parseRfc3339: accepted date-times', () => {
  it('UTC with Z gives the instant and the text unchanged', () => {
    assert.deepEqual(parseRfc3339('2026-01-14T10:30:00Z'), {
      epochMs: Date.UTC(2026, 0, 14, 10, 30, 0),
      normalized: '2026-01-14T10:30:00Z',
    });
  });

  it("lower-case 't' and 'z' are accepted and written upper-case", () => {
    assert.deepEqual(parseRfc3339('2026-01-14t10:30:00z'), {
      epochMs: Date.UTC(2026, 0, 14, 10, 30, 0),
      normalized: '2026-01-14T10:30:00Z',
    });
    assert.equal(parsed('2026-01-14t10:30:00+01:00').normalized, '2026-01-14T10:30:00+01:00');
  });

  it('a numeric offset is applied to find the instant, and kept in the text', () => {
    assert.deepEqual(parseRfc3339('2026-01-14T16:00:00+05:30'), {
      epochMs: Date.UTC(2026, 0, 14, 10, 30, 0),
      normalized: '2026-01-14T16:00:00+05:30',
    });
    assert.equal(parsed('2026-01-14T02:30:00-08:00').epochMs, Date.UTC(2026, 0, 14, 10, 30, 0));
    assert.equal(parsed('2026-01-14T10:30:00+00:00').epochMs, Date.UTC(2026, 0, 14, 10, 30, 0));
    assert.equal(parsed('2026-01-14T10:30:00-00:00').epochMs, Date.UTC(2026, 0, 14, 10, 30, 0));
  });

  it('an offset can move the instant across a day, a month and a year', () => {
    assert.equal(parsed('2026-01-01T01:00:00+02:00').epochMs, Date.UTC(2025, 11, 31, 23, 0, 0));
    assert.equal(parsed('2025-12-31T23:00:00-02:00').epochMs, Date.UTC(2026, 0, 1, 1, 0, 0));
  });

  it('fractional seconds are accepted (milliseconds kept)', () => {
    assert.equal(parsed('2026-01-14T10:30:00.5Z').epochMs, Date.UTC(2026, 0, 14, 10, 30, 0, 500));
    assert.equal(parsed('2026-01-14T10:30:00.123Z').epochMs, Date.UTC(2026, 0, 14, 10, 30, 0, 123));
    assert.equal(parsed('2026-01-14T10:30:00.123456+01:00').normalized, '2026-01-14T10:30:00.123456+01:00');
  });

  it('the edges of the clock and of the calendar are accepted', () => {
    assert.equal(parsed('2026-01-14T00:00:00Z').epochMs, Date.UTC(2026, 0, 14));
    assert.equal(parsed('2026-01-14T23:59:59Z').epochMs, Date.UTC(2026, 0, 14, 23, 59, 59));
    assert.equal(parsed('2024-02-29T12:00:00Z').epochMs, Date.UTC(2024, 1, 29, 12));
    assert.equal(parsed('2026-12-31T23:59:59+23:59').epochMs, Date.UTC(2026, 11, 31, 0, 0, 59));
  });
});

describe('parseRfc3339: refused texts', () => {
  const refused: ReadonlyArray<readonly [string, string]> = [
    ['no offset', '2026-01-14T10:30:00'],
    ['no offset, with fraction', '2026-01-14T10:30:00.123'],
    ['a date only', '2026-01-14'],
    ['a time only', '10:30:00Z'],
    ['no seconds', '2026-01-14T10:30Z'],
    ['a day that does not exist (2026-02-30)', '2026-02-30T10:30:00Z'],
    ['29 February of a common year', '2026-02-29T10:30:00Z'],
    ['month 13', '2026-13-01T10:30:00Z'],
    ['month 00', '2026-00-10T10:30:00Z'],
    ['day 00', '2026-01-00T10:30:00Z'],
    ['day 32', '2026-01-32T10:30:00Z'],
    ['hour 24', '2026-01-14T24:00:00Z'],
    ['minute 60', '2026-01-14T10:60:00Z'],
    ['offset hour 24', '2026-01-14T10:30:00+24:00'],
    ['offset minute 60', '2026-01-14T10:30:00+05:60'],
    ['an offset without a colon', '2026-01-14T10:30:00+0530'],
    ['an offset of hours only', '2026-01-14T10:30:00+05'],
    ['a space instead of T', '2026-01-14 10:30:00Z'],
    ['single-digit parts', '2026-1-4T1:30:00Z'],
    ['a two-digit year', '26-01-14T10:30:00Z'],
    ['a dot with no fraction digits', '2026-01-14T10:30:00.Z'],
    ['a comma as decimal sign', '2026-01-14T10:30:00,5Z'],
    ['leading whitespace', ' 2026-01-14T10:30:00Z'],
    ['trailing whitespace', '2026-01-14T10:30:00Z '],
    ['a trailing newline', '2026-01-14T10:30:00Z\n'],
    ['a zone name', '2026-01-14T10:30:00 UTC'],
    ['an HTTP date', 'Wed, 14 Jan 2026 10:30:00 GMT'],
    ['epoch milliseconds', '1768386600000'],
    ['the empty string', ''],
  ];

  for (const [what, text] of refused) {
    it(`${what}: ${JSON.stringify(text)}`, () => {
      assert.equal(parseRfc3339(text), null);
    });
  }
});

describe('parseRfc3339: properties', () => {
  const instants = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
  const offsetsMinutes = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 });

  const pad = (n: number, width = 2) => String(n).padStart(width, '0');

  /** The instant written as local time at the given offset, e.g. 2026-01-14T16:00:00.000+05:30. */
  function writeAt(date: Date, offsetMinutes: number): string {
    const local = new Date(date.getTime() + offsetMinutes * 60_000);
    const sign = offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(offsetMinutes);
    return `${local.toISOString().slice(0, 23)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }

  it('toISOString output parses back to the same instant, text unchanged', () => {
    fc.assert(
      fc.property(instants, (d) => {
        const text = d.toISOString();
        assert.deepEqual(parseRfc3339(text), { epochMs: d.getTime(), normalized: text });
      }),
    );
  });

  it('the same instant written at any offset parses to the same epoch ms', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('9998-12-31T00:00:00Z'), noInvalidDate: true }),
        offsetsMinutes,
        (d, offset) => {
          assert.equal(parsed(writeAt(d, offset)).epochMs, d.getTime());
        },
      ),
    );
  });

  it('case does not change the instant, and normalised text is upper-case and parses to itself', () => {
    fc.assert(
      fc.property(instants, fc.boolean(), fc.boolean(), (d, lowerT, lowerZ) => {
        let text = d.toISOString();
        if (lowerT) text = text.replace('T', 't');
        if (lowerZ) text = text.replace('Z', 'z');
        const once = parsed(text);
        assert.equal(once.epochMs, d.getTime());
        assert.equal(once.normalized, d.toISOString());
        assert.deepEqual(parseRfc3339(once.normalized), once);
      }),
    );
  });

  it('dropping the offset always makes the text invalid', () => {
    fc.assert(
      fc.property(instants, (d) => {
        assert.equal(parseRfc3339(d.toISOString().slice(0, -1)), null);
      }),
    );
  });

  it('arbitrary strings never throw: null or a finite instant', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = parseRfc3339(text);
        if (result !== null) assert.ok(Number.isFinite(result.epochMs));
      }),
      { numRuns: 500 },
    );
  });
});
