import { COMPONENTS, type Component, type ComponentValues, type Recommendation } from './types.js';

const ACTIONS: Record<Component, Omit<Recommendation, 'topic'>> = {
  completion: { action: 'practice', area: 'completing exercises', priority: 'high' },
  quiz: { action: 'review', area: 'concepts', priority: 'medium' },
  quality: { action: 'refactor', area: 'code quality', priority: 'medium' },
  consistency: { action: 'schedule', area: 'daily practice', priority: 'low' },
};

/** For each component, the name of the student's weakest topic in it, where one is worth naming. */
export type WeakestTopics = Partial<Record<Component, string>>;

/** The components whose rounded value is below the threshold, in table order (§3). */
export function weakComponents(rounded: ComponentValues, threshold: number): Component[] {
  return COMPONENTS.filter((k) => rounded[k] < threshold);
}

/** One recommendation per weak component, in the order of the §3 table. */
export function recommendationsFor(rounded: ComponentValues, threshold: number, weakestTopics: WeakestTopics): Recommendation[] {
  return weakComponents(rounded, threshold).map((k) => {
    const topic = weakestTopics[k];
    return topic === undefined ? { ...ACTIONS[k] } : { ...ACTIONS[k], topic };
  });
}
