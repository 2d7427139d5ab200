/**
 * The 7-day forecast (learner-model §4) against a reference written the slow, obvious way: every
 * pattern of days ahead appended to the student's days, the seed's own consistency (§1.4) read
 * on day 7, the outcomes listed with their probabilities and the quantiles read off the list.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../../testing/property.js';
import { consistencyAsOf } from '../consistency.js';
import { addDays, dayFromNumber, dayNumber, type Day } from '../days.js';
import { DEFAULT_MODEL_CONFIG } from '../model-config.js';
import { clamp, round3 } from '../numbers.js';
import type { ComponentValues } from '../types.js';
import { activeOn, stateOf } from '../../testing/event-builders.js';
import { scopeAsOf } from '../scopes.js';
import { activityRate, forecastAsOf, forecastFrom } from './forecast.js';
import { DEFAULT_LEARNER_PARAMS, type LearnerParams } from './learner-params.js';

const config = DEFAULT_MODEL_CONFIG;
const params = DEFAULT_LEARNER_PARAMS;

function reference(components: ComponentValues, days: readonly Day[], asOf: Day, params: LearnerParams = DEFAULT_LEARNER_PARAMS) {
  const past = days.filter((d) => d <= asOf);
  const r = activityRate(params, past.map(dayNumber), dayNumber(asOf));
  const w = config.weights;
  const others = clamp(components.completion) * w.completion + clamp(components.quiz) * w.quiz + clamp(components.quality) * w.quality;
  const outcomes: Array<{ score: number; p: number }> = [];
  for (let pattern = 0; pattern < 128; pattern++) {
    const ahead = [1, 2, 3, 4, 5, 6, 7].filter((i) => pattern & (1 << (i - 1))).map((i) => addDays(asOf, i));
    const consistency = consistencyAsOf([...past, ...ahead], addDays(asOf, 7));
    outcomes.push({ score: round3(clamp(others + consistency * w.consistency)), p: r ** ahead.length * (1 - r) ** (7 - ahead.length) });
  }
  outcomes.sort((a, b) => a.score - b.score);
  const quantile = (q: number) => {
    let sum = 0;
    for (const o of outcomes) if ((sum += o.p) >= q - 1e-12) return o.score;
    return outcomes.at(-1)!.score;
  };
  return { score_in_7_days: quantile(0.5), low: quantile(0.1), high: quantile(0.9) };
}

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const components = fc.record({ completion: unit, quiz: unit, quality: unit, consistency: unit });
/** A set of active days within 80 days before an as-of day (some after it, which must be ignored). */
const history = fc
  .tuple(fc.uniqueArray(fc.integer({ min: -80, max: 3 }), { maxLength: 40 }), fc.integer({ min: 20_000, max: 21_000 }))
  .map(([offsets, base]) => ({
    asOf: dayFromNumber(base),
    days: offsets.sort((a, b) => a - b).map((o) => dayFromNumber(base + o)),
  }));

describe('the activity rate', () => {
  it('is (active days in the 56 days ending on the as-of day + 0.5) / (56 + 0.5 + 3)', () => {
    const asOf = 20_000;
    assert.equal(activityRate(params, [], asOf), 0.5 / 59.5);
    // asOf − 56 is just outside the window, asOf + 1 after it: two of the four days count.
    assert.equal(activityRate(params, [asOf - 56, asOf - 55, asOf, asOf + 1], asOf), 2.5 / 59.5);
    const custom: LearnerParams = { ...params, forecast: { activityPrior: { alpha: 2, beta: 5 }, activityWindowDays: 10 } };
    assert.equal(activityRate(custom, [asOf - 10, asOf - 9, asOf - 1, asOf], asOf), (3 + 2) / (10 + 2 + 5));
  });
});

describe('the 7-day forecast', () => {
  it('equals the pattern-by-pattern reference for any inputs and history', () => {
    fc.assert(
      fc.property(components, history, (c, { asOf, days }) => {
        const f = forecastFrom(c, days, asOf, config, params);
        assert.deepEqual({ score_in_7_days: f.score_in_7_days, low: f.low, high: f.high }, reference(c, days, asOf));
        assert.ok(f.low <= f.score_in_7_days && f.score_in_7_days <= f.high);
        assert.equal(f.needs_help, f.score_in_7_days < 0.5 || f.high < 0.6);
      }),
      { numRuns: 300 },
    );
  });

  it('a student active every day of the last eight weeks keeps the streak: the median is the full week ahead', () => {
    const asOf = '2026-03-01';
    const days = Array.from({ length: 56 }, (_, i) => addDays(asOf, i - 55));
    const c = { completion: 0.8, quiz: 0.9, quality: 0.85, consistency: 1 };
    const f = forecastFrom(c, days, asOf, config, params);
    // (56.5 / 59.5)^7 ≈ 0.70 of a week with every day active: the consistency stays 1.
    assert.equal(f.score_in_7_days, round3(0.8 * 0.4 + 0.9 * 0.3 + 0.85 * 0.2 + 0.1));
    assert.equal(f.high, f.score_in_7_days);
    assert.equal(f.needs_help, false);
  });

  it('with every pattern equally likely (r = ½), the median is the outcome whose cumulative weight reaches ½ exactly', () => {
    // α = β = 1 over a 2-day window with one active day: r = (1 + 1) / (2 + 2) = ½, each pattern 1/128.
    const even: LearnerParams = { ...params, forecast: { activityPrior: { alpha: 1, beta: 1 }, activityWindowDays: 2 } };
    const c = { completion: 0.5, quiz: 0.5, quality: 0.5, consistency: 0 };
    const days = ['2026-02-27', '2026-03-01'];
    const f = forecastFrom(c, days, '2026-03-01', config, even);
    assert.deepEqual({ score_in_7_days: f.score_in_7_days, low: f.low, high: f.high }, reference(c, days, '2026-03-01', even));
    assert.equal(f.method, 'activity-paths');
  });

  it('needs help when the median is below 0.5 or the best case (high) below 0.6, not at them', () => {
    const asOf = '2026-03-01';
    // One active day, today: a week without practice (probability 0.84) leaves 0.9^7 = 0.478 of the
    // consistency, the 90th percentile 0.9^4 = 0.656 (one active day, 3 days before the end).
    const heavy = { ...config, weights: { completion: 1, quiz: 0, quality: 0, consistency: 1 } };
    const below = forecastFrom({ completion: 0, quiz: 0, quality: 0, consistency: 1 }, [asOf], asOf, heavy, params);
    assert.deepEqual([below.score_in_7_days, below.high, below.needs_help], [0.478, 0.656, true], 'median below 0.5 alone');
    const atHalf = forecastFrom({ completion: 0.022, quiz: 0, quality: 0, consistency: 1 }, [asOf], asOf, heavy, params);
    assert.deepEqual([atHalf.score_in_7_days, atHalf.high, atHalf.needs_help], [0.5, 0.678, false], 'a median of 0.5 is not below it');
    // Default weights: 0.4 + 0.448 × 0.3 = 0.5344 from the other inputs; high = 0.5344 + 0.0656 = 0.6.
    const atHigh = forecastFrom({ completion: 1, quiz: 0.448, quality: 0, consistency: 1 }, [asOf], asOf, config, params);
    assert.deepEqual([atHigh.score_in_7_days, atHigh.high, atHigh.needs_help], [0.582, 0.6, false], 'a high of 0.6 is not below it');
  });

  it('a student with no active day stays at 0 consistency unless a day ahead is active, and is flagged', () => {
    const f = forecastFrom({ completion: 0.3, quiz: 0.3, quality: 0.3, consistency: 0 }, [], '2026-03-01', config, params);
    assert.equal(f.low, round3(0.3 * 0.9));
    assert.equal(f.needs_help, true);
    assert.equal(f.model_version, params.version);
  });

  it("forecastAsOf: from the scope's components and days as of the day; undefined for a topic never seen", () => {
    const state = stateOf([...activeOn(['2026-02-20', '2026-02-28'], { topic: 'A' }), ...activeOn(['2026-03-01'], { topic: 'B' })]);
    for (const topic of [undefined, 'A', 'B']) {
      const scope = scopeAsOf(state, '2026-03-01', config, topic)!;
      const days = topic === undefined ? state.days : state.topics.get(topic)!.days;
      assert.deepEqual(forecastAsOf(state, '2026-03-01', config, params, topic), forecastFrom(scope.components, days, '2026-03-01', config, params));
    }
    assert.notDeepEqual(forecastAsOf(state, '2026-03-01', config, params, 'A'), forecastAsOf(state, '2026-03-01', config, params, 'B'));
    assert.equal(forecastAsOf(state, '2026-03-01', config, params, 'never'), undefined);
  });
});
