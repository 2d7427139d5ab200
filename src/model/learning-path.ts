import { weakComponents } from './recommendations.js';
import { COMPONENTS, type Component, type ComponentValues } from './types.js';

const STEPS: Record<Component, readonly string[]> = {
  completion: ['practice_basic', 'exercise_variety', 'timed_challenges'],
  quiz: ['concept_review', 'practice_quizzes', 'mock_tests'],
  quality: ['code_reviews', 'refactoring_practice', 'best_practices'],
  consistency: ['daily_goals', 'streak_reminders', 'study_schedule'],
};

const WHEN_NOTHING_IS_WEAK = ['challenge_exercises', 'advanced_topics'] as const;

/** Weak components (rounded value below the threshold), weakest first, ties in table order (§5). */
export function weakestFirst(rounded: ComponentValues, threshold: number): Component[] {
  return weakComponents(rounded, threshold).sort((a, b) => rounded[a] - rounded[b] || COMPONENTS.indexOf(a) - COMPONENTS.indexOf(b));
}

/** The adaptive path: the steps of each weak component, weakest first (§5). */
export function learningPath(rounded: ComponentValues, threshold: number): string[] {
  const weak = weakestFirst(rounded, threshold);
  if (weak.length === 0) return [...WHEN_NOTHING_IS_WEAK];
  return weak.flatMap((k) => STEPS[k]);
}
