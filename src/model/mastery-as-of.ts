import { completionValue, qualityValue, quizValue } from './components.js';
import { consistencyValue } from './consistency.js';
import type { Day } from './days.js';
import { learningPath, weakestFirst } from './learning-path.js';
import { mean } from './numbers.js';
import type { ModelConfig } from './model-config.js';
import { predict, type HistoryPoint } from './prediction.js';
import type { WeakestTopics } from './recommendations.js';
import { masteryResult } from './score.js';
import type { DailyInputs, StudentState, TopicState } from './student-state.js';
import {
  INPUT_COMPONENTS,
  type Component,
  type ComponentValues,
  type InputComponent,
  type MasteryResult,
  type Prediction,
} from './types.js';

/** The input that stood at the end of `asOf`: that of the latest reported day not after it. */
function inputAsOf<T>(daily: DailyInputs<T> | undefined, asOf: Day): T | undefined {
  if (daily === undefined) return undefined;
  let best: Day | undefined;
  for (const day in daily) if (day <= asOf && (best === undefined || day > best)) best = day;
  return best === undefined ? undefined : daily[best]!.input;
}

/** A topic's component values as of a day; undefined where the component was never reported. */
function topicInputValues(
  topic: TopicState,
  asOf: Day,
  config: ModelConfig,
): Record<InputComponent, number | undefined> {
  const completion = inputAsOf(topic.inputs.completion, asOf);
  const quiz = inputAsOf(topic.inputs.quiz, asOf);
  const quality = inputAsOf(topic.inputs.quality, asOf);
  return {
    completion: completion && completionValue(completion),
    quiz: quiz && quizValue(quiz, config),
    quality: quality && qualityValue(quality),
  };
}

interface Scope {
  components: ComponentValues;
  weakestTopics: WeakestTopics;
}

function topicScope(topic: TopicState, asOf: Day, config: ModelConfig): Scope {
  const values = topicInputValues(topic, asOf, config);
  return {
    components: {
      completion: values.completion ?? 0,
      quiz: values.quiz ?? 0,
      quality: values.quality ?? 0,
      consistency: consistencyValue(topic.days, asOf),
    },
    weakestTopics: {},
  };
}

/**
 * The roll-up over topics (§6): each input component is the mean over the topics that have it
 * reported; consistency comes from all of the student's active days. Where two or more topics
 * have a component, the weakest of them is named for its recommendation (§3).
 */
function overallScope(state: StudentState, asOf: Day, config: ModelConfig): Scope {
  const reported: Record<Component, Array<{ topic: string; value: number }>> = {
    completion: [],
    quiz: [],
    quality: [],
    consistency: [],
  };
  for (const [name, topic] of state.topics) {
    const values = topicInputValues(topic, asOf, config);
    for (const k of INPUT_COMPONENTS) {
      const value = values[k];
      if (value !== undefined) reported[k].push({ topic: name, value });
    }
    if (topic.days.length > 0 && topic.days[0]! <= asOf) {
      reported.consistency.push({ topic: name, value: consistencyValue(topic.days, asOf) });
    }
  }
  const weakestTopics: WeakestTopics = {};
  for (const k of Object.keys(reported) as Component[]) {
    const list = reported[k];
    if (list.length < 2) continue;
    const weakest = list.reduce((a, b) => (b.value < a.value || (b.value === a.value && b.topic < a.topic) ? b : a));
    weakestTopics[k] = weakest.topic;
  }
  const meanOf = (k: InputComponent) => (reported[k].length ? mean(reported[k].map((r) => r.value)) : 0);
  return {
    components: {
      completion: meanOf('completion'),
      quiz: meanOf('quiz'),
      quality: meanOf('quality'),
      consistency: consistencyValue(state.days, asOf),
    },
    weakestTopics,
  };
}

function scopeOf(state: StudentState, asOf: Day, config: ModelConfig, topic?: string): Scope | undefined {
  if (topic === undefined) return overallScope(state, asOf, config);
  const t = state.topics.get(topic);
  return t && topicScope(t, asOf, config);
}

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
 * has no event in.
 */
export function masteryAsOf(
  state: StudentState,
  asOf: Day,
  config: ModelConfig,
  topic?: string,
): MasteryResult | undefined {
  const scope = scopeOf(state, asOf, config, topic);
  return scope && masteryResult(scope.components, config, scope.weakestTopics);
}

export interface DailyResult {
  date: Day;
  result: MasteryResult;
}

/** One result per day with events in scope, within [from, to], oldest first (§4, §6). */
export function dailyHistory(
  state: StudentState,
  config: ModelConfig,
  range: { from?: Day; to: Day },
  topic?: string,
): DailyResult[] {
  const days = activeDays(state, topic).filter((d) => d <= range.to && (range.from === undefined || d >= range.from));
  return days.map((date) => ({ date, result: masteryAsOf(state, date, config, topic)! }));
}

/** The 7-day prediction as of `asOf` (§4); undefined for an unknown topic. */
export function predictionAsOf(
  state: StudentState,
  asOf: Day,
  config: ModelConfig,
  topic?: string,
): Prediction | undefined {
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
export function learningPathAsOf(
  state: StudentState,
  asOf: Day,
  config: ModelConfig,
  topic?: string,
): LearningPathResult | undefined {
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
