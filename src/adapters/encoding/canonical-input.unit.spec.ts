import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LearningEvent } from '../../model/learning-event.js';
import { completionEvent, qualityEvent, quizEvent, stateOf } from '../../testing/event-builders.js';
import { allStateFields, changedStateFields } from './student-state-fields.js';
import { encodeState } from './student-state-json.js';

/* A report is stored as the same text whatever order its data's keys came in (canonical-input.ts). */

const asSent: LearningEvent[] = [
  completionEvent('2026-01-12T09:00:00Z', { total_exercises: 25, completed_exercises: 20, difficulty: 'intermediate' }, { event_id: 'a' }),
  quizEvent('2026-01-12T09:30:00Z', { total_questions: 20, correct_answers: 18, avg_time_seconds: 8, attempts: 2 }, { event_id: 'b' }),
  qualityEvent('2026-01-12T10:00:00Z', { avg_code_quality: 0.9, correctness: 0.8, efficiency: 0.7 }, { event_id: 'c' }),
];
// The same events as PostgreSQL's jsonb gives them back: shortest key first.
const fromTheLog: LearningEvent[] = [
  completionEvent('2026-01-12T09:00:00Z', { difficulty: 'intermediate', total_exercises: 25, completed_exercises: 20 }, { event_id: 'a' }),
  quizEvent('2026-01-12T09:30:00Z', { attempts: 2, correct_answers: 18, total_questions: 20, avg_time_seconds: 8 }, { event_id: 'b' }),
  qualityEvent('2026-01-12T10:00:00Z', { efficiency: 0.7, correctness: 0.8, avg_code_quality: 0.9 }, { event_id: 'c' }),
];

describe('stored reports do not depend on the order of their keys', () => {
  it('the Redis hash fields are the same text, written whole or by change', () => {
    assert.deepEqual(allStateFields(stateOf(fromTheLog)), allStateFields(stateOf(asSent)));
    assert.deepEqual(changedStateFields(stateOf(fromTheLog), fromTheLog), changedStateFields(stateOf(asSent), asSent));
    const quiz = allStateFields(stateOf(asSent)).find(([field]) => field.startsWith('i:quiz:'));
    assert.equal(quiz?.[1], '["2026-01-12T09:30:00.000000000Z","b",{"attempts":2,"avg_time_seconds":8,"correct_answers":18,"total_questions":20}]');
  });

  it('the JSON record is the same text', () => {
    assert.equal(encodeState(stateOf(fromTheLog), 3), encodeState(stateOf(asSent), 3));
  });
});
