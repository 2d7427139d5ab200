import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../../testing/property.js';
import { normalCdf } from './normal.js';

describe('Φ, the standard normal distribution function', () => {
  it('matches the table to within the approximation error 1.5e-7', () => {
    // Φ to 9 decimals from the standard normal table.
    const table: Array<[number, number]> = [
      [0, 0.5],
      [0.5, 0.691462461],
      [1, 0.841344746],
      [1.96, 0.975002105],
      [3, 0.998650102],
      [-1, 0.158655254],
      [-2.5, 0.00620966532],
    ];
    for (const [x, p] of table) assert.ok(Math.abs(normalCdf(x) - p) < 1.5e-7, `Φ(${x}) = ${normalCdf(x)}, not ${p}`);
  });

  it('is symmetric, Φ(−x) = 1 − Φ(x), increasing (within its error), and within [0, 1]', () => {
    fc.assert(
      fc.property(fc.double({ min: -40, max: 40, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), (x, d) => {
        // Exact but at 0, where the approximation gives erf(0) = −1e-9 rather than 0.
        assert.ok(Math.abs(normalCdf(-x) - (1 - normalCdf(x))) < 1e-8);
        assert.ok(normalCdf(x) >= 0 && normalCdf(x) <= 1);
        assert.ok(normalCdf(x + d) >= normalCdf(x) - 3e-7, 'increasing, up to twice the approximation error');
      }),
    );
  });
});
