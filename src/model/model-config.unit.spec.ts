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
});
