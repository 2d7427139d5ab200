import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateEvent } from './validate-event.js';

/** response.recorded against learner-model §1: each rule, and what is accepted. */

const NOW = Date.parse('2026-03-02T12:00:00Z');
const response = (data: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) => ({
  event_id: '6F1C2A9E-2B7D-4A8E-9F43-0C1D2E3F4A5B',
  event_type: 'response.recorded',
  timestamp: '2026-03-02T10:31:07Z',
  student_id: 'stu-001',
  topic: 'python.loops',
  ...(data === undefined ? {} : { data }),
  ...extra,
});

function errorsOf(raw: unknown) {
  const v = validateEvent(raw, NOW);
  assert.equal(v.ok, false, 'refused');
  return v.ok ? [] : v.errors;
}

describe('validation: response.recorded', () => {
  it('accepts one answer, normalised like every event', () => {
    const v = validateEvent(response({ item_id: 'loops-q17', correct: true, attempt: 1, seconds: 42.5 }), NOW);
    assert.ok(v.ok);
    assert.deepEqual(v.event, {
      event_id: '6f1c2a9e-2b7d-4a8e-9f43-0c1d2e3f4a5b',
      event_type: 'response.recorded',
      timestamp: '2026-03-02T10:31:07Z',
      student_id: 'stu-001',
      topic: 'python.loops',
      data: { item_id: 'loops-q17', correct: true, attempt: 1, seconds: 42.5 },
    });
  });

  it('accepts the least: item_id and correct; topic defaults to general', () => {
    const v = validateEvent(response({ item_id: 'bank:unit-3.q_9', correct: false }, { topic: undefined }), NOW);
    assert.ok(v.ok);
    assert.equal(v.event.topic, 'general');
  });

  it('refuses an answer without an item, naming the field', () => {
    assert.deepEqual(
      errorsOf(response({ correct: true })).map((e) => e.field),
      ['data.item_id'],
    );
  });

  it('refuses correct that is not a boolean', () => {
    for (const correct of ['true', 1, null]) {
      const errors = errorsOf(response({ item_id: 'q1', correct }));
      assert.deepEqual(
        errors.map((e) => e.field),
        ['data.correct'],
      );
      assert.match(errors[0]!.message, /boolean/);
    }
  });

  it('refuses item ids outside 1–128 characters of A–Z a–z 0–9 . _ : -', () => {
    for (const item_id of ['', 'a b', 'x'.repeat(129), 'q/1', 'ü']) {
      assert.deepEqual(
        errorsOf(response({ item_id, correct: true })),
        [{ field: 'data.item_id', message: 'must be 1–128 characters of A–Z a–z 0–9 . _ : -' }],
        item_id,
      );
    }
    assert.ok(validateEvent(response({ item_id: 'x'.repeat(128), correct: true }), NOW).ok);
  });

  it('refuses an attempt below 1 or not whole, and seconds below 0 or above a day', () => {
    for (const attempt of [0, -1, 1.5])
      assert.deepEqual(
        errorsOf(response({ item_id: 'q', correct: true, attempt })).map((e) => e.field),
        ['data.attempt'],
      );
    for (const seconds of [-0.1, 86_400.5, 'fast'])
      assert.deepEqual(
        errorsOf(response({ item_id: 'q', correct: true, seconds })).map((e) => e.field),
        ['data.seconds'],
      );
    assert.ok(validateEvent(response({ item_id: 'q', correct: true, seconds: 86_400, attempt: 3 }), NOW).ok);
  });

  it('refuses unknown data fields, a missing data, and a component', () => {
    assert.deepEqual(errorsOf(response({ item_id: 'q', correct: true, score: 1 })), [{ field: 'data.score', message: 'is not an allowed field' }]);
    assert.match(errorsOf(response(undefined))[0]!.message, /required for response\.recorded/);
    assert.deepEqual(
      errorsOf(response({ item_id: 'q', correct: true }, { component: 'quiz' })).map((e) => e.field),
      ['component'],
    );
  });
});
