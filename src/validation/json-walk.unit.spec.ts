import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../testing/property.js';
import { jsonBytesBound, tooDeep } from './json-walk.js';

const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8');

/** Strings with what JSON escapes or widens: control characters, lone surrogates, astral and 3-byte characters. */
const awkwardString = fc
  .array(fc.constantFrom('a', '"', '\\', '\u0001', '\u001f', '\n', '\ud800', '\udc00', '😀', 'é', '€', '\u2028'), { maxLength: 40 })
  .map((parts) => parts.join(''));
const extremeNumber = fc.constantFrom(
  -1.7976931348623157e308,
  5e-324,
  -2.2250738585072014e-308,
  123456789.12345679,
  -0,
  1e21,
  -0.0000010084125485252421,
  -123456789012345680000,
);
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    awkwardString,
    extremeNumber,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(awkwardString, tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('jsonBytesBound', () => {
  it('is never below the UTF-8 bytes of the JSON (any JSON value, with the characters JSON widens)', () => {
    // Seed 1558628394 found the 25-character number once the bound said 24.
    fc.assert(
      fc.property(jsonish, (v) => jsonBytesBound(v) >= jsonBytes(v)),
      { numRuns: 500 },
    );
  });

  it('is exact where a value is as wide as JSON makes it: control characters, the longest number (25 characters), false, null', () => {
    for (const v of ['\u0001'.repeat(50), '', -0.0000010084125485252421, false, null]) assert.equal(jsonBytesBound(v), jsonBytes(v), JSON.stringify(v));
    assert.equal(jsonBytesBound(['\u0001']), jsonBytes(['\u0001']) + 1, 'an element costs its bound and a separator');
    assert.equal(jsonBytesBound({ '\u0001': false }), jsonBytes({ '\u0001': false }) + 1, 'a member: key, colon, value, separator');
    assert.equal(jsonBytesBound([undefined]), jsonBytes([undefined]) + 1, 'undefined in an array is written as null');
  });

  it('adds up nested members and elements', () => {
    const v = { a: ['bb', { c: true }], d: null };
    // {"a":…,"d":null}: 2 + (8 + [2 + (14 + 1) + (2 + (8 + 5 + 2) + 1) + 1] + 2) + (8 + 4 + 2)
    assert.equal(jsonBytesBound(v), 2 + (8 + (2 + 15 + 18) + 2) + (8 + 4 + 2));
  });

  it('is Infinity for what is not plain JSON, whose JSON its shape does not tell', () => {
    for (const v of [Buffer.from('abc'), new Date(0), new Map([[1, 2]]), { nested: [Buffer.alloc(2000)] }, () => 1, Symbol('s'), 10n]) {
      assert.equal(jsonBytesBound(v), Infinity, String(typeof v));
    }
  });

  it('counts own members only, of objects with or without a prototype', () => {
    const bare = Object.assign(Object.create(null) as object, { a: 'x' });
    assert.equal(jsonBytesBound(bare), jsonBytesBound({ a: 'x' }));
    const inherited = Object.create({ hidden: 'y'.repeat(100) }) as object;
    assert.equal(jsonBytesBound(inherited), Infinity, 'not a plain object: measured exactly instead');
  });
});

describe('tooDeep', () => {
  /** `value` wrapped in `levels` alternating objects and arrays. */
  const nested = (levels: number, value: unknown = 'x'): unknown => {
    let v = value;
    for (let i = 0; i < levels; i++) v = i % 2 === 0 ? { a: v } : [v];
    return v;
  };

  it('names the first top-level field nesting deeper than the limit, the object itself being level 1', () => {
    assert.equal(tooDeep({ a: 'x', b: {} }, 1), 'b');
    assert.equal(tooDeep({ a: 'x', b: 1 }, 1), null, 'scalars below the limit nest nothing');
    assert.equal(tooDeep({ ok: nested(8), deep: nested(9) }, 10), null, 'levels 1 to 10');
    assert.equal(tooDeep({ ok: nested(8), deep: nested(10) }, 10), 'deep');
    assert.equal(tooDeep({ first: nested(10), second: nested(10) }, 10), 'first');
    assert.equal(tooDeep({ ok: nested(9, null) }, 10), null, 'null at level 11 is a value, not a level');
  });

  it('looks into every element of an array and every member of an object, not the first only', () => {
    assert.equal(tooDeep({ list: ['x', 1, null, [[[]]]] }, 4), 'list');
    assert.equal(tooDeep({ list: ['x', 1, null, [[[]]]] }, 5), null);
    assert.equal(tooDeep({ o: { a: 1, b: { c: { d: {} } } } }, 4), 'o');
    assert.equal(tooDeep({ o: { a: 1, b: { c: { d: {} } } } }, 5), null);
  });

  it('stops at the limit: thousands of levels neither overflow the stack nor take long', () => {
    assert.equal(tooDeep({ deep: nested(100_000) }, 10), 'deep');
  });

  it('ignores inherited members', () => {
    const root = Object.create({ inherited: nested(50) }) as Record<string, unknown>;
    root.own = 'x';
    assert.equal(tooDeep(root, 3), null);
    const member = Object.create({ inherited: nested(50) }) as Record<string, unknown>;
    assert.equal(tooDeep({ member }, 3), null);
  });
});
