import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays } from './days.js';
import { DEFAULT_MODEL_CONFIG } from './model-config.js';
import { componentsOver, scopesOver } from './fast/scope-cursors.js';
import { scopeAsOf, type KnownTopics } from './scopes.js';
import { completionEvent, quizEvent, stateOf } from '../testing/event-builders.js';

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
    assert.deepEqual(
      componentsOver(state, days, config).map((c) => c.completion),
      expected,
    );
    assert.deepEqual(
      scopesOver(state, days, config)!.map((s) => s.components.completion),
      expected,
    );
    assert.deepEqual(
      scopesOver(state, days, config, 'general')!.map((s) => s.components.completion),
      expected,
    );
    for (const topic of [undefined, 'general']) {
      assert.deepEqual(
        days.map((day) => scopeAsOf(state, day, config, topic)!.components.completion),
        expected,
        'and each day on its own',
      );
    }
  });

  it('so do the reports of a long history (more than 32 reported days), folded newest first', () => {
    // Day i of 40 (from 2026-01-01) reports i mod 10 of 10 completed: completion (i mod 10) / 10.
    const days = Array.from({ length: 40 }, (_, i) => addDays('2026-01-01', i));
    const events = days.map((day, i) => completionEvent(`${day}T10:00:00Z`, done(i % 10))).reverse();
    const expected = days.map((_, i) => (i % 10) / 10);
    const state = stateOf(events);
    assert.deepEqual(
      componentsOver(state, days, config).map((c) => c.completion),
      expected,
    );
    assert.deepEqual(
      scopesOver(state, days, config)!.map((s) => s.components.completion),
      expected,
    );
    assert.deepEqual(
      days.map((day) => scopeAsOf(state, day, config)!.components.completion),
      expected,
    );
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
    for (const events of [
      [a, b, c],
      [c, b, a],
      [b, c, a],
    ]) {
      const state = stateOf(events);
      assert.equal(componentsOver(state, ['2026-01-14'], config)[0]!.completion, inNameOrder);
      assert.equal(scopesOver(state, ['2026-01-14'], config)![0]!.components.completion, inNameOrder);
      assert.equal(scopeAsOf(state, '2026-01-14', config)!.components.completion, inNameOrder);
    }
  });
});

describe('scopes: the topic a recommendation names, with the learner model (learner-model §4)', () => {
  // quiz: a 0.8, b 0.3 — b is the weaker by value; completion: a 0.4, b 0.4 — a tie.
  const state = stateOf([
    quizEvent('2026-01-14T10:00:00Z', { total_questions: 10, correct_answers: 8 }, { topic: 'a' }),
    quizEvent('2026-01-14T10:00:00Z', { total_questions: 10, correct_answers: 3 }, { topic: 'b' }),
    completionEvent('2026-01-14T10:00:00Z', done(4), { topic: 'a' }),
    completionEvent('2026-01-14T10:00:00Z', done(4), { topic: 'b' }),
  ]);
  const weakest = (known?: KnownTopics) => {
    const plain = scopeAsOf(state, '2026-01-14', config, undefined, known)!.weakestTopics;
    assert.deepStrictEqual(scopesOver(state, ['2026-01-14'], config, undefined, known)![0]!.weakestTopics, plain, 'the fast path names the same');
    return plain;
  };

  it('without p_known: the lowest value, ties by name', () => {
    assert.deepStrictEqual(weakest(), { completion: 'a', quiz: 'b', consistency: 'a' });
  });

  it('the topic least known is named, whatever the values', () => {
    // a is the less known (0.2 < 0.9) although its quiz value is the higher, and b is the less
    // known the other way round: p_known decides every component, ties of value included.
    assert.deepStrictEqual(
      weakest(
        new Map([
          ['a', 0.2],
          ['b', 0.9],
        ]),
      ),
      { completion: 'a', quiz: 'a', consistency: 'a' },
    );
    assert.deepStrictEqual(
      weakest(
        new Map([
          ['a', 0.9],
          ['b', 0.2],
        ]),
      ),
      { completion: 'b', quiz: 'b', consistency: 'b' },
    );
  });

  it('equal p_known, or a topic without one, falls back to the value', () => {
    assert.deepStrictEqual(
      weakest(
        new Map([
          ['a', 0.5],
          ['b', 0.5],
        ]),
      ),
      { completion: 'a', quiz: 'b', consistency: 'a' },
    );
    assert.deepStrictEqual(weakest(new Map([['a', 0.2]])), { completion: 'a', quiz: 'b', consistency: 'a' });
    assert.deepStrictEqual(weakest(new Map([['b', 0.2]])), { completion: 'a', quiz: 'b', consistency: 'a' });
  });
});
