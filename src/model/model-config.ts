import type { ComponentValues } from './types.js';

/** The tunable numbers of the model; defaults are those of mastery-model.md. */
export interface ModelConfig {
  weights: ComponentValues;
  /** Answers faster than this on average count as partly guessed (§1.2). */
  quizGuessSeconds: number;
  /** Confidence lost per extra quiz attempt (§1.2). */
  quizAttemptPenalty: number;
  /** Components whose rounded value is below this are weak (§3, §5). */
  recommendationThreshold: number;
}

export const DEFAULT_WEIGHTS: ComponentValues = Object.freeze({
  completion: 0.4,
  quiz: 0.3,
  quality: 0.2,
  consistency: 0.1,
});

export const DEFAULT_MODEL_CONFIG: ModelConfig = Object.freeze({
  weights: DEFAULT_WEIGHTS,
  quizGuessSeconds: 10,
  quizAttemptPenalty: 0.15,
  recommendationThreshold: 0.7,
});

/** The reason weights are unusable, or null when they are fine (each in [0, 1], sum 1 ± 1e-9). */
export function weightsProblem(weights: ComponentValues): string | null {
  const values = Object.values(weights);
  if (values.some((w) => !Number.isFinite(w) || w < 0 || w > 1)) {
    return 'every weight must be a number between 0 and 1';
  }
  const sum = values.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-9) return `the weights must sum to 1, not ${sum}`;
  return null;
}
