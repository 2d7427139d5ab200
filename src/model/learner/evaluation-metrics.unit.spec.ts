import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../../testing/property.js';
import { auc, calibration, logLoss, rmse, scores } from './evaluation-metrics.js';

const close = (actual: number, expected: number, what = '') => assert.ok(Math.abs(actual - expected) < 1e-12, `${what} ${actual} vs ${expected}`);

/** AUC the slow way: over every (right, wrong) pair, 1 when the right answer was given more, ½ on a tie. */
function pairwiseAuc(predicted: readonly number[], outcomes: readonly number[]): number {
  let wins = 0;
  let pairs = 0;
  predicted.forEach((p, i) => {
    if (outcomes[i] !== 1) return;
    predicted.forEach((q, j) => {
      if (outcomes[j] !== 0) return;
      pairs++;
      wins += p > q ? 1 : p === q ? 0.5 : 0;
    });
  });
  return pairs === 0 ? Number.NaN : wins / pairs;
}

describe('evaluation metrics', () => {
  it('AUC: the share of (right, wrong) pairs ordered right', () => {
    // Right answers at 0.35 and 0.8, wrong ones at 0.1 and 0.4: 0.35 beats only 0.1, 0.8 both: 3 of 4.
    assert.equal(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
    assert.equal(auc([0.9, 0.2], [1, 0]), 1);
    assert.equal(auc([0.2, 0.9], [1, 0]), 0);
  });

  it('AUC counts a tie half, wherever the tied run lies in the order', () => {
    // Right: 0.5, 0.5; wrong: 0.5, 0.2. Against 0.5 a half each, against 0.2 a whole each: 3 of 4.
    assert.equal(auc([0.5, 0.5, 0.5, 0.2], [1, 0, 1, 0]), 0.75);
    // A tied run in the middle: right 0.3 and 0.6; wrong 0.3, 0.1 and 0.9. 0.3: ½ + 1; 0.6: 1 + 1 → 3.5 of 6.
    assert.equal(auc([0.3, 0.3, 0.1, 0.6, 0.9], [1, 0, 0, 1, 0]), 3.5 / 6);
    assert.equal(auc([0.4, 0.4, 0.4], [1, 0, 1]), 0.5);
  });

  it('AUC equals the pairwise count for any predictions (ties common) and outcomes', () => {
    const sample = fc.array(fc.tuple(fc.constantFrom(0.1, 0.25, 0.5, 0.75, 0.9, 0.25), fc.constantFrom(0, 1)), { maxLength: 30 });
    fc.assert(
      fc.property(sample, (pairs) => {
        const predicted = pairs.map(([p]) => p);
        const outcomes = pairs.map(([, y]) => y);
        const expected = pairwiseAuc(predicted, outcomes);
        const actual = auc(predicted, outcomes);
        if (Number.isNaN(expected)) assert.ok(Number.isNaN(actual));
        else assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} vs ${expected}`);
      }),
      { numRuns: 300 },
    );
  });

  it('AUC is undefined (NaN) without both right and wrong answers', () => {
    assert.ok(Number.isNaN(auc([0.2, 0.7], [1, 1])));
    assert.ok(Number.isNaN(auc([0.2, 0.7], [0, 0])));
    assert.ok(Number.isNaN(auc([], [])));
  });

  it('RMSE: the root of the mean squared distance to the outcome', () => {
    // (0.2 − 0)² + (0.9 − 1)² = 0.04 + 0.01; / 2 = 0.025.
    close(rmse([0.2, 0.9], [0, 1]), Math.sqrt(0.025));
    assert.equal(rmse([1, 0], [1, 0]), 0);
    assert.equal(rmse([0, 1], [1, 0]), 1);
  });

  it('log loss: the mean of −ln p(outcome), a confident miss held finite at −ln 1e-6', () => {
    close(logLoss([0.8, 0.4], [1, 0]), -(Math.log(0.8) + Math.log(0.6)) / 2);
    close(logLoss([0], [1]), -Math.log(1e-6), 'p = 0, right:');
    close(logLoss([1], [0]), -Math.log(1 - (1 - 1e-6)), 'p = 1, wrong:');
    // A sure hit is held to 1 − 1e-6 too: a tiny loss, not 0.
    close(logLoss([1], [1]), -Math.log(1 - 1e-6), 'p = 1, right:');
    close(logLoss([0], [0]), -Math.log(1 - 1e-6), 'p = 0, wrong:');
  });

  it('calibration: ten bins of [i/10, (i+1)/10), the last closed at 1, with their mean prediction and observed rate', () => {
    const bins = calibration([0, 0.05, 0.1, 0.55, 0.95, 1], [0, 1, 1, 0, 1, 1]);
    assert.deepEqual(
      bins.map((b) => [b.from, b.to]),
      [
        [0, 0.1],
        [0.1, 0.2],
        [0.2, 0.3],
        [0.3, 0.4],
        [0.4, 0.5],
        [0.5, 0.6],
        [0.6, 0.7],
        [0.7, 0.8],
        [0.8, 0.9],
        [0.9, 1],
      ],
    );
    assert.deepEqual(
      bins.map((b) => b.count),
      [2, 1, 0, 0, 0, 1, 0, 0, 0, 2],
    );
    // Bin 0: 0 and 0.05 (one right); bin 1: 0.1 exactly (its lower bound); bin 9: 0.95 and 1 (both right).
    assert.deepEqual(bins[0], { from: 0, to: 0.1, mean_predicted: 0.025, observed: 0.5, count: 2 });
    assert.deepEqual(bins[1], { from: 0.1, to: 0.2, mean_predicted: 0.1, observed: 1, count: 1 });
    assert.deepEqual(bins[5], { from: 0.5, to: 0.6, mean_predicted: 0.55, observed: 0, count: 1 });
    assert.deepEqual(bins[9], { from: 0.9, to: 1, mean_predicted: 0.975, observed: 1, count: 2 });
    assert.deepEqual(bins[2], { from: 0.2, to: 0.3, mean_predicted: null, observed: null, count: 0 });
  });

  it('scores gathers AUC, RMSE, log loss and the count', () => {
    const predicted = [0.1, 0.4, 0.35, 0.8];
    const outcomes = [0, 0, 1, 1];
    assert.deepEqual(scores(predicted, outcomes), { auc: 0.75, rmse: rmse(predicted, outcomes), log_loss: logLoss(predicted, outcomes), answers: 4 });
  });
});
