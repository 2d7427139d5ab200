import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { learningPath, weakestFirst } from './learning-path.js';
import type { ComponentValues } from './types.js';

const strong: ComponentValues = { completion: 0.9, quiz: 0.9, quality: 0.9, consistency: 0.9 };

describe('adaptive learning path (§5)', () => {
  it('no weak component → challenge_exercises, advanced_topics', () => {
    assert.deepEqual(learningPath(strong, 0.7), ['challenge_exercises', 'advanced_topics']);
    assert.deepEqual(learningPath({ ...strong, quiz: 0.7 }, 0.7), ['challenge_exercises', 'advanced_topics']);
  });

  it('one weak component → its three steps', () => {
    assert.deepEqual(learningPath({ ...strong, quality: 0.2 }, 0.7), ['code_reviews', 'refactoring_practice', 'best_practices']);
  });

  it('weakest first, whatever the table order', () => {
    const c: ComponentValues = { completion: 0.6, quiz: 0.9, quality: 0.5, consistency: 0.1 };
    assert.deepEqual(weakestFirst(c, 0.7), ['consistency', 'quality', 'completion']);
    assert.deepEqual(learningPath(c, 0.7), [
      'daily_goals',
      'streak_reminders',
      'study_schedule',
      'code_reviews',
      'refactoring_practice',
      'best_practices',
      'practice_basic',
      'exercise_variety',
      'timed_challenges',
    ]);
  });

  it('ties keep the table order: completion, quiz, quality, consistency', () => {
    assert.deepEqual(weakestFirst({ completion: 0.3, quiz: 0.3, quality: 0.3, consistency: 0.3 }, 0.7), ['completion', 'quiz', 'quality', 'consistency']);
    const c: ComponentValues = { completion: 0.9, quiz: 0.4, quality: 0.2, consistency: 0.4 };
    assert.deepEqual(weakestFirst(c, 0.7), ['quality', 'quiz', 'consistency']);
  });

  it('honours the threshold', () => {
    assert.deepEqual(weakestFirst({ completion: 0.45, quiz: 0.55, quality: 0.6, consistency: 0.5 }, 0.5), ['completion']);
  });

  it('the path lists all steps of each weak component, consistency then quiz (worked example B)', () => {
    assert.deepEqual(learningPath({ completion: 0.8, quiz: 0.612, quality: 0.8, consistency: 0.486 }, 0.7), [
      'daily_goals',
      'streak_reminders',
      'study_schedule',
      'concept_review',
      'practice_quizzes',
      'mock_tests',
    ]);
  });
});
