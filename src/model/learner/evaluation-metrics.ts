/*
 * The held-out metrics of an evaluation (learner-model §5): each takes predicted probabilities
 * and the outcomes that followed (1 right, 0 wrong), in the same order.
 */

/** Area under the ROC curve: the chance a right answer was given a higher probability than a wrong one (ties count half). */
export function auc(predicted: readonly number[], outcomes: readonly number[]): number {
  const order = predicted.map((_, i) => i).sort((a, b) => predicted[a]! - predicted[b]!);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && predicted[order[j + 1]!] === predicted[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (outcomes[order[k]!] === 1) {
        rankSum += rank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = outcomes.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Root mean squared error of the probabilities. */
export function rmse(predicted: readonly number[], outcomes: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < predicted.length; i++) sum += (predicted[i]! - outcomes[i]!) ** 2;
  return Math.sqrt(sum / predicted.length);
}

/** Mean negative log-likelihood, each probability held to [1e-6, 1 − 1e-6] so a confident miss is finite. */
export function logLoss(predicted: readonly number[], outcomes: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < predicted.length; i++) {
    const p = Math.min(1 - 1e-6, Math.max(1e-6, predicted[i]!));
    sum -= outcomes[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / predicted.length;
}

export interface CalibrationBin {
  /** The bin's probability range [from, to). */
  from: number;
  to: number;
  mean_predicted: number | null;
  observed: number | null;
  count: number;
}

/** Ten bins of predicted probability (the last one closed at 1): what was predicted and what happened. */
export function calibration(predicted: readonly number[], outcomes: readonly number[]): CalibrationBin[] {
  const bins = Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, sum: 0, right: 0, count: 0 }));
  predicted.forEach((p, i) => {
    const bin = bins[Math.min(9, Math.floor(p * 10))]!;
    bin.sum += p;
    bin.right += outcomes[i]!;
    bin.count++;
  });
  return bins.map((b) => ({
    from: b.from,
    to: b.to,
    mean_predicted: b.count === 0 ? null : b.sum / b.count,
    observed: b.count === 0 ? null : b.right / b.count,
    count: b.count,
  }));
}

export interface Scores {
  auc: number;
  rmse: number;
  log_loss: number;
  answers: number;
}

export function scores(predicted: readonly number[], outcomes: readonly number[]): Scores {
  return { auc: auc(predicted, outcomes), rmse: rmse(predicted, outcomes), log_loss: logLoss(predicted, outcomes), answers: predicted.length };
}
