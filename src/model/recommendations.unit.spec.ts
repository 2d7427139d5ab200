import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MODEL_CONFIG } from './model-config.js';
import { masteryResult } from './score.js';
import type { ComponentValues } from './types.js';

const recommendationsOf = (c: ComponentValues, config = DEFAULT_MODEL_CONFIG) => masteryResult(c, config).recommendations;
const strong: ComponentValues = { completion: 0.9, quiz: 0.9, quality: 0.9, consistency: 0.9 };

describe('recommendations: one per component whose ROUNDED value is below 0.7 (§3)', () => {
  it('all four weak → all four, in table order (not weakest first), with the table fields', () => {
    assert.deepEqual(recommendationsOf({ completion: 0.6, quiz: 0.5, quality: 0.4, consistency: 0.1 }), [
      { action: 'practice', area: 'completing exercises', priority: 'high' },
      { action: 'review', area: 'concepts', priority: 'medium' },
      { action: 'refactor', area: 'code quality', priority: 'medium' },
      { action: 'schedule', area: 'daily practice', priority: 'low' },
    ]);
  });

  it('nothing weak → none', () => {
    assert.deepEqual(recommendationsOf(strong), []);
  });

  it('exactly 0.7 is not weak', () => {
    assert.deepEqual(recommendationsOf({ ...strong, quality: 0.7 }), []);
  });

  it('0.6995 rounds to 0.7 and is not weak; 0.6994 rounds to 0.699 and is', () => {
    assert.deepEqual(recommendationsOf({ ...strong, quiz: 0.6995 }), []);
    assert.deepEqual(recommendationsOf({ ...strong, quiz: 0.6994 }), [{ action: 'review', area: 'concepts', priority: 'medium' }]);
  });

  it('honours a configured threshold', () => {
    const config = { ...DEFAULT_MODEL_CONFIG, recommendationThreshold: 0.5 };
    const c: ComponentValues = { completion: 0.6, quiz: 0.4995, quality: 0.4994, consistency: 0.2 };
    assert.deepEqual(recommendationsOf(c, config), [
      { action: 'refactor', area: 'code quality', priority: 'medium' },
      { action: 'schedule', area: 'daily practice', priority: 'low' },
    ]);
  });

  it('names a weakest topic only where one is given, leaving the four fields as they are', () => {
    const r = masteryResult({ ...strong, completion: 0.3, quiz: 0.3 }, DEFAULT_MODEL_CONFIG, { quiz: 'python.loops' });
    assert.deepEqual(r.recommendations, [
      { action: 'practice', area: 'completing exercises', priority: 'high' },
      { action: 'review', area: 'concepts', priority: 'medium', topic: 'python.loops' },
    ]);
  });
});
