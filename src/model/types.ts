/** The four components of mastery, in the order of the model's tables (§3, §5). */
export const COMPONENTS = ['completion', 'quiz', 'quality', 'consistency'] as const;
export type Component = (typeof COMPONENTS)[number];

/** The components that carry reported inputs; consistency comes from active days. */
export const INPUT_COMPONENTS = ['completion', 'quiz', 'quality'] as const;
export type InputComponent = (typeof INPUT_COMPONENTS)[number];

export type ComponentValues = Record<Component, number>;

export const DIFFICULTIES = ['beginner', 'intermediate', 'advanced'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

export interface CompletionInput {
  total_exercises: number;
  completed_exercises: number;
  difficulty?: Difficulty;
}

export interface QuizInput {
  total_questions: number;
  correct_answers: number;
  avg_time_seconds?: number;
  attempts?: number;
}

export interface QualityInput {
  avg_code_quality: number;
  correctness: number;
  efficiency: number;
}

export interface InputOf {
  completion: CompletionInput;
  quiz: QuizInput;
  quality: QualityInput;
}

export const LEVELS = ['beginner', 'developing', 'competent', 'proficient', 'expert'] as const;
export type Level = (typeof LEVELS)[number];

export type Priority = 'high' | 'medium' | 'low';

export interface Recommendation {
  action: string;
  area: string;
  priority: Priority;
  /** The student's weakest topic for this component, when there is more than one to choose from. */
  topic?: string;
}

/** What the calculator returns: every number rounded half-up to 3 decimals. */
export interface MasteryResult {
  mastery_score: number;
  level: Level;
  components: ComponentValues;
  breakdown: ComponentValues;
  recommendations: Recommendation[];
}

export type Trend = 'improving' | 'declining' | 'stable';

export type Prediction =
  | { prediction: null; confidence: 0 }
  | {
      current: number;
      prediction: number;
      trend: Trend;
      trend_per_day: number;
      confidence: number;
      intervention_needed: boolean;
    };

/** The topic an event without one belongs to (mastery-model.md §6). */
export const DEFAULT_TOPIC = 'general';
