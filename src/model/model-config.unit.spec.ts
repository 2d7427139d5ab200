import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MODEL_CONFIG, weightsProblem } from './model-config.js';

describe('model configuration (§1, §2, §3)', () => {
  it('defaults are those of the model', () => {
    assert.deepEqual(DEFAULT_MODEL_CONFIG, {
      weights: { completion: 0.4, quiz: 0.3, quality: 0.2, consistency: 0.1 },
      quizGuessSeconds: 10,
      quizAttemptPenalty: 0.15,
      recommendationThreshold: 0.7,
    });
    assert.equal(weightsProblem(DEFAULT_MODEL_CONFIG.weights), null);
  });

  it('weights must sum to 1 ± 1e-9', () => {
    assert.equal(weightsProblem({ completion: 0.1, quiz: 0.2, quality: 0.3, consistency: 0.4 + 5e-10 }), null);
    assert.match(weightsProblem({ completion: 0.4, quiz: 0.3, quality: 0.2, consistency: 0.2 }) ?? '', /sum to 1/);
  });

  it('each weight must be a finite number in [0, 1]', () => {
    assert.notEqual(weightsProblem({ completion: 1.5, quiz: -0.5, quality: 0, consistency: 0 }), null);
    assert.notEqual(weightsProblem({ completion: Number.NaN, quiz: 0.5, quality: 0.5, consistency: 0 }), null);
  });

  it('the interval is closed: a weight of exactly 0 or exactly 1 is valid', () => {
    // One component carrying the whole score is a legitimate (if odd) configuration.
    assert.equal(weightsProblem({ completion: 1, quiz: 0, quality: 0, consistency: 0 }), null);
    assert.equal(weightsProblem({ completion: 0, quiz: 0, quality: 0, consistency: 1 }), null);
  });

  it('names the range when one weight is out of it, even if the sum is 1', () => {
    // 1.5 − 0.5 + 0 + 0 sums to 1: the range check, not the sum check, must refuse it.
    assert.equal(weightsProblem({ completion: 1.5, quiz: -0.5, quality: 0, consistency: 0 }), 'every weight must be a number between 0 and 1');
    assert.equal(
      weightsProblem({ completion: 0.5, quiz: 0.5, quality: 0, consistency: Number.POSITIVE_INFINITY }),
      'every weight must be a number between 0 and 1',
    );
    // A negative weight alone, the others in range and the sum 1: 1 + 0.5 − 0.5 + 0.
    assert.equal(weightsProblem({ completion: 1, quiz: 0.5, quality: -0.5, consistency: 0 }), 'every weight must be a number between 0 and 1');
    // A weight above 1 alone, none negative: the range is the reason given, not the sum (1.5).
    assert.equal(weightsProblem({ completion: 1.5, quiz: 0, quality: 0, consistency: 0 }), 'every weight must be a number between 0 and 1');
    assert.equal(weightsProblem({ completion: 0.5, quiz: 0.5, quality: 0.5, consistency: 0 }), 'the weights must sum to 1, not 1.5');
    // Too little is as wrong as too much.
    assert.equal(weightsProblem({ completion: 0.25, quiz: 0.25, quality: 0, consistency: 0 }), 'the weights must sum to 1, not 0.5');
  });
});
