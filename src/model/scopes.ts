import { completionValue, qualityValue, quizValue } from './components.js';
import { consistencyAsOf } from './consistency.js';
import type { Day } from './days.js';
import type { ModelConfig } from './model-config.js';
import { mean } from './numbers.js';
import type { WeakestTopics } from './recommendations.js';
import { isLater, type AnswerTally, type DailyInputs, type Stamped, type StudentState, type TopicState } from './student-state.js';
import { INPUT_COMPONENTS, type Component, type ComponentValues, type InputComponent, type QuizInput } from './types.js';

/**
 * What a result is computed from, as of the end of a day (§6): the raw component values, and
 * the topics recommendations name. This file is the plain reading of the model; a history of
 * many days is computed by fast/scope-cursors.ts, which gives the same values to the last bit.
 */
export interface Scope {
  components: ComponentValues;
  weakestTopics: WeakestTopics;
}

/** Each topic's probability of being known (learner-model §4): who recommendations name. */
export type KnownTopics = ReadonlyMap<string, number>;

/** The report that stood at the end of `asOf`: that of the latest reported day on or before it. */
function standing<T>(daily: DailyInputs<T> | undefined, asOf: Day): T | undefined {
  let latest: Day | undefined;
  for (const day of Object.keys(daily ?? {})) if (day <= asOf && (latest === undefined || day > latest)) latest = day;
  return latest === undefined ? undefined : daily![latest]!.input;
}

/** The quiz report a day's first-attempt answers form (learner-model §1): n answers, k correct. */
export function answersAsQuiz(tally: AnswerTally): Stamped<QuizInput> {
  const input: QuizInput = { total_questions: tally.total, correct_answers: tally.correct };
  // A mean time only when every answer carries one: a partial mean would misjudge guessing.
  if (tally.timed === tally.total) input.avg_time_seconds = tally.seconds / tally.total;
  return { at: tally.last.at, event_id: tally.last.event_id, input };
}

/**
 * A topic's daily quiz inputs with its answers taken in: on a day with both, the later of the
 * day's quiz report and its last answer stands, as between two quiz reports.
 */
function quizInputs(topic: TopicState): DailyInputs<QuizInput> | undefined {
  if (topic.answers === undefined) return topic.inputs.quiz;
  const daily: Record<Day, Stamped<QuizInput>> = { ...topic.inputs.quiz };
  for (const [day, tally] of Object.entries(topic.answers)) {
    const fromAnswers = answersAsQuiz(tally);
    const reported = daily[day];
    if (reported === undefined || isLater(fromAnswers, reported)) daily[day] = fromAnswers;
  }
  return daily;
}

/** A topic's input components as of the end of `asOf` (§1): absent where none was reported yet. */
function inputValues(topic: TopicState, asOf: Day, config: ModelConfig): Partial<Record<InputComponent, number>> {
  const completion = standing(topic.inputs.completion, asOf);
  const quiz = standing(quizInputs(topic), asOf);
  const quality = standing(topic.inputs.quality, asOf);
  return {
    ...(completion && { completion: completionValue(completion) }),
    ...(quiz && { quiz: quizValue(quiz, config) }),
    ...(quality && { quality: qualityValue(quality) }),
  };
}

/** Whether b is weaker than a: lower p_known where known, then the lower value, then the name. */
export function weaker(b: { topic: string; value: number }, a: { topic: string; value: number }, known?: KnownTopics): boolean {
  const kb = known?.get(b.topic);
  const ka = known?.get(a.topic);
  if (kb !== undefined && ka !== undefined && kb !== ka) return kb < ka;
  return b.value < a.value || (b.value === a.value && b.topic < a.topic);
}

/** One topic's scope: components never reported count 0; consistency from its own days. */
function topicScope(topic: TopicState, asOf: Day, config: ModelConfig): Scope {
  const values = inputValues(topic, asOf, config);
  return {
    components: {
      completion: values.completion ?? 0,
      quiz: values.quiz ?? 0,
      quality: values.quality ?? 0,
      consistency: consistencyAsOf(topic.days, asOf),
    },
    weakestTopics: {},
  };
}

/**
 * The roll-up over topics (§6): each input component is the mean over the topics that have it
 * reported; consistency comes from all of the student's active days. Where two or more topics
 * have a component, the weakest of them is named for its recommendation (§3): the least known
 * by the learner model when `known` is given, else the one with the lowest value. Topics are
 * taken in name order, so the mean sums in one order whatever order a store or a fold
 * inserted them in, and every store gives the same value to the last bit.
 */
function overallScope(state: StudentState, asOf: Day, config: ModelConfig, known?: KnownTopics): Scope {
  const reported: Record<Component, Array<{ topic: string; value: number }>> = { completion: [], quiz: [], quality: [], consistency: [] };
  for (const name of [...state.topics.keys()].sort()) {
    const topic = state.topics.get(name)!;
    const values = inputValues(topic, asOf, config);
    for (const k of INPUT_COMPONENTS) if (values[k] !== undefined) reported[k].push({ topic: name, value: values[k] });
    if (topic.days[0] !== undefined && topic.days[0] <= asOf) reported.consistency.push({ topic: name, value: consistencyAsOf(topic.days, asOf) });
  }
  const weakestTopics: WeakestTopics = {};
  for (const [k, list] of Object.entries(reported) as Array<[Component, (typeof reported)[Component]]>) {
    if (list.length >= 2) weakestTopics[k] = list.reduce((a, b) => (weaker(b, a, known) ? b : a)).topic;
  }
  const meanOf = (k: InputComponent) => (reported[k].length ? mean(reported[k].map((r) => r.value)) : 0);
  return {
    components: { completion: meanOf('completion'), quiz: meanOf('quiz'), quality: meanOf('quality'), consistency: consistencyAsOf(state.days, asOf) },
    weakestTopics,
  };
}

/**
 * The scope as of the end of `asOf`, for the whole student or one topic; undefined for a topic
 * the student has no event in. `known` (each topic's p_known) picks the topics recommendations
 * name.
 */
export function scopeAsOf(state: StudentState, asOf: Day, config: ModelConfig, topic?: string, known?: KnownTopics): Scope | undefined {
  if (topic === undefined) return overallScope(state, asOf, config, known);
  const t = state.topics.get(topic);
  return t && topicScope(t, asOf, config);
}
