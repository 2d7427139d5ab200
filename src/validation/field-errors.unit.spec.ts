import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv, type AnySchema } from 'ajv';
import { fieldErrors, fieldPath } from './field-errors.js';

/**
 * fieldErrors on ajv's own output: one `{ field, message }` per broken rule, the field named by
 * its path (events.md: `data.completed_exercises`; `metadata["a/b"]` for a name that is not a
 * plain word). The event schemas reach most of it through validateEvent; what they cannot
 * reach today (a composed schema, a pattern with no hint, ajv without messages) is checked here.
 */

function errorsFor(schema: AnySchema, value: unknown, options: { messages?: boolean } = {}, prefix?: string) {
  const check = new Ajv({ allErrors: true, strict: false, ...options }).compile(schema);
  assert.equal(check(value), false, 'test set-up: the value breaks the schema');
  return fieldErrors(check.errors ?? [], prefix);
}

describe('fieldPath', () => {
  it('joins a plain name with a dot, and names it alone at the top', () => {
    assert.equal(fieldPath('data', 'total_exercises'), 'data.total_exercises');
    assert.equal(fieldPath('', 'student_id'), 'student_id');
    assert.equal(fieldPath('', '_x9'), '_x9');
  });

  it('quotes a name that would read ambiguously: empty, dotted, spaced, starting with a digit, non-ASCII', () => {
    assert.equal(fieldPath('metadata', 'a/b'), 'metadata["a/b"]');
    assert.equal(fieldPath('metadata', 'a.b'), 'metadata["a.b"]');
    assert.equal(fieldPath('', ''), '[""]');
    assert.equal(fieldPath('', 'a b'), '["a b"]');
    assert.equal(fieldPath('', '1x'), '["1x"]');
    assert.equal(fieldPath('', 'élève'), '["élève"]');
  });
});

describe('fieldErrors', () => {
  it('the same rule broken the same way twice (a composed schema) is reported once', () => {
    // Both branches of anyOf require `a`: ajv reports the missing `a` once per branch.
    const schema = { anyOf: [{ required: ['a'] }, { required: ['a'], properties: { b: { type: 'string' } } }] };
    assert.deepEqual(errorsFor(schema, {}), [
      { field: 'a', message: 'is required' },
      { field: '', message: 'must match a schema in anyOf' },
    ]);
  });

  it('two different rules broken at one field are both reported', () => {
    assert.deepEqual(errorsFor({ type: 'integer', minimum: 1 }, 0.5, {}, 'data.attempts'), [
      { field: 'data.attempts', message: 'must be integer' },
      { field: 'data.attempts', message: 'must be >= 1' },
    ]);
  });

  it('a pattern with no hint for its field is stated as the pattern itself', () => {
    const schema = { type: 'object', properties: { code: { type: 'string', pattern: '^[a-z]{2}$' } } };
    assert.deepEqual(errorsFor(schema, { code: 'ABC' }, {}, 'data'), [{ field: 'data.code', message: 'must match the pattern ^[a-z]{2}$' }]);
  });

  it('a pattern on a field with a hint is said as the rule (the hint is keyed by the full path)', () => {
    const schema = { type: 'object', properties: { item_id: { type: 'string', pattern: '^x$' } } };
    assert.deepEqual(errorsFor(schema, { item_id: 'y' }, {}, 'data'), [{ field: 'data.item_id', message: 'must be 1–128 characters of A–Z a–z 0–9 . _ : -' }]);
    assert.deepEqual(errorsFor(schema, { item_id: 'y' }), [{ field: 'item_id', message: 'must match the pattern ^x$' }]);
  });

  it('an error ajv gives no message for still says something', () => {
    assert.deepEqual(errorsFor({ type: 'object', properties: { n: { type: 'number' } } }, { n: 'x' }, { messages: false }), [
      { field: 'n', message: 'is invalid' },
    ]);
  });

  it('a JSON Pointer is read back into names: ~1 is "/", ~0 is "~", and ~01 is "~1"', () => {
    const schema = { type: 'object', additionalProperties: { type: 'string' } };
    assert.deepEqual(errorsFor(schema, { 'a/b': 1, 'a~b': 2, '~1': 3, 'a/b/c': 4 }, {}, 'metadata'), [
      { field: 'metadata["a/b"]', message: 'must be string' },
      { field: 'metadata["a~b"]', message: 'must be string' },
      { field: 'metadata["~1"]', message: 'must be string' },
      { field: 'metadata["a/b/c"]', message: 'must be string' },
    ]);
  });
});
