/**
 * The worked examples docs/model.md adds to the design's three (worked-examples.unit.spec.ts):
 * B on other days, B's prediction (D), two topics and the roll-up (E), a student who needs help
 * (F). The page quotes these numbers to users, so a change of the model that moves one must
 * change the page too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dailyHistory, learningPathAsOf, masteryAsOf, predictionAsOf } from './mastery-as-of.js';
import { DEFAULT_MODEL_CONFIG as MODEL } from './model-config.js';
import { activeOn, completionEvent, qualityEvent, quizEvent, stateOf } from '../testing/event-builders.js';

const exampleB = stateOf([
  ...activeOn(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-10', '2026-01-11']),
  completionEvent('2026-01-12T09:00:00Z', { total_exercises: 25, completed_exercises: 20, difficulty: 'intermediate' }),
  quizEvent('2026-01-12T09:30:00Z', { total_questions: 20, correct_answers: 18, avg_time_seconds: 8, attempts: 2 }),
  qualityEvent('2026-01-12T10:00:00Z', { avg_code_quality: 0.9, correctness: 0.8, efficiency: 0.7 }),
]);

describe('docs/model.md: example B on other days', () => {
  const table: ReadonlyArray<readonly [string, number, number, string]> = [
    ['2026-01-11', 0.4, 0.04, 'beginner'],
    ['2026-01-12', 0.6, 0.724, 'competent'],
    ['2026-01-13', 0.54, 0.718, 'competent'],
    ['2026-01-14', 0.486, 0.712, 'competent'],
    ['2026-01-21', 0.232, 0.687, 'competent'],
  ];
  for (const [day, consistency, score, level] of table) {
    it(`as of ${day}: consistency ${consistency}, score ${score}, ${level}`, () => {
      const result = masteryAsOf(exampleB, day, MODEL)!;
      assert.deepEqual([result.components.consistency, result.mastery_score, result.level], [consistency, score, level]);
    });
  }
});

describe("docs/model.md: D. the prediction of example B's student", () => {
  it('has one history point per active day, with the scores the page lists', () => {
    const history = dailyHistory(exampleB, MODEL, { to: '2026-01-14' }).map((d) => [d.date.slice(5), d.result.mastery_score]);
    assert.deepEqual(history, [
      ['01-01', 0.1],
      ['01-02', 0.1],
      ['01-03', 0.1],
      ['01-04', 0.1],
      ['01-05', 0.1],
      ['01-10', 0.02],
      ['01-11', 0.04],
      ['01-12', 0.724],
    ]);
  });

  it('predicts 0.9, improving by 0.027 a day, with confidence 0.8', () => {
    assert.deepEqual(predictionAsOf(exampleB, '2026-01-14', MODEL), {
      current: 0.712,
      prediction: 0.9,
      trend: 'improving',
      trend_per_day: 0.027,
      confidence: 0.8,
      intervention_needed: false,
    });
  });
});

describe('docs/model.md: E. two topics and the roll-up, as of 2026-01-14', () => {
  const loops = { topic: 'python.loops' };
  const functions = { topic: 'python.functions' };
  const exampleE = stateOf([
    ...activeOn(['2026-01-12', '2026-01-13'], loops),
    completionEvent('2026-01-14T09:00:00Z', { total_exercises: 25, completed_exercises: 20 }, loops),
    quizEvent('2026-01-14T09:30:00Z', { total_questions: 10, correct_answers: 9 }, loops),
    ...activeOn(['2026-01-11'], functions),
    completionEvent('2026-01-12T09:00:00Z', { total_exercises: 20, completed_exercises: 10, difficulty: 'beginner' }, functions),
  ]);

  it('each topic on its own', () => {
    const functionsResult = masteryAsOf(exampleE, '2026-01-14', MODEL, 'python.functions')!;
    assert.deepEqual(functionsResult.components, { completion: 0.4, quiz: 0, quality: 0, consistency: 0.81 });
    assert.deepEqual([functionsResult.mastery_score, functionsResult.level], [0.241, 'beginner']);
    const loopsResult = masteryAsOf(exampleE, '2026-01-14', MODEL, 'python.loops')!;
    assert.deepEqual(loopsResult.components, { completion: 0.8, quiz: 0.9, quality: 0, consistency: 1 });
    assert.deepEqual([loopsResult.mastery_score, loopsResult.level], [0.69, 'competent']);
  });

  it('overall: the mean over the topics that report a component, and the weakest topic named', () => {
    assert.deepEqual(masteryAsOf(exampleE, '2026-01-14', MODEL), {
      mastery_score: 0.61,
      level: 'competent',
      components: { completion: 0.6, quiz: 0.9, quality: 0, consistency: 1 },
      breakdown: { completion: 0.24, quiz: 0.27, quality: 0, consistency: 0.1 },
      recommendations: [
        { action: 'practice', area: 'completing exercises', priority: 'high', topic: 'python.functions' },
        { action: 'refactor', area: 'code quality', priority: 'medium' },
      ],
    });
  });

  it('the path, its weak components and the weak topics', () => {
    assert.deepEqual(learningPathAsOf(exampleE, '2026-01-14', MODEL), {
      path: ['code_reviews', 'refactoring_practice', 'best_practices', 'practice_basic', 'exercise_variety', 'timed_challenges'],
      weak_components: [
        { component: 'quality', value: 0 },
        { component: 'completion', value: 0.6 },
      ],
      weak_topics: [
        { topic: 'python.functions', mastery_score: 0.241, weak_components: ['quiz', 'quality', 'completion'] },
        { topic: 'python.loops', mastery_score: 0.69, weak_components: ['quality'] },
      ],
    });
  });
});

describe('docs/model.md: F. a student who needs help', () => {
  const exampleF = stateOf([
    completionEvent('2026-01-10T09:00:00Z', { total_exercises: 10, completed_exercises: 10 }),
    completionEvent('2026-01-11T09:00:00Z', { total_exercises: 10, completed_exercises: 7 }),
    completionEvent('2026-01-12T09:00:00Z', { total_exercises: 10, completed_exercises: 4 }),
  ]);

  it('scores 0.5, 0.38 and 0.26 on its three days', () => {
    assert.deepEqual(
      dailyHistory(exampleF, MODEL, { to: '2026-01-12' }).map((d) => d.result.mastery_score),
      [0.5, 0.38, 0.26],
    );
  });

  it('has no prediction with two days of history', () => {
    assert.deepEqual(predictionAsOf(exampleF, '2026-01-11', MODEL), { prediction: null, confidence: 0 });
  });

  it('as of 01-12: prediction clamped to 0, declining, intervention needed', () => {
    assert.deepEqual(predictionAsOf(exampleF, '2026-01-12', MODEL), {
      current: 0.26,
      prediction: 0,
      trend: 'declining',
      trend_per_day: -0.12,
      confidence: 0.3,
      intervention_needed: true,
    });
  });

  it('as of 01-14: the current score has decayed to 0.241 and the prediction is still 0', () => {
    const p = predictionAsOf(exampleF, '2026-01-14', MODEL);
    assert.ok(p !== undefined && p.prediction !== null);
    assert.deepEqual([p.current, p.prediction, p.intervention_needed], [0.241, 0, true]);
    assert.equal(masteryAsOf(exampleF, '2026-01-14', MODEL)!.components.consistency, 0.81);
  });
});
