import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays } from './days.js';
import { DEFAULT_MODEL_CONFIG } from './model-config.js';
import { componentsOver, scopesOver } from './scopes.js';
import { completionEvent, stateOf } from './testing/event-builders.js';

const config = DEFAULT_MODEL_CONFIG;
const done = (completed: number) => ({ total_exercises: 10, completed_exercises: completed });

describe('scopes: the inputs that stood at the end of each as-of day (§6)', () => {
  it('reports folded out of day order still stand on their own days', () => {
    // A state keeps one report per day; folding 01-03 first must not hide 01-01 and 01-02.
    const events = [
      completionEvent('2026-01-03T10:00:00Z', done(3)),
      completionEvent('2026-01-01T10:00:00Z', done(1)),
      completionEvent('2026-01-02T10:00:00Z', done(2)),
    ];
    const days = ['2025-12-31', '2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04'];
    const expected = [0, 0.1, 0.2, 0.3, 0.3];
    const state = stateOf(events);
    assert.deepEqual(componentsOver(state, days, config).map((c) => c.completion), expected);
    assert.deepEqual(scopesOver(state, days, config)!.map((s) => s.components.completion), expected);
    assert.deepEqual(scopesOver(state, days, config, 'general')!.map((s) => s.components.completion), expected);
  });

  it('so do the reports of a long history (more than 32 reported days), folded newest first', () => {
    // Day i of 40 (from 2026-01-01) reports i mod 10 of 10 completed: completion (i mod 10) / 10.
    const days = Array.from({ length: 40 }, (_, i) => addDays('2026-01-01', i));
    const events = days.map((day, i) => completionEvent(`${day}T10:00:00Z`, done(i % 10))).reverse();
    const expected = days.map((_, i) => (i % 10) / 10);
    const state = stateOf(events);
    assert.deepEqual(componentsOver(state, days, config).map((c) => c.completion), expected);
    assert.deepEqual(scopesOver(state, days, config)!.map((s) => s.components.completion), expected);
  });
});

describe('scopes: the overall mean sums the topics in name order', () => {
  // Floating-point addition is not associative: (0.1 + 0.2) + 0.3 is 0.6000000000000001 but
  // (0.3 + 0.2) + 0.1 is 0.6. Summing in name order, whatever order the topics were first seen
  // in, is what gives every store and every fold order the same value to the last bit.
  const inNameOrder = (0.1 + 0.2 + 0.3) / 3;

  it('whatever order the topics were first seen in', () => {
    const a = completionEvent('2026-01-14T10:00:00Z', done(1), { topic: 'a' });
    const b = completionEvent('2026-01-14T10:00:00Z', done(2), { topic: 'b' });
    const c = completionEvent('2026-01-14T10:00:00Z', done(3), { topic: 'c' });
    assert.notEqual(inNameOrder, (0.3 + 0.2 + 0.1) / 3, 'the example must depend on the order');
    for (const events of [[a, b, c], [c, b, a], [b, c, a]]) {
      const state = stateOf(events);
      assert.equal(componentsOver(state, ['2026-01-14'], config)[0]!.completion, inNameOrder);
      assert.equal(scopesOver(state, ['2026-01-14'], config)![0]!.components.completion, inNameOrder);
    }
  });
});
