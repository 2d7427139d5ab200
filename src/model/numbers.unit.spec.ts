import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../testing/property.js';
import { clamp, mean, round3 } from './numbers.js';

describe('round3: half-up to 3 decimals (mastery-model.md, preamble)', () => {
  it('rounds an exact half up', () => {
    assert.equal(round3(0.0005), 0.001);
    assert.equal(round3(0.0125), 0.013);
  });

  it('rounds a decimal half up even when binary stores it just below (0.8425 is 0.84249999… in binary)', () => {
    // A naive Math.round(x * 1000) / 1000 gives 0.842 here.
    assert.equal(round3(0.8425), 0.843);
    assert.equal(round3(1.0005), 1.001);
  });

  it('removes representation noise: 0.1 + 0.2 is 0.3', () => {
    assert.equal(round3(0.1 + 0.2), 0.3);
  });

  it('rounds below a half down and leaves 3-decimal values alone', () => {
    assert.equal(round3(0.84249), 0.842);
    assert.equal(round3(0.712), 0.712);
    assert.equal(round3(0), 0);
    assert.equal(round3(1), 1);
  });

  it('rounds negative halves away from zero', () => {
    assert.equal(round3(-0.0015), -0.002);
    assert.equal(round3(-0.0014), -0.001);
  });

  it('never returns −0', () => {
    assert.ok(Object.is(round3(-0.0001), 0));
    assert.ok(Object.is(round3(-0), 0));
  });
});

describe('round3 agrees with reading x × 1000 to 12 significant digits, everywhere', () => {
  const reference = (x: number) => (Math.sign(x) * Math.floor(Math.abs(Number((x * 1000).toPrecision(12))) + 0.5)) / 1000 + 0;
  const same = (x: number) => assert.ok(Object.is(round3(x), reference(x)), `round3(${x}) = ${round3(x)}, not ${reference(x)}`);

  it('for any double, and for decimal halves and their neighbours, as arithmetic produces them', () => {
    fc.assert(fc.property(fc.double({ min: -20, max: 20, noNaN: true }), same), { numRuns: 20_000 });
    fc.assert(
      fc.property(fc.integer({ min: -20_000, max: 20_000 }), fc.integer({ min: -3, max: 3 }), (k, ulps) => {
        const half = (k + 0.5) / 1000;
        same(half);
        same(half + ulps * Number.EPSILON * Math.max(1, Math.abs(half)));
        same((2 * k + 1) / 2000);
        same(((k + 0.5) * 3) / 3000);
      }),
      { numRuns: 20_000 },
    );
  });

  it("for means and weighted sums of component values (the model's own inputs)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 8 }), (ks) => {
        const values = ks.map((k) => k / 1000);
        same(mean(values));
        same(values.reduce((a, v, i) => a + v * [0.4, 0.3, 0.2, 0.1][i % 4]!, 0));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('clamp', () => {
  it('holds a value to [0, 1] by default', () => {
    assert.equal(clamp(1.2), 1);
    assert.equal(clamp(-0.3), 0);
    assert.equal(clamp(0.42), 0.42);
  });

  it('honours explicit bounds', () => {
    assert.equal(clamp(0.3, 0.5, 1), 0.5);
    assert.equal(clamp(2, 0.5, 1), 1);
    assert.equal(clamp(0.8, 0.5, 1), 0.8);
  });
});

describe('mean', () => {
  it('is the arithmetic mean of a non-empty list', () => {
    assert.equal(mean([0.2, 0.4, 0.9]), 0.5);
    assert.equal(mean([0.7]), 0.7);
  });
});
