import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activeDays, dailyHistory, learningPathAsOf, masteryAsOf, predictionAsOf, topicNames } from './mastery-as-of.js';
import { DEFAULT_MODEL_CONFIG } from './model-config.js';
import { activeOn, activityEvent, completionEvent, qualityEvent, quizEvent, stateOf } from '../testing/event-builders.js';
import { DEFAULT_TOPIC, type MasteryResult } from './types.js';

const config = DEFAULT_MODEL_CONFIG;
const done = (completed: number, total = 10) => ({ total_exercises: total, completed_exercises: completed });

/** The result, failing the test when the model answers "unknown". */
function known(result: MasteryResult | undefined): MasteryResult {
  assert.ok(result, 'expected a result');
  return result;
}

describe('topics and the overall roll-up (§6)', () => {
  it("an event without a topic belongs to 'general'", () => {
    assert.equal(DEFAULT_TOPIC, 'general');
    const state = stateOf([completionEvent('2026-01-14T10:00:00Z', done(8))]);
    assert.deepEqual(topicNames(state), ['general']);
    assert.equal(known(masteryAsOf(state, '2026-01-14', config, 'general')).components.completion, 0.8);
  });

  it('an input never reported counts as 0 in its topic', () => {
    const state = stateOf([completionEvent('2026-01-14T10:00:00Z', done(8), { topic: 'a' })]);
    assert.deepEqual(known(masteryAsOf(state, '2026-01-14', config, 'a')).components, {
      completion: 0.8,
      quiz: 0,
      quality: 0,
      consistency: 1,
    });
  });

  it('an overall input component is the mean over the topics that have it reported', () => {
    // quiz is reported in topic a only: the overall quiz is a's 0.6, not (0.6 + 0) / 2.
    const state = stateOf([
      completionEvent('2026-01-14T10:00:00Z', done(8), { topic: 'a' }),
      quizEvent('2026-01-14T10:00:00Z', { total_questions: 10, correct_answers: 6 }, { topic: 'a' }),
      completionEvent('2026-01-14T11:00:00Z', done(4), { topic: 'b' }),
      activityEvent('2026-01-14T12:00:00Z', { topic: 'c' }),
    ]);
    const overall = known(masteryAsOf(state, '2026-01-14', config));
    assert.equal(overall.components.completion, 0.6);
    assert.equal(overall.components.quiz, 0.6);
    assert.equal(overall.components.quality, 0, 'reported nowhere');
  });

  it("overall consistency uses all active days, a topic's consistency only that topic's days", () => {
    // a on 01-01, 01-02; b on 01-03, 01-04: overall one run of 4 ending today.
    const state = stateOf([...activeOn(['2026-01-01', '2026-01-02'], { topic: 'a' }), ...activeOn(['2026-01-03', '2026-01-04'], { topic: 'b' })]);
    assert.equal(known(masteryAsOf(state, '2026-01-04', config)).components.consistency, 1);
    assert.equal(known(masteryAsOf(state, '2026-01-04', config, 'a')).components.consistency, 0.81);
    assert.equal(known(masteryAsOf(state, '2026-01-04', config, 'b')).components.consistency, 1);
  });

  it('an unknown topic gives undefined for mastery, prediction and path', () => {
    const state = stateOf(activeOn(['2026-01-14']));
    assert.equal(masteryAsOf(state, '2026-01-14', config, 'nope'), undefined);
    assert.equal(predictionAsOf(state, '2026-01-14', config, 'nope'), undefined);
    assert.equal(learningPathAsOf(state, '2026-01-14', config, 'nope'), undefined);
  });

  it('with two or more topics an overall recommendation names the weakest topic', () => {
    const state = stateOf([
      quizEvent('2026-01-14T10:00:00Z', { total_questions: 10, correct_answers: 5 }, { topic: 'python.loops' }),
      quizEvent('2026-01-14T10:00:00Z', { total_questions: 10, correct_answers: 3 }, { topic: 'python.lists' }),
      completionEvent('2026-01-14T10:00:00Z', done(10), { topic: 'python.loops' }),
      completionEvent('2026-01-14T10:00:00Z', done(9), { topic: 'python.lists' }),
      qualityEvent('2026-01-14T10:00:00Z', { avg_code_quality: 1, correctness: 1, efficiency: 1 }, { topic: 'python.loops' }),
    ]);
    const overall = known(masteryAsOf(state, '2026-01-14', config));
    assert.equal(overall.components.quiz, 0.4);
    assert.deepStrictEqual(overall.recommendations, [{ action: 'review', area: 'concepts', priority: 'medium', topic: 'python.lists' }]);
  });

  it('names the weakest topic even when it is not the first by name, and the first by name on a tie', () => {
    const state = stateOf([
      // quiz: a 0.5, b 0.3 → b, the later name, is the weakest.
      quizEvent('2026-01-14T10:00:00Z', { total_questions: 10, correct_answers: 5 }, { topic: 'a' }),
      quizEvent('2026-01-14T10:00:00Z', { total_questions: 10, correct_answers: 3 }, { topic: 'b' }),
      // completion: a 0.5, b 0.5 → a tie, broken by name: a.
      completionEvent('2026-01-14T10:00:00Z', done(5), { topic: 'a' }),
      completionEvent('2026-01-14T10:00:00Z', done(5), { topic: 'b' }),
    ]);
    const overall = known(masteryAsOf(state, '2026-01-14', config));
    // quality is reported nowhere (0) and consistency is 1: only completion, quiz and quality are
    // weak, and quality, with no topic reporting it, names none.
    assert.deepStrictEqual(overall.recommendations, [
      { action: 'practice', area: 'completing exercises', priority: 'high', topic: 'a' },
      { action: 'review', area: 'concepts', priority: 'medium', topic: 'b' },
      { action: 'refactor', area: 'code quality', priority: 'medium' },
    ]);
  });

  it('a consistency recommendation names the least consistent topic among those already active', () => {
    // As of 01-06: a was active on 01-02 (1 × 0.9^4 = 0.6561), b on 01-01 (1 × 0.9^5 = 0.59049);
    // c's only day, 01-09, is still to come, so c has no consistency yet and is not named.
    // Overall: days 01-01, 01-02, a run of 2 of 2, 4 days since → 0.9^4 = 0.656 < 0.7.
    const state = stateOf([
      ...activeOn(['2026-01-02'], { topic: 'a' }),
      ...activeOn(['2026-01-01'], { topic: 'b' }),
      ...activeOn(['2026-01-09'], { topic: 'c' }),
    ]);
    const overall = known(masteryAsOf(state, '2026-01-06', config));
    assert.equal(overall.components.consistency, 0.656);
    assert.deepStrictEqual(overall.recommendations.at(-1), {
      action: 'schedule',
      area: 'daily practice',
      priority: 'low',
      topic: 'b',
    });
  });

  it('names no topic for consistency while only one topic has been active', () => {
    // As of 01-05 only a has an active day (01-01: 0.9^4 = 0.656, weak); b starts on 01-09.
    const state = stateOf([...activeOn(['2026-01-01'], { topic: 'a' }), ...activeOn(['2026-01-09'], { topic: 'b' })]);
    const overall = known(masteryAsOf(state, '2026-01-05', config));
    assert.deepStrictEqual(overall.recommendations.at(-1), { action: 'schedule', area: 'daily practice', priority: 'low' });
  });

  it('a topic result never names a topic in its recommendations', () => {
    const state = stateOf([
      quizEvent('2026-01-14T10:00:00Z', { total_questions: 10, correct_answers: 5 }, { topic: 'a' }),
      quizEvent('2026-01-14T10:00:00Z', { total_questions: 10, correct_answers: 3 }, { topic: 'b' }),
    ]);
    const recommendations = known(masteryAsOf(state, '2026-01-14', config, 'b')).recommendations;
    assert.ok(recommendations.length > 0);
    for (const r of recommendations) assert.equal(r.topic, undefined);
  });
});

describe('as of a day (§6)', () => {
  it('ignores events whose UTC day is after the as-of day', () => {
    const state = stateOf([
      completionEvent('2026-01-13T10:00:00Z', done(4)),
      // 23:30 at UTC−5 is 04:30 UTC on 01-15.
      completionEvent('2026-01-14T23:30:00-05:00', done(9)),
    ]);
    assert.equal(known(masteryAsOf(state, '2026-01-14', config)).components.completion, 0.4);
    assert.equal(known(masteryAsOf(state, '2026-01-15', config)).components.completion, 0.9);
  });

  it('counts an event written with a positive offset on its UTC day', () => {
    // 02:00 at UTC+5 is 21:00 UTC on 01-14.
    const state = stateOf([completionEvent('2026-01-15T02:00:00+05:00', done(7))]);
    assert.equal(known(masteryAsOf(state, '2026-01-14', config)).components.completion, 0.7);
  });

  it('before any event, the overall result is all zeros, beginner', () => {
    const state = stateOf([completionEvent('2026-01-14T10:00:00Z', done(9))]);
    const r = known(masteryAsOf(state, '2026-01-13', config));
    assert.equal(r.mastery_score, 0);
    assert.equal(r.level, 'beginner');
    assert.deepEqual(r.components, { completion: 0, quiz: 0, quality: 0, consistency: 0 });
  });

  it('consistency decays day by day with no new events', () => {
    const state = stateOf(activeOn(['2026-01-10']));
    const consistencyOn = (day: string) => known(masteryAsOf(state, day, config)).components.consistency;
    assert.deepEqual(['2026-01-10', '2026-01-11', '2026-01-12'].map(consistencyOn), [1, 0.9, 0.81]);
  });

  it('within one day the later timestamp wins, whatever the arrival order', () => {
    const early = completionEvent('2026-01-14T08:00:00Z', done(3), { event_id: 'ffffffff-0000-4000-8000-000000000000' });
    const late = completionEvent('2026-01-14T09:00:00Z', done(6), { event_id: '00000000-0000-4000-8000-000000000000' });
    for (const events of [
      [early, late],
      [late, early],
    ]) {
      assert.equal(known(masteryAsOf(stateOf(events), '2026-01-14', config)).components.completion, 0.6);
    }
  });

  it('equal timestamps: the greater event_id (as a string) wins, whatever the arrival order', () => {
    const a = completionEvent('2026-01-14T08:00:00Z', done(3), { event_id: '9fffffff-0000-4000-8000-000000000000' });
    const b = completionEvent('2026-01-14T08:00:00Z', done(6), { event_id: 'a0000000-0000-4000-8000-000000000000' });
    for (const events of [
      [a, b],
      [b, a],
    ]) {
      assert.equal(known(masteryAsOf(stateOf(events), '2026-01-14', config)).components.completion, 0.6);
    }
  });
});

describe('daily history (§4, §6)', () => {
  const state = stateOf([
    completionEvent('2026-01-01T10:00:00Z', done(4)),
    completionEvent('2026-01-01T18:00:00Z', done(5)),
    activityEvent('2026-01-02T10:00:00Z'),
    completionEvent('2026-01-03T10:00:00Z', done(8)),
    completionEvent('2026-01-05T10:00:00Z', done(9)),
  ]);

  it('one entry per active day, each from the inputs as they stood at the end of that day', () => {
    const history = dailyHistory(state, config, { from: '2026-01-01', to: '2026-01-04' });
    assert.deepEqual(
      history.map((d) => [d.date, d.result.components.completion, d.result.components.consistency]),
      [
        ['2026-01-01', 0.5, 1],
        ['2026-01-02', 0.5, 1],
        ['2026-01-03', 0.8, 1],
      ],
    );
    // a day's entry is that day's full result
    assert.deepStrictEqual(history[2]?.result, masteryAsOf(state, '2026-01-03', config));
  });

  it('respects both ends of the range and skips days without events', () => {
    assert.deepEqual(
      dailyHistory(state, config, { from: '2026-01-02', to: '2026-01-05' }).map((d) => d.date),
      ['2026-01-02', '2026-01-03', '2026-01-05'],
    );
    assert.deepEqual(
      dailyHistory(state, config, { to: '2026-01-02' }).map((d) => d.date),
      ['2026-01-01', '2026-01-02'],
    );
  });

  it('a topic the student has no event in has no active day and an empty history', () => {
    assert.deepEqual(activeDays(state, 'nope'), []);
    assert.deepEqual(dailyHistory(state, config, { to: '2026-01-31' }, 'nope'), []);
  });

  it("a topic's history has that topic's days only", () => {
    const s = stateOf([...activeOn(['2026-01-01', '2026-01-03'], { topic: 'a' }), ...activeOn(['2026-01-02'], { topic: 'b' })]);
    assert.deepEqual(
      dailyHistory(s, config, { to: '2026-01-31' }, 'a').map((d) => d.date),
      ['2026-01-01', '2026-01-03'],
    );
  });
});

describe('prediction as of a day (§4)', () => {
  // Completion 0.5, 0.6, 0.7 on three consecutive days, consistency 1 on each:
  // daily scores 0.4c + 0.1 = 0.30, 0.34, 0.38 → slope 0.04 per day.
  const state = stateOf([
    completionEvent('2026-01-01T10:00:00Z', done(5)),
    completionEvent('2026-01-02T10:00:00Z', done(6)),
    completionEvent('2026-01-03T10:00:00Z', done(7)),
  ]);

  it('fewer than 3 days of history → { prediction: null, confidence: 0 }', () => {
    assert.deepStrictEqual(predictionAsOf(state, '2026-01-02', config), { prediction: null, confidence: 0 });
  });

  it('fits the daily scores and projects from the current score', () => {
    assert.deepStrictEqual(predictionAsOf(state, '2026-01-03', config), {
      current: 0.38,
      prediction: 0.66,
      trend: 'improving',
      trend_per_day: 0.04,
      confidence: 0.3,
      intervention_needed: false,
    });
  });

  it('current is the score as of the query date, consistency decay included', () => {
    // As of 01-05: consistency 0.81, current 0.28 + 0.081 = 0.361; history is still the 3 days.
    assert.deepStrictEqual(predictionAsOf(state, '2026-01-05', config), {
      current: 0.361,
      prediction: 0.641,
      trend: 'improving',
      trend_per_day: 0.04,
      confidence: 0.3,
      intervention_needed: false,
    });
  });
});

describe('learning path as of a day (§5)', () => {
  it('nothing weak → challenge_exercises, advanced_topics', () => {
    const state = stateOf([
      completionEvent('2026-01-14T10:00:00Z', done(10)),
      quizEvent('2026-01-14T10:00:00Z', { total_questions: 10, correct_answers: 9 }),
      qualityEvent('2026-01-14T10:00:00Z', { avg_code_quality: 0.9, correctness: 0.9, efficiency: 0.9 }),
    ]);
    const path = learningPathAsOf(state, '2026-01-14', config);
    assert.deepStrictEqual(path?.path, ['challenge_exercises', 'advanced_topics']);
    assert.deepStrictEqual(path?.weak_components, []);
  });

  it('lists weak components weakest first with their rounded values, and weak topics weakest first', () => {
    const state = stateOf([
      completionEvent('2026-01-14T10:00:00Z', done(2), { topic: 'a' }),
      completionEvent('2026-01-14T10:00:00Z', done(6), { topic: 'b' }),
      quizEvent('2026-01-14T10:00:00Z', { total_questions: 10, correct_answers: 10 }, { topic: 'a' }),
      qualityEvent('2026-01-14T10:00:00Z', { avg_code_quality: 1, correctness: 1, efficiency: 1 }, { topic: 'b' }),
    ]);
    const path = learningPathAsOf(state, '2026-01-14', config);
    // overall: completion 0.4, quiz 1, quality 1, consistency 1
    assert.deepStrictEqual(path?.weak_components, [{ component: 'completion', value: 0.4 }]);
    assert.deepStrictEqual(path?.path, ['practice_basic', 'exercise_variety', 'timed_challenges']);
    // a: 0.08 + 0.3 + 0 + 0.1 = 0.48; b: 0.24 + 0 + 0.2 + 0.1 = 0.54
    assert.deepStrictEqual(path?.weak_topics, [
      { topic: 'a', mastery_score: 0.48, weak_components: ['quality', 'completion'] },
      { topic: 'b', mastery_score: 0.54, weak_components: ['quiz', 'completion'] },
    ]);
  });

  it('weak topics are those below the threshold, weakest first, ties by name, none not yet begun', () => {
    // Each topic is active on 01-14 (consistency 1, 0.1 of the score) unless said otherwise.
    const state = stateOf([
      // a: 0.4 × 1 + 0.2 × 1 + 0.1 = 0.7, exactly the threshold: not weak.
      completionEvent('2026-01-14T10:00:00Z', done(10), { topic: 'a' }),
      qualityEvent('2026-01-14T10:00:00Z', { avg_code_quality: 1, correctness: 1, efficiency: 1 }, { topic: 'a' }),
      // b and d: 0.4 × 0.5 + 0.1 = 0.3 each, a tie broken by name.
      completionEvent('2026-01-14T10:00:00Z', done(5), { topic: 'd' }),
      completionEvent('2026-01-14T10:00:00Z', done(5), { topic: 'b' }),
      // c: 0.4 × 0.2 + 0.1 = 0.18, the weakest although not the first by name.
      completionEvent('2026-01-14T10:00:00Z', done(2), { topic: 'c' }),
      // e: 0.4 + 0.3 + 0.2 + 0.1 = 1: strong.
      completionEvent('2026-01-14T10:00:00Z', done(10), { topic: 'e' }),
      quizEvent('2026-01-14T10:00:00Z', { total_questions: 10, correct_answers: 10 }, { topic: 'e' }),
      qualityEvent('2026-01-14T10:00:00Z', { avg_code_quality: 1, correctness: 1, efficiency: 1 }, { topic: 'e' }),
      // f: its only event is on 01-15, after the as-of day: not a topic of the student yet.
      completionEvent('2026-01-15T10:00:00Z', done(1), { topic: 'f' }),
    ]);
    // b, c, d: quiz and quality 0, then completion, weakest first (§5).
    const weak = ['quiz', 'quality', 'completion'];
    assert.deepStrictEqual(learningPathAsOf(state, '2026-01-14', config)?.weak_topics, [
      { topic: 'c', mastery_score: 0.18, weak_components: weak },
      { topic: 'b', mastery_score: 0.3, weak_components: weak },
      { topic: 'd', mastery_score: 0.3, weak_components: weak },
    ]);
  });

  it("a topic's own path lists that topic alone among the weak topics, when it is weak", () => {
    const state = stateOf([
      completionEvent('2026-01-14T10:00:00Z', done(2), { topic: 'a' }),
      completionEvent('2026-01-14T10:00:00Z', done(10), { topic: 'b' }),
      completionEvent('2026-01-14T10:00:00Z', done(10), { topic: 'c' }),
      qualityEvent('2026-01-14T10:00:00Z', { avg_code_quality: 1, correctness: 1, efficiency: 1 }, { topic: 'c' }),
    ]);
    // a: 0.08 + 0.1 = 0.18 and b: 0.4 + 0.1 = 0.5, both weak; c: 0.4 + 0.2 + 0.1 = 0.7.
    assert.deepStrictEqual(learningPathAsOf(state, '2026-01-14', config, 'a')?.weak_topics, [
      { topic: 'a', mastery_score: 0.18, weak_components: ['quiz', 'quality', 'completion'] },
    ]);
    assert.deepStrictEqual(learningPathAsOf(state, '2026-01-14', config, 'b')?.weak_topics, [
      { topic: 'b', mastery_score: 0.5, weak_components: ['quiz', 'quality'] },
    ]);
    assert.deepStrictEqual(learningPathAsOf(state, '2026-01-14', config, 'c')?.weak_topics, []);
  });
});
