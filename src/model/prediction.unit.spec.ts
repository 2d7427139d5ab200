import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays } from './days.js';
import { predict, type HistoryPoint } from './prediction.js';

/** History on consecutive days from 2026-01-01 with the given scores. */
const daily = (scores: number[]): HistoryPoint[] => scores.map((score, i) => ({ day: addDays('2026-01-01', i), score }));

/** Narrows to the full prediction, failing the test on the "not enough history" answer. */
function full(p: ReturnType<typeof predict>) {
  if (p.prediction === null) assert.fail('expected a full prediction');
  return p;
}

describe('prediction, 7 days ahead (§4)', () => {
  it('fewer than 3 history points → exactly { prediction: null, confidence: 0 }', () => {
    assert.deepStrictEqual(predict([], 0.5), { prediction: null, confidence: 0 });
    assert.deepStrictEqual(predict(daily([0.4]), 0.5), { prediction: null, confidence: 0 });
    assert.deepStrictEqual(predict(daily([0.4, 0.6]), 0.6), { prediction: null, confidence: 0 });
  });

  it('with 3 points returns all six fields', () => {
    assert.deepStrictEqual(predict(daily([0.5, 0.5, 0.5]), 0.5), {
      current: 0.5,
      prediction: 0.5,
      trend: 'stable',
      trend_per_day: 0,
      confidence: 0.3,
      intervention_needed: false,
    });
  });

  it('fits against day numbers, not list positions (days 1, 2, 10 on a line of slope 0.01)', () => {
    // By positions the slope would be (0.59 − 0.5) / 2 = 0.045.
    const history = [
      { day: '2026-01-01', score: 0.5 },
      { day: '2026-01-02', score: 0.51 },
      { day: '2026-01-10', score: 0.59 },
    ];
    const p = full(predict(history, 0.59));
    assert.equal(p.trend_per_day, 0.01);
    assert.equal(p.prediction, 0.66);
  });

  it('is a least-squares fit, not a line through the end points', () => {
    // x = 0, 1, 9 (days since 01-01), y = 0.5, 0.7, 0.6: mean x 10/3, mean y 0.6,
    // Sxy = (−10/3)(−0.1) + (−7/3)(0.1) + 0 = 0.1, Sxx = (100 + 49 + 289) / 9 = 438/9,
    // slope = 0.9 / 438 = 0.0020548 → trend_per_day 0.002; prediction 0.6 + 7 × 0.0020548 = 0.614.
    // (End points: 0.1 / 9 = 0.011; positions: 0.05.)
    const history = [
      { day: '2026-01-01', score: 0.5 },
      { day: '2026-01-02', score: 0.7 },
      { day: '2026-01-10', score: 0.6 },
    ];
    const p = full(predict(history, 0.6));
    assert.equal(p.trend_per_day, 0.002);
    assert.equal(p.trend, 'improving');
    assert.equal(p.prediction, 0.614);
  });

  it('fits only the most recent 7 points, but confidence counts all of them', () => {
    // An old outlier (0.9) as the 1st of 8 points is left out of the fit: flat line, stable.
    const p = full(predict(daily([0.9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]), 0.5));
    assert.equal(p.trend_per_day, 0);
    assert.equal(p.trend, 'stable');
    assert.equal(p.prediction, 0.5);
    assert.equal(p.confidence, 0.8);
  });

  it('confidence = min(0.9, 0.1 × history points)', () => {
    const confidenceFor = (n: number) => full(predict(daily(Array<number>(n).fill(0.6)), 0.6)).confidence;
    assert.deepEqual([3, 4, 7, 8, 9, 12, 40].map(confidenceFor), [0.3, 0.4, 0.7, 0.8, 0.9, 0.9, 0.9]);
  });

  it('prediction = round3(clamp(current + 7 × slope)) from the CURRENT score, not the last history point', () => {
    const p = full(predict(daily([0.3, 0.32, 0.34]), 0.4));
    assert.equal(p.current, 0.4);
    assert.equal(p.trend_per_day, 0.02);
    assert.equal(p.prediction, 0.54);
  });

  it('clamps the prediction at 1 and at 0', () => {
    assert.equal(full(predict(daily([0.7, 0.8, 0.9]), 0.95)).prediction, 1);
    assert.equal(full(predict(daily([0.3, 0.2, 0.1]), 0.1)).prediction, 0);
  });

  describe('trend from the rounded trend_per_day, ±0.001 deadband', () => {
    const trendOf = (step: number) => full(predict(daily([0.5, 0.5 + step, 0.5 + 2 * step]), 0.5));

    it('slope 0.0015 rounds to 0.002 → improving; −0.0015 → −0.002 → declining', () => {
      assert.deepEqual([trendOf(0.0015).trend_per_day, trendOf(0.0015).trend], [0.002, 'improving']);
      assert.deepEqual([trendOf(-0.0015).trend_per_day, trendOf(-0.0015).trend], [-0.002, 'declining']);
    });

    it('slope 0.0012 rounds to 0.001, which is inside the deadband → stable (both signs)', () => {
      assert.deepEqual([trendOf(0.0012).trend_per_day, trendOf(0.0012).trend], [0.001, 'stable']);
      assert.deepEqual([trendOf(-0.0012).trend_per_day, trendOf(-0.0012).trend], [-0.001, 'stable']);
    });

    it('a flat history is stable with trend_per_day 0 (not −0)', () => {
      assert.ok(Object.is(trendOf(0).trend_per_day, 0));
      assert.ok(Object.is(trendOf(-0.0001).trend_per_day, 0));
    });
  });

  it('intervention is needed iff the rounded prediction is below 0.5', () => {
    assert.equal(full(predict(daily([0.5, 0.5, 0.5]), 0.5)).intervention_needed, false);
    assert.equal(full(predict(daily([0.5, 0.5, 0.5]), 0.499)).intervention_needed, true);
    // 0.4996 + 0 rounds to 0.5 → no intervention.
    assert.equal(full(predict(daily([0.5, 0.5, 0.5]), 0.4996)).intervention_needed, false);
  });
});
