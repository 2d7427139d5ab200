import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../testing/property.js';
import { validateComponentValues } from './component-values.js';

/**
 * The calculator's input (api.md, POST /v1/mastery/calculate and `mastery calc`): the four
 * component values, each from 0 to 1, no other field; every broken rule named by its field.
 */

const VALUES = { completion: 0.8, quiz: 0.9, quality: 0.85, consistency: 0.82 };
const NAMES = ['completion', 'quiz', 'quality', 'consistency'] as const;

function errorsOf(raw: unknown) {
  const v = validateComponentValues(raw);
  if (v.ok) assert.fail(`expected a refusal, got ${JSON.stringify(v.values)}`);
  return v.errors;
}

describe('validateComponentValues', () => {
  it('accepts worked example A and returns the values as sent', () => {
    assert.deepEqual(validateComponentValues(VALUES), { ok: true, values: VALUES });
  });

  it('accepts the bounds 0 and 1', () => {
    const edges = { completion: 0, quiz: 1, quality: 0, consistency: 1 };
    assert.deepEqual(validateComponentValues(edges), { ok: true, values: edges });
  });

  it('names every missing value at once', () => {
    assert.deepEqual(new Set(errorsOf({}).map((e) => `${e.field} ${e.message}`)), new Set(NAMES.map((n) => `${n} is required`)));
    assert.equal(errorsOf({}).length, 4);
  });

  for (const name of NAMES) {
    it(`${name}: below 0 or above 1 is refused, not clamped; a string or null is not a number`, () => {
      assert.deepEqual(errorsOf({ ...VALUES, [name]: -0.01 }), [{ field: name, message: 'must be >= 0' }]);
      assert.deepEqual(errorsOf({ ...VALUES, [name]: 1.01 }), [{ field: name, message: 'must be <= 1' }]);
      assert.deepEqual(errorsOf({ ...VALUES, [name]: '0.5' }), [{ field: name, message: 'must be number' }]);
      assert.deepEqual(errorsOf({ ...VALUES, [name]: null }), [{ field: name, message: 'must be number' }]);
    });
  }

  it('refuses a field other than the four, by its name', () => {
    assert.deepEqual(errorsOf({ ...VALUES, mastery: 0.5 }), [{ field: 'mastery', message: 'is not an allowed field' }]);
  });

  it('reports every broken rule of one input, each naming its field', () => {
    // In no particular order: the contract names the errors, not their sequence.
    const byField = (a: { field: string }, b: { field: string }) => a.field.localeCompare(b.field);
    assert.deepEqual(errorsOf({ completion: 1.2, quiz: -0.1, quality: '0.5', extra: 1 }).sort(byField), [
      { field: 'completion', message: 'must be <= 1' },
      { field: 'consistency', message: 'is required' },
      { field: 'extra', message: 'is not an allowed field' },
      { field: 'quality', message: 'must be number' },
      { field: 'quiz', message: 'must be >= 0' },
    ]);
  });

  it('refuses what is not an object', () => {
    for (const raw of [null, [], 'x', 0.5, undefined]) {
      assert.deepEqual(errorsOf(raw), [{ field: '', message: 'must be object' }], JSON.stringify(raw));
    }
  });

  it('property: four values in [0, 1] are accepted as sent; one outside is refused, naming only it', () => {
    const unit = fc.double({ min: 0, max: 1, noNaN: true });
    const outside = fc.oneof(fc.double({ min: -1e6, max: -Number.MIN_VALUE, noNaN: true }), fc.double({ min: 1.000001, max: 1e6, noNaN: true }));
    fc.assert(
      fc.property(fc.tuple(unit, unit, unit, unit), fc.constantFrom(...NAMES), outside, (four, name, bad) => {
        const values = Object.fromEntries(NAMES.map((n, i) => [n, four[i]]));
        assert.deepEqual(validateComponentValues(values), { ok: true, values });
        const errors = errorsOf({ ...values, [name]: bad });
        assert.deepEqual(
          errors.map((e) => e.field),
          [name],
        );
        assert.match(errors[0]!.message, bad < 0 ? /^must be >= 0$/ : /^must be <= 1$/);
      }),
      { numRuns: 200 },
    );
  });
});
