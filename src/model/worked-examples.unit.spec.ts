/** The worked examples of mastery-model.md §7, each as its own test. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completionValue } from './components.js';
import { learningPathAsOf, masteryAsOf } from './mastery-as-of.js';
import { DEFAULT_MODEL_CONFIG } from './model-config.js';
import { masteryResult } from './score.js';
import { activeOn, completionEvent, qualityEvent, quizEvent, stateOf } from '../testing/event-builders.js';

describe('§7 worked examples', () => {
  it('A. the calculator alone: 0.80, 0.90, 0.85, 0.82 → 0.842 proficient, no recommendations', () => {
    const result = masteryResult({ completion: 0.8, quiz: 0.9, quality: 0.85, consistency: 0.82 }, DEFAULT_MODEL_CONFIG);
    assert.deepStrictEqual(result, {
      mastery_score: 0.842,
      level: 'proficient',
      components: { completion: 0.8, quiz: 0.9, quality: 0.85, consistency: 0.82 },
      breakdown: { completion: 0.32, quiz: 0.27, quality: 0.17, consistency: 0.082 },
      recommendations: [],
    });
  });

  describe('B. from events, as of 2026-01-14, topic general', () => {
    // Active days 01-01…05 and 01-10…12; the three reports arrive on 01-12.
    const state = stateOf([
      ...activeOn(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-10', '2026-01-11']),
      completionEvent('2026-01-12T09:00:00Z', { total_exercises: 25, completed_exercises: 20, difficulty: 'intermediate' }),
      quizEvent('2026-01-12T09:30:00Z', { total_questions: 20, correct_answers: 18, avg_time_seconds: 8, attempts: 2 }),
      qualityEvent('2026-01-12T10:00:00Z', { avg_code_quality: 0.9, correctness: 0.8, efficiency: 0.7 }),
    ]);
    const expected = {
      mastery_score: 0.712,
      level: 'competent',
      components: { completion: 0.8, quiz: 0.612, quality: 0.8, consistency: 0.486 },
      breakdown: { completion: 0.32, quiz: 0.184, quality: 0.16, consistency: 0.049 },
      // Exactly these two, with no `topic` field: the student has one topic only.
      recommendations: [
        { action: 'review', area: 'concepts', priority: 'medium' },
        { action: 'schedule', area: 'daily practice', priority: 'low' },
      ],
    };

    it('overall: components, score 0.712, level competent, breakdown and recommendations', () => {
      assert.deepStrictEqual(masteryAsOf(state, '2026-01-14', DEFAULT_MODEL_CONFIG), expected);
    });

    it('topic general gives the same result', () => {
      assert.deepStrictEqual(masteryAsOf(state, '2026-01-14', DEFAULT_MODEL_CONFIG, 'general'), expected);
    });

    it('path: consistency (0.486) first, then quiz (0.612)', () => {
      assert.deepStrictEqual(learningPathAsOf(state, '2026-01-14', DEFAULT_MODEL_CONFIG)?.path, [
        'daily_goals',
        'streak_reminders',
        'study_schedule',
        'concept_review',
        'practice_quizzes',
        'mock_tests',
      ]);
    });
  });

  it('C. 25 of 25 at advanced is 1.2 before the clamp, 1.0 after', () => {
    assert.equal(completionValue({ total_exercises: 25, completed_exercises: 25, difficulty: 'advanced' }), 1);
    const report = { total_exercises: 25, completed_exercises: 25, difficulty: 'advanced' } as const;
    const state = stateOf([completionEvent('2026-01-14T10:30:00Z', report)]);
    assert.equal(masteryAsOf(state, '2026-01-14', DEFAULT_MODEL_CONFIG)?.components.completion, 1);
  });
});
