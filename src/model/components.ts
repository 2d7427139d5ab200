import { clamp } from './numbers.js';
import type { ModelConfig } from './model-config.js';
import type { CompletionInput, Difficulty, QualityInput, QuizInput } from './types.js';

const DIFFICULTY_MULTIPLIER: Record<Difficulty, number> = {
  beginner: 0.8,
  intermediate: 1.0,
  advanced: 1.2,
};

/** completion = clamp(completed_exercises / total_exercises × difficulty_multiplier) (§1.1). */
export function completionValue(input: CompletionInput): number {
  const multiplier = DIFFICULTY_MULTIPLIER[input.difficulty ?? 'intermediate'];
  return clamp((input.completed_exercises / input.total_exercises) * multiplier);
}

/** quiz = clamp(correct_answers / total_questions × time_factor × attempt_factor) (§1.2). */
export function quizValue(input: QuizInput, config: Pick<ModelConfig, 'quizGuessSeconds' | 'quizAttemptPenalty'>): number {
  const timeFactor = input.avg_time_seconds === undefined ? 1 : clamp(input.avg_time_seconds / config.quizGuessSeconds, 0.5, 1.0);
  const attemptFactor = input.attempts === undefined ? 1 : Math.max(0.5, 1 - config.quizAttemptPenalty * (input.attempts - 1));
  return clamp((input.correct_answers / input.total_questions) * (timeFactor * attemptFactor));
}

/** quality = (avg_code_quality + correctness + efficiency) / 3 (§1.3). */
export function qualityValue(input: QualityInput): number {
  return clamp((input.avg_code_quality + input.correctness + input.efficiency) / 3);
}
