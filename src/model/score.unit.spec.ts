import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from './model-config.js';
import { levelOf, masteryResult } from './score.js';
import type { ComponentValues, Level } from './types.js';

const all = (v: number): ComponentValues => ({ completion: v, quiz: v, quality: v, consistency: v });

describe('mastery_score and breakdown (§2)', () => {
  it('score is round3 of the weighted sum, each breakdown entry round3 of its own product', () => {
    // 0.4×0.55 + 0.3×0.75 + 0.2×0.65 + 0.1×0.35 = 0.22 + 0.225 + 0.13 + 0.035 = 0.61
    const r = masteryResult({ completion: 0.55, quiz: 0.75, quality: 0.65, consistency: 0.35 }, DEFAULT_MODEL_CONFIG);
    assert.equal(r.mastery_score, 0.61);
    assert.deepEqual(r.breakdown, { completion: 0.22, quiz: 0.225, quality: 0.13, consistency: 0.035 });
  });

  it('the score is rounded once from the raw sum, not summed from the rounded breakdown', () => {
    // products 0.0004 each (0.001 × 0.4 …): the breakdown rounds each to 0, the raw sum 0.001 stays.
    const r = masteryResult({ completion: 0.001, quiz: 0.001, quality: 0.001, consistency: 0.001 }, DEFAULT_MODEL_CONFIG);
    assert.equal(r.mastery_score, 0.001);
    assert.deepEqual(r.breakdown, { completion: 0, quiz: 0, quality: 0, consistency: 0 });
  });

  it('components are returned rounded to 3 decimals', () => {
    const r = masteryResult({ completion: 0.12345, quiz: 0.6666666, quality: 0.8425, consistency: 0 }, DEFAULT_MODEL_CONFIG);
    assert.deepEqual(r.components, { completion: 0.123, quiz: 0.667, quality: 0.843, consistency: 0 });
  });

  it('values outside [0, 1] are clamped before use', () => {
    const r = masteryResult({ completion: 1.3, quiz: -0.2, quality: 1, consistency: 1 }, DEFAULT_MODEL_CONFIG);
    assert.deepEqual(r.components, { completion: 1, quiz: 0, quality: 1, consistency: 1 });
    assert.equal(r.mastery_score, 0.7);
  });

  it('uses the configured weights', () => {
    const weights = { completion: 0.25, quiz: 0.25, quality: 0.25, consistency: 0.25 };
    const config: ModelConfig = { ...DEFAULT_MODEL_CONFIG, weights };
    const r = masteryResult({ completion: 1, quiz: 0, quality: 0.5, consistency: 0.5 }, config);
    assert.equal(r.mastery_score, 0.5);
    assert.deepEqual(r.breakdown, { completion: 0.25, quiz: 0, quality: 0.125, consistency: 0.125 });
  });
});

describe('level from the ROUNDED score (§2 table, preamble)', () => {
  // With the default weights (sum 1) equal components v give a raw score of v.
  const cases: Array<[number, number, Level]> = [
    [0.8995, 0.9, 'expert'],
    [0.8994, 0.899, 'proficient'],
    [0.7495, 0.75, 'proficient'],
    [0.7494, 0.749, 'competent'],
    [0.5995, 0.6, 'competent'],
    [0.5994, 0.599, 'developing'],
    [0.3995, 0.4, 'developing'],
    [0.3994, 0.399, 'beginner'],
    [1, 1, 'expert'],
    [0, 0, 'beginner'],
  ];
  for (const [raw, rounded, level] of cases) {
    it(`raw ${raw} → score ${rounded} → ${level}`, () => {
      const r = masteryResult(all(raw), DEFAULT_MODEL_CONFIG);
      assert.equal(r.mastery_score, rounded);
      assert.equal(r.level, level);
    });
  }

  it('a raw sum of 0.8995 made of unequal components is expert too', () => {
    // 0.36 + 0.27 + 0.18 + 0.0895
    const r = masteryResult({ completion: 0.9, quiz: 0.9, quality: 0.9, consistency: 0.895 }, DEFAULT_MODEL_CONFIG);
    assert.equal(r.mastery_score, 0.9);
    assert.equal(r.level, 'expert');
  });

  it('levelOf uses ≥ at each floor', () => {
    assert.deepEqual([0.9, 0.899, 0.75, 0.749, 0.6, 0.599, 0.4, 0.399].map(levelOf), [
      'expert',
      'proficient',
      'proficient',
      'competent',
      'competent',
      'developing',
      'developing',
      'beginner',
    ]);
  });
});
