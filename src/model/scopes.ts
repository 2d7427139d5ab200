import { completionValue, qualityValue, quizValue } from './components.js';
import { streakCursor, type StreakCursor } from './consistency.js';
import { dayNumber, type Day } from './days.js';
import type { ModelConfig } from './model-config.js';
import { mean } from './numbers.js';
import type { WeakestTopics } from './recommendations.js';
import { isLater, type AnswerTally, type DailyInputs, type Stamped, type StudentState, type TopicState } from './student-state.js';
import { INPUT_COMPONENTS, type Component, type ComponentValues, type InputComponent, type InputOf, type QuizInput } from './types.js';

/** What a result is computed from: raw component values, and whom recommendations name. */
export interface Scope {
  components: ComponentValues;
  weakestTopics: WeakestTopics;
}

/** The value of the input that stood at the end of ascending as-of days (§6: the latest day's). */
type InputCursor = (asOf: Day) => number | undefined;

/**
 * Days ascending, sorted in place. A topic has a handful of reported days per component, and
 * `Array#sort` copies its input before sorting, and this runs for each topic and component of
 * every write.
 */
function ascending(days: Day[]): Day[] {
  if (days.length > 32) return days.sort();
  for (let i = 1; i < days.length; i++) {
    const day = days[i]!;
    let j = i - 1;
    for (; j >= 0 && days[j]! > day; j--) days[j + 1] = days[j]!;
    days[j + 1] = day;
  }
  return days;
}

function inputCursor<T>(daily: DailyInputs<T> | undefined, value: (input: T) => number): InputCursor {
  if (daily === undefined) return () => undefined;
  const days = ascending(Object.keys(daily));
  let i = -1;
  let current: number | undefined;
  return (asOf) => {
    const before = i;
    while (i + 1 < days.length && days[i + 1]! <= asOf) i++;
    // Computed once per reported day, however many as-of days it stands for.
    if (i !== before) current = value(daily[days[i]!]!.input);
    return current;
  };
}

/** The quiz report a day's first-attempt answers form (learner-model §1): n answers, k correct. */
function answersAsQuiz(tally: AnswerTally): Stamped<QuizInput> {
  const input: QuizInput = { total_questions: tally.total, correct_answers: tally.correct };
  // A mean time only when every answer carries one: a partial mean would misjudge guessing.
  if (tally.timed === tally.total) input.avg_time_seconds = tally.seconds / tally.total;
  return { at: tally.last.at, event_id: tally.last.event_id, input };
}

/** Each topic state's merged quiz inputs: states are never changed, so one merge serves every read of one. */
const mergedQuizInputs = new WeakMap<TopicState, DailyInputs<QuizInput>>();

/**
 * A topic's daily quiz inputs with its answers taken in: on a day with both, the later of the
 * day's quiz report and its last answer stands, as between two quiz reports.
 */
function quizInputs(topic: TopicState): DailyInputs<QuizInput> | undefined {
  if (topic.answers === undefined) return topic.inputs.quiz;
  const known = mergedQuizInputs.get(topic);
  if (known !== undefined) return known;
  const daily: Record<string, Stamped<QuizInput>> = { ...topic.inputs.quiz };
  for (const [day, tally] of Object.entries(topic.answers)) {
    const fromAnswers = answersAsQuiz(tally);
    const reported = daily[day];
    if (reported === undefined || isLater(fromAnswers, reported)) daily[day] = fromAnswers;
  }
  mergedQuizInputs.set(topic, daily);
  return daily;
}

interface TopicCursor {
  name: string;
  inputs: Record<InputComponent, InputCursor>;
  streak: StreakCursor;
}

function topicCursor(name: string, topic: TopicState, config: ModelConfig): TopicCursor {
  const values: { [K in InputComponent]: (input: InputOf[K]) => number } = {
    completion: completionValue,
    quiz: (input) => quizValue(input, config),
    quality: qualityValue,
  };
  return {
    name,
    inputs: {
      completion: inputCursor(topic.inputs.completion, values.completion),
      quiz: inputCursor(quizInputs(topic), values.quiz),
      quality: inputCursor(topic.inputs.quality, values.quality),
    },
    streak: streakCursor(topic.days),
  };
}

/** One topic's scope: components never reported count 0; consistency from its own days. */
function topicScopeAt(t: TopicCursor, asOf: Day, asOfNumber: number): Scope {
  return {
    components: {
      completion: t.inputs.completion(asOf) ?? 0,
      quiz: t.inputs.quiz(asOf) ?? 0,
      quality: t.inputs.quality(asOf) ?? 0,
      consistency: t.streak.at(asOfNumber),
    },
    weakestTopics: {},
  };
}

/** Each topic's probability of being known (learner-model §4): who recommendations name. */
export type KnownTopics = ReadonlyMap<string, number>;

/** Whether b is weaker than a: lower p_known where known, then the lower value, then the name. */
function weaker(b: { topic: string; value: number }, a: { topic: string; value: number }, known?: KnownTopics): boolean {
  const kb = known?.get(b.topic);
  const ka = known?.get(a.topic);
  if (kb !== undefined && ka !== undefined && kb !== ka) return kb < ka;
  return b.value < a.value || (b.value === a.value && b.topic < a.topic);
}

/**
 * The roll-up over topics (§6): each input component is the mean over the topics that have it
 * reported; consistency comes from all of the student's active days. Where two or more topics
 * have a component, the weakest of them is named for its recommendation (§3): the least known
 * by the learner model when `known` is given, else the one with the lowest value.
 */
function overallScopeAt(topics: readonly TopicCursor[], overall: StreakCursor, asOf: Day, asOfNumber: number, known?: KnownTopics): Scope {
  const reported: Record<Component, Array<{ topic: string; value: number }>> = {
    completion: [],
    quiz: [],
    quality: [],
    consistency: [],
  };
  for (const t of topics) {
    for (const k of INPUT_COMPONENTS) {
      const value = t.inputs[k](asOf);
      if (value !== undefined) reported[k].push({ topic: t.name, value });
    }
    const consistency = t.streak.at(asOfNumber);
    if (t.streak.started()) reported.consistency.push({ topic: t.name, value: consistency });
  }
  const weakestTopics: WeakestTopics = {};
  for (const k of Object.keys(reported) as Component[]) {
    const list = reported[k];
    if (list.length < 2) continue;
    const weakest = list.reduce((a, b) => (weaker(b, a, known) ? b : a));
    weakestTopics[k] = weakest.topic;
  }
  const meanOf = (k: InputComponent) => (reported[k].length ? mean(reported[k].map((r) => r.value)) : 0);
  return {
    components: {
      completion: meanOf('completion'),
      quiz: meanOf('quiz'),
      quality: meanOf('quality'),
      consistency: overall.at(asOfNumber),
    },
    weakestTopics,
  };
}

/**
 * The roll-up's component values alone (no topic named for recommendations): the same sums in
 * the same order as overallScopeAt, so the same values to the last bit, without a list per
 * component and day. A write's daily values are computed this way for every day it touches.
 */
function overallComponentsAt(topics: readonly TopicCursor[], overall: StreakCursor, asOf: Day, asOfNumber: number): ComponentValues {
  const sum = { completion: 0, quiz: 0, quality: 0 };
  const count = { completion: 0, quiz: 0, quality: 0 };
  for (const t of topics) {
    for (const k of INPUT_COMPONENTS) {
      const value = t.inputs[k](asOf);
      if (value === undefined) continue;
      sum[k] += value;
      count[k]++;
    }
  }
  const meanOf = (k: InputComponent) => (count[k] ? sum[k] / count[k] : 0);
  return { completion: meanOf('completion'), quiz: meanOf('quiz'), quality: meanOf('quality'), consistency: overall.at(asOfNumber) };
}

/** The student's topic cursors, in name order. */
function topicCursors(state: StudentState, config: ModelConfig): TopicCursor[] {
  // In name order: the mean over topics then sums in one order whatever order a store or a
  // fold inserted them in, so every store gives the same value to the last bit.
  return [...state.topics].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, t]) => topicCursor(name, t, config));
}

/** The whole student's component values as of the end of each of `asOfDays` (ascending). */
export function componentsOver(state: StudentState, asOfDays: readonly Day[], config: ModelConfig): ComponentValues[] {
  const topics = topicCursors(state, config);
  const overall = streakCursor(state.days);
  return asOfDays.map((day) => overallComponentsAt(topics, overall, day, dayNumber(day)));
}

/**
 * The scope as of the end of each of `asOfDays` (ascending), for the whole student or one
 * topic; undefined for a topic the student has no event in. One pass over the state serves
 * the whole list, which is what keeps a day-by-day history cheap.
 */
export function scopesOver(state: StudentState, asOfDays: readonly Day[], config: ModelConfig, topic?: string, known?: KnownTopics): Scope[] | undefined {
  if (topic !== undefined) {
    const t = state.topics.get(topic);
    if (t === undefined) return undefined;
    const cursor = topicCursor(topic, t, config);
    return asOfDays.map((day) => topicScopeAt(cursor, day, dayNumber(day)));
  }
  const topics = topicCursors(state, config);
  const overall = streakCursor(state.days);
  return asOfDays.map((day) => overallScopeAt(topics, overall, day, dayNumber(day), known));
}
