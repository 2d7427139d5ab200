import { dayNumber, type Day } from '../days.js';
import { activeDays, learningPathAsOf, topicNames, type LearningPathResult } from '../mastery-as-of.js';
import type { ModelConfig } from '../model-config.js';
import { scopesOver } from '../fast/scope-cursors.js';
import type { KnownTopics } from '../scopes.js';
import { masteryResult } from '../score.js';
import type { StudentState } from '../student-state.js';
import type { MasteryResult, Recommendation } from '../types.js';
import { forecastFrom, type Forecast } from './forecast.js';
import { knowledgeAsOf, type TopicKnowledge } from './knowledge-as-of.js';
import type { KnowledgeTrace } from './knowledge-trace.js';
import type { LearnerParams } from './learner-params.js';

/*
 * How the learner model meets the seed's results: the topic a recommendation names is the
 * least known one, and a forecast that says the student needs help adds a recommendation after
 * the seed's (whose own list, numbers and order stay as mastery-model.md has them).
 */

/** The parameters in use and the student's stored trace (a memo; null or stale is replayed). */
export interface Learner {
  params: LearnerParams;
  trace?: KnowledgeTrace | null;
}

const DAY_MS = 86_400_000;

/** The first instant after a day: "as of D" covers everything strictly before it. */
export function endOfDayMs(day: Day): number {
  return (dayNumber(day) + 1) * DAY_MS;
}

/** The knowledge of each of the student's topics as of the end of a day. */
export function knowledgeOfTopics(state: StudentState, asOf: Day, learner: Learner): TopicKnowledge[] {
  const topics = topicNames(state).filter((name) => (state.topics.get(name)!.days[0] ?? asOf) <= asOf);
  return knowledgeAsOf(learner.params, state, learner.trace, endOfDayMs(asOf), topics);
}

/** The least known topic (ties: by name); null without topics. */
export function leastKnown(knowledge: readonly TopicKnowledge[]): TopicKnowledge | null {
  let least: TopicKnowledge | null = null;
  for (const k of knowledge) {
    if (least === null || k.p_known < least.p_known || (k.p_known === least.p_known && k.topic < least.topic)) least = k;
  }
  return least;
}

/** The recommendation a forecast that says "needs help" adds. */
export const NEEDS_HELP_RECOMMENDATION: Readonly<Recommendation> = Object.freeze({ action: 'support', area: 'forecast: needs help', priority: 'high' });

export interface LearnerResult extends MasteryResult {
  forecast: Forecast;
}

/**
 * The student's result as of a day with the learner model taken in (overall, or for one
 * topic): the seed's result, recommendations naming the least known topics, the forecast, and
 * the forecast's recommendation when it says the student needs help. Undefined for a topic the
 * student has no event in.
 */
export function learnerResultAsOf(state: StudentState, asOf: Day, config: ModelConfig, learner: Learner, topic?: string): LearnerResult | undefined {
  const knowledge = topic === undefined ? knowledgeOfTopics(state, asOf, learner) : [];
  const known: KnownTopics = new Map(knowledge.map((k) => [k.topic, k.p_known]));
  const scope = scopesOver(state, [asOf], config, topic, known)?.[0];
  if (scope === undefined) return undefined;
  const forecast = forecastFrom(scope.components, activeDays(state, topic), asOf, config, learner.params);
  const result = masteryResult(scope.components, config, scope.weakestTopics);
  if (!forecast.needs_help) return { ...result, forecast };
  const least = knowledge.length >= 2 ? leastKnown(knowledge) : null;
  const help: Recommendation = least === null ? { ...NEEDS_HELP_RECOMMENDATION } : { ...NEEDS_HELP_RECOMMENDATION, topic: least.topic };
  return { ...result, recommendations: [...result.recommendations, help], forecast };
}

export interface LearnerPath extends Omit<LearningPathResult, 'weak_topics'> {
  weak_topics: Array<LearningPathResult['weak_topics'][number] & { p_known: number }>;
  /** The topic to work on first: the least known (overall scope, two topics or more, as recommendations name them). */
  focus_topic: { topic: string; p_known: number } | null;
}

/** The seed's learning path as of a day, with each weak topic's p_known and the least known topic named. */
export function learnerPathAsOf(state: StudentState, asOf: Day, config: ModelConfig, learner: Learner, topic?: string): LearnerPath | undefined {
  const path = learningPathAsOf(state, asOf, config, topic);
  if (path === undefined) return undefined;
  const knowledge = knowledgeOfTopics(state, asOf, learner);
  const known = new Map(knowledge.map((k) => [k.topic, k.p_known]));
  const least = topic === undefined && knowledge.length >= 2 ? leastKnown(knowledge) : null;
  return {
    ...path,
    weak_topics: path.weak_topics.map((t) => ({ ...t, p_known: known.get(t.topic)! })),
    focus_topic: least && { topic: least.topic, p_known: least.p_known },
  };
}
