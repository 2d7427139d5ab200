import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completionEvent, quizEvent, responseEvent, stateOf } from '../../testing/event-builders.js';
import { decodeState, encodeState } from './student-state-json.js';

const state = stateOf([
  completionEvent('2026-01-10T10:00:00Z', { total_exercises: 10, completed_exercises: 4 }, { topic: 'a' }),
  quizEvent('2026-01-11T10:00:00Z', { total_questions: 5, correct_answers: 3 }, { topic: 'b' }),
  responseEvent('2026-01-11T11:00:00Z', { item_id: 'i1', correct: true, seconds: 12 }, { topic: 'b' }),
]);

describe('a student state as JSON (the Dapr state store, the rebuild)', () => {
  it('decodes to the state it was encoded from, tallies of answers derived again, with its version', () => {
    assert.deepStrictEqual(decodeState(encodeState(state, 7)), { state, version: 7 });
  });

  it('carries its layout, 1, in the stored text: the state itself knows nothing of storage', () => {
    const json = JSON.parse(encodeState(state, 1)) as { state: Record<string, unknown> };
    assert.equal(json.state.v, 1);
    assert.equal(Object.hasOwn(state, 'v'), false);
  });

  it('refuses a record of another layout, or of none, naming it and the way out', () => {
    for (const v of [2, undefined]) {
      const json = JSON.parse(encodeState(state, 1)) as { state: Record<string, unknown> };
      json.state.v = v;
      assert.throws(() => decodeState(JSON.stringify(json)), {
        message: `a stored state has layout ${String(v)}; this engine reads layout 1 (run mastery rebuild)`,
      });
    }
  });
});
