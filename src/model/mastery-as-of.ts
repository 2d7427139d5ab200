import type { Day } from './days.js';
import { componentsOver, scopesOver } from './fast/scope-cursors.js';
import { learningPath, weakestFirst } from './learning-path.js';
import type { ModelConfig } from './model-config.js';
import { predict, type HistoryPoint } from './prediction.js';
import { masteryResult, roundedComponents } from './score.js';
import type { KnownTopics } from './scopes.js';
import type { StudentState } from './student-state.js';
import type { Component, ComponentValues, MasteryResult, Prediction } from './types.js';

/** The student's topics, in name order. */
export function topicNames(state: StudentState): string[] {
  return [...state.topics.keys()].sort();
}

/** The days with events in scope (the whole student, or one topic), ascending. */
export function activeDays(state: StudentState, topic?: string): readonly Day[] {
  return topic === undefined ? state.days : (state.topics.get(topic)?.days ?? []);
}

/**
 * Mastery as of the end of `asOf`, overall or for one topic; undefined for a topic the student
 * has no event in. `known` (each topic's p_known) picks the topics recommendations name.
 */
export function masteryAsOf(state: StudentState, asOf: Day, config: ModelConfig, topic?: string, known?: KnownTopics): MasteryResult | undefined {
  const scope = scopesOver(state, [asOf], config, topic, known)?.[0];
  return scope && masteryResult(scope.components, config, scope.weakestTopics);
}

export interface DailyResult {
  date: Day;
  result: MasteryResult;
}

/** One result per day with events in scope, within [from, to], oldest first (§4, §6). */
export function dailyHistory(state: StudentState, config: ModelConfig, range: { from?: Day; to: Day }, topic?: string): DailyResult[] {
  const days = daysIn(state, range, topic);
  const scopes = scopesOver(state, days, config, topic) ?? [];
  return days.map((date, i) => ({ date, result: masteryResult(scopes[i]!.components, config, scopes[i]!.weakestTopics) }));
}

/** The rounded component values of each active day within [from, to]: a history without results. */
export function dailyComponents(state: StudentState, config: ModelConfig, range: { from?: Day; to: Day }): Array<{ date: Day; components: ComponentValues }> {
  const days = daysIn(state, range);
  const components = componentsOver(state, days, config);
  return days.map((date, i) => ({ date, components: roundedComponents(components[i]!) }));
}

function daysIn(state: StudentState, range: { from?: Day; to: Day }, topic?: string): Day[] {
  return activeDays(state, topic).filter((d) => d <= range.to && (range.from === undefined || d >= range.from));
}

/** The 7-day prediction as of `asOf` (§4); undefined for an unknown topic. */
export function predictionAsOf(state: StudentState, asOf: Day, config: ModelConfig, topic?: string): Prediction | undefined {
  const current = masteryAsOf(state, asOf, config, topic);
  if (current === undefined) return undefined;
  const history: HistoryPoint[] = dailyHistory(state, config, { to: asOf }, topic).map((d) => ({
    day: d.date,
    score: d.result.mastery_score,
  }));
  return predict(history, current.mastery_score);
}

export interface LearningPathResult {
  path: string[];
  weak_components: Array<{ component: Component; value: number }>;
  weak_topics: Array<{ topic: string; mastery_score: number; weak_components: Component[] }>;
}

/**
 * The adaptive path as of `asOf` (§5), with the weak components behind it and the weak topics:
 * those whose own score is below the recommendation threshold, weakest first.
 */
export function learningPathAsOf(state: StudentState, asOf: Day, config: ModelConfig, topic?: string): LearningPathResult | undefined {
  const result = masteryAsOf(state, asOf, config, topic);
  if (result === undefined) return undefined;
  const threshold = config.recommendationThreshold;
  const weakTopics = (topic === undefined ? topicNames(state) : [topic])
    .filter((name) => (state.topics.get(name)!.days[0] ?? asOf) <= asOf)
    .map((name) => ({ name, result: masteryAsOf(state, asOf, config, name)! }))
    .filter((t) => t.result.mastery_score < threshold)
    .sort((a, b) => a.result.mastery_score - b.result.mastery_score || (a.name < b.name ? -1 : 1))
    .map((t) => ({
      topic: t.name,
      mastery_score: t.result.mastery_score,
      weak_components: weakestFirst(t.result.components, threshold),
    }));
  return {
    path: learningPath(result.components, threshold),
    weak_components: weakestFirst(result.components, threshold).map((component) => ({
      component,
      value: result.components[component],
    })),
    weak_topics: weakTopics,
  };
}
