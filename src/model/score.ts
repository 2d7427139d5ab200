import { clamp, round3 } from './numbers.js';
import type { ModelConfig } from './model-config.js';
import { COMPONENTS, type ComponentValues, type Level, type MasteryResult } from './types.js';
import { recommendationsFor, type WeakestTopics } from './recommendations.js';

const LEVEL_FLOORS: ReadonlyArray<readonly [number, Level]> = [
  [0.9, 'expert'],
  [0.75, 'proficient'],
  [0.6, 'competent'],
  [0.4, 'developing'],
];

/** The level of a rounded mastery score (§2 table). */
export function levelOf(roundedScore: number): Level {
  for (const [floor, level] of LEVEL_FLOORS) if (roundedScore >= floor) return level;
  return 'beginner';
}

function mapComponents(f: (k: (typeof COMPONENTS)[number]) => number): ComponentValues {
  return { completion: f('completion'), quiz: f('quiz'), quality: f('quality'), consistency: f('consistency') };
}

/** Each component clamped to [0, 1] and rounded half-up to 3 decimals (§2). */
export function roundedComponents(rawComponents: ComponentValues): ComponentValues {
  return mapComponents((k) => round3(clamp(rawComponents[k])));
}

/**
 * mastery_score = round3(Σ component[k] × weight[k]); breakdown[k] = round3(component[k] ×
 * weight[k]); level and recommendations from the rounded values (§2, §3).
 */
export function masteryResult(rawComponents: ComponentValues, config: ModelConfig, weakestTopics: WeakestTopics = {}): MasteryResult {
  const raw = mapComponents((k) => clamp(rawComponents[k]));
  let sum = 0;
  for (const k of COMPONENTS) sum += raw[k] * config.weights[k];
  const score = round3(clamp(sum));
  const components = roundedComponents(raw);
  return {
    mastery_score: score,
    level: levelOf(score),
    components,
    breakdown: mapComponents((k) => round3(raw[k] * config.weights[k])),
    recommendations: recommendationsFor(components, config.recommendationThreshold, weakestTopics),
  };
}
