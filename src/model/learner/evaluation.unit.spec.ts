import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays } from '../days.js';
import { instantKey } from '../instant.js';
import { masteryAsOf } from '../mastery-as-of.js';
import { DEFAULT_MODEL_CONFIG } from '../model-config.js';
import type { StoredResponse, StudentState } from '../student-state.js';
import { activeOn, quizEvent, responseEvent, stateOf } from '../../testing/event-builders.js';
import { scores } from './evaluation-metrics.js';
import { evaluate, topicMeans, type EvaluationInput } from './evaluation.js';
import { forecastAsOf } from './forecast.js';
import { DEFAULT_LEARNER_PARAMS } from './learner-params.js';

const config = DEFAULT_MODEL_CONFIG;
const params = DEFAULT_LEARNER_PARAMS;
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const answer = (at: string, topic: string, correct: boolean, n: number): StoredResponse => ({
  at: instantKey(at),
  event_id: id(n),
  topic,
  item_id: `${topic}-${n}`,
  correct,
});

// The sequence of the knowledge spec: A right on 03-01; A wrong (id 2) and B right (id 3) at the same instant on 03-02.
const traced = stateOf([
  responseEvent('2026-03-01T10:00:00Z', { item_id: 'a1', correct: true }, { topic: 'A', event_id: id(1) }),
  responseEvent('2026-03-02T10:00:00Z', { item_id: 'b1', correct: true }, { topic: 'B', event_id: id(3) }),
  responseEvent('2026-03-02T10:00:00Z', { item_id: 'a2', correct: false }, { topic: 'A', event_id: id(2) }),
]);
const split = instantKey('2026-03-02T00:00:00Z');
// Training answers: A 2 of 3 right, C 0 of 2: the overall rate 2/5 stands for a topic training never saw (B).
const means = topicMeans([
  [answer('2026-02-01T10:00:00Z', 'A', true, 10), answer('2026-02-01T11:00:00Z', 'A', false, 11)],
  [answer('2026-02-02T10:00:00Z', 'A', true, 12), answer('2026-02-02T11:00:00Z', 'C', false, 13), answer('2026-02-02T12:00:00Z', 'C', false, 14)],
]);

function input(states: readonly StudentState[], forecastFrom = '2026-03-02', lastDay = '2026-03-09'): EvaluationInput {
  return { states, params, config, means, scored: (r) => r.at >= split, forecastFrom, lastDay };
}

describe('topic means (the first reference)', () => {
  it("is each topic's rate of right answers in training, and the overall rate beside it", () => {
    assert.deepEqual(
      [...means.byTopic],
      [
        ['A', 2 / 3],
        ['C', 0],
      ],
    );
    assert.equal(means.overall, 0.4);
  });

  it('without training answers, every topic falls back to an even 0.5', () => {
    assert.deepEqual(topicMeans([]), { byTopic: new Map(), overall: 0.5 });
  });
});

describe('evaluating the learner model on held-out answers', () => {
  it('scores only the held-out answers, each with the probability the trace gave it before seeing it', () => {
    const report = evaluate(input([traced]));
    // Held out: A wrong then B right (the ids order them). The trace gave them
    // σ(0.15 + 0.3 × 2^(−1/30)) and σ(ability after two answers): see the knowledge spec.
    const predicted = [0.6090088777083421, 0.492277182712993];
    const outcomes = [0, 1];
    assert.equal(report.model.answers, 2);
    assert.equal(report.model.auc, 0, 'the right answer was given less than the wrong one');
    assert.ok(Math.abs(report.model.rmse - Math.sqrt((predicted[0]! ** 2 + (1 - predicted[1]!) ** 2) / 2)) < 1e-12);
    assert.deepEqual(
      report.model.calibration.map((b) => b.count),
      [0, 0, 0, 0, 1, 0, 1, 0, 0, 0],
    );
    assert.equal(report.model.calibration[6]!.observed, 0);
    assert.equal(report.model.calibration[4]!.observed, 1);
    assert.ok(Math.abs(report.model.log_loss - scores(predicted, outcomes).log_loss) < 1e-12);
  });

  it("the references: the topic's training rate (else the overall one) and the seed's topic quiz of the day before (0 unseen)", () => {
    const { topic_mean, seed_quiz } = evaluate(input([traced])).references;
    // A → 2/3, B (not in training) → the overall 0.4, against outcomes 0 and 1.
    assert.deepEqual(topic_mean, scores([2 / 3, 0.4], [0, 1]));
    // A as of 03-01: one right of one → 1; B had no event by 03-01 → 0. Both confident misses.
    assert.deepEqual(seed_quiz, scores([1, 0], [0, 1]));
  });

  it('the seed reference is the quiz of the day before the answer, not of its own day', () => {
    // Two answers on A: right on 03-01, wrong on 03-03. The second is scored against 03-02's quiz (1 of 1), not 03-03's (0 of 1).
    const state = stateOf([
      responseEvent('2026-03-01T10:00:00Z', { item_id: 'a1', correct: true }, { topic: 'A' }),
      responseEvent('2026-03-03T10:00:00Z', { item_id: 'a2', correct: false }, { topic: 'A' }),
    ]);
    assert.deepEqual(evaluate(input([state])).references.seed_quiz, scores([1], [0]));
  });

  it('the forecast: each active day from forecastFrom whose 7th day after is inside the data, against the score reached', () => {
    const day = '2026-03-02';
    const later = addDays(day, 7);
    const once = stateOf(activeOn([day])); // then nothing: reaches the week without practice, its lowest outcome
    const always = stateOf(activeOn(Array.from({ length: 63 }, (_, i) => addDays(later, i - 62)))); // keeps its streak: reaches its best
    const returns = stateOf(activeOn([day, later])); // back on day 7: above the forecast's interval
    // A quiz of 0 of 10 on day 7 replaces the 9 of 10 the forecast let stand: below its interval.
    const drops = stateOf([
      quizEvent(`${day}T12:00:00Z`, { total_questions: 10, correct_answers: 9 }),
      quizEvent(`${later}T12:00:00Z`, { total_questions: 10, correct_answers: 0 }),
    ]);
    const states = [traced, once, always, returns, drops];
    const seen = states.map((s) => ({
      f: forecastAsOf(s, day, config, params)!,
      now: masteryAsOf(s, day, config)!.mastery_score,
      reached: masteryAsOf(s, later, config)!.mastery_score,
    }));
    // What makes this fixture tell the bounds apart: the interval's ends reached exactly, and once missed.
    assert.equal(seen[1]!.reached, seen[1]!.f.low);
    assert.equal(seen[2]!.reached, seen[2]!.f.high);
    assert.ok(seen[3]!.reached > seen[3]!.f.high);
    assert.ok(seen[4]!.reached < seen[4]!.f.low);
    const report = evaluate(input(states)).forecast;
    // Only 03-02 counts: 03-01 is before forecastFrom, and every later day's 7th day after is past 03-09.
    assert.equal(report.points, 5);
    const mean = (f: (s: (typeof seen)[number]) => number) => seen.reduce((sum, s) => sum + f(s), 0) / seen.length;
    assert.ok(Math.abs(report.mean_absolute_error - mean((s) => Math.abs(s.f.score_in_7_days - s.reached))) < 1e-12);
    assert.ok(report.mean_absolute_error > 0);
    assert.ok(Math.abs(report.no_change_mean_absolute_error - mean((s) => Math.abs(s.now - s.reached))) < 1e-12);
    assert.ok(report.no_change_mean_absolute_error > report.mean_absolute_error);
    assert.equal(report.interval_coverage, 3 / 5);
  });

  it('without a day to forecast, the forecast errors are undefined (NaN), not 0', () => {
    const report = evaluate(input([traced], '2026-03-02', '2026-03-08')).forecast;
    assert.equal(report.points, 0);
    assert.ok(Number.isNaN(report.mean_absolute_error) && Number.isNaN(report.no_change_mean_absolute_error) && Number.isNaN(report.interval_coverage));
  });
});
