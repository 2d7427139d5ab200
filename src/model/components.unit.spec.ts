import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completionValue, qualityValue, quizValue } from './components.js';
import { DEFAULT_MODEL_CONFIG } from './model-config.js';
import { round3 } from './numbers.js';

// Raw component values are compared after round3: what the model publishes, free of float noise.
const quiz = (input: Parameters<typeof quizValue>[0], config = DEFAULT_MODEL_CONFIG) => round3(quizValue(input, config));

describe('completion = clamp(completed / total × difficulty multiplier) (§1.1)', () => {
  it('intermediate multiplies by 1.0 and is the default when difficulty is absent', () => {
    assert.equal(completionValue({ total_exercises: 25, completed_exercises: 20, difficulty: 'intermediate' }), 0.8);
    assert.equal(completionValue({ total_exercises: 25, completed_exercises: 20 }), 0.8);
  });

  it('beginner multiplies by 0.8', () => {
    assert.equal(round3(completionValue({ total_exercises: 10, completed_exercises: 5, difficulty: 'beginner' })), 0.4);
  });

  it('advanced multiplies by 1.2', () => {
    assert.equal(round3(completionValue({ total_exercises: 10, completed_exercises: 5, difficulty: 'advanced' })), 0.6);
  });

  it('advanced above 1 is clamped to 1 (25 of 25 → 1.2 → 1.0)', () => {
    assert.equal(completionValue({ total_exercises: 25, completed_exercises: 25, difficulty: 'advanced' }), 1);
    assert.equal(completionValue({ total_exercises: 10, completed_exercises: 9, difficulty: 'advanced' }), 1);
  });

  it('nothing completed is 0', () => {
    assert.equal(completionValue({ total_exercises: 7, completed_exercises: 0, difficulty: 'advanced' }), 0);
  });
});

describe('quiz = clamp(correct / total × time_factor × attempt_factor) (§1.2)', () => {
  it('without time or attempts both factors are 1', () => {
    assert.equal(quiz({ total_questions: 20, correct_answers: 18 }), 0.9);
  });

  it('time_factor = clamp(avg_time_seconds / 10, 0.5, 1)', () => {
    assert.equal(quiz({ total_questions: 10, correct_answers: 10, avg_time_seconds: 8 }), 0.8);
    assert.equal(quiz({ total_questions: 10, correct_answers: 10, avg_time_seconds: 10 }), 1);
    assert.equal(quiz({ total_questions: 10, correct_answers: 10, avg_time_seconds: 45 }), 1, 'slow answers are not a bonus');
    assert.equal(quiz({ total_questions: 10, correct_answers: 10, avg_time_seconds: 3 }), 0.5, 'floor 0.5');
    assert.equal(quiz({ total_questions: 10, correct_answers: 10, avg_time_seconds: 0 }), 0.5);
  });

  it('attempt_factor = max(0.5, 1 − 0.15 × (attempts − 1))', () => {
    assert.equal(quiz({ total_questions: 10, correct_answers: 10, attempts: 1 }), 1);
    assert.equal(quiz({ total_questions: 10, correct_answers: 10, attempts: 2 }), 0.85);
    assert.equal(quiz({ total_questions: 10, correct_answers: 10, attempts: 4 }), 0.55);
    assert.equal(quiz({ total_questions: 10, correct_answers: 10, attempts: 5 }), 0.5, '0.4 is floored at 0.5');
    assert.equal(quiz({ total_questions: 10, correct_answers: 10, attempts: 30 }), 0.5);
  });

  it('the factors multiply: 18/20 at 8 s in 2 attempts is 0.9 × 0.8 × 0.85 = 0.612', () => {
    assert.equal(quiz({ total_questions: 20, correct_answers: 18, avg_time_seconds: 8, attempts: 2 }), 0.612);
  });

  it('honours quizGuessSeconds and quizAttemptPenalty from the configuration', () => {
    const config = { ...DEFAULT_MODEL_CONFIG, quizGuessSeconds: 20, quizAttemptPenalty: 0.1 };
    assert.equal(quiz({ total_questions: 10, correct_answers: 10, avg_time_seconds: 15 }, config), 0.75);
    assert.equal(quiz({ total_questions: 10, correct_answers: 10, attempts: 3 }, config), 0.8);
    assert.equal(quiz({ total_questions: 10, correct_answers: 10, avg_time_seconds: 15, attempts: 3 }, config), 0.6);
  });
});

describe('quality = (avg_code_quality + correctness + efficiency) / 3 (§1.3)', () => {
  it('is the mean of the three', () => {
    assert.equal(round3(qualityValue({ avg_code_quality: 0.9, correctness: 0.8, efficiency: 0.7 })), 0.8);
    assert.equal(round3(qualityValue({ avg_code_quality: 1, correctness: 0, efficiency: 0.5 })), 0.5);
  });

  it('spans the whole range', () => {
    assert.equal(qualityValue({ avg_code_quality: 0, correctness: 0, efficiency: 0 }), 0);
    assert.equal(qualityValue({ avg_code_quality: 1, correctness: 1, efficiency: 1 }), 1);
  });
});
