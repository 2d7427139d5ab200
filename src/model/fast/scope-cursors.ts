import { completionValue, qualityValue, quizValue } from '../components.js';
import { dayNumber, type Day } from '../days.js';
import type { ModelConfig } from '../model-config.js';
import type { WeakestTopics } from '../recommendations.js';
import { answersAsQuiz, weaker, type KnownTopics, type Scope } from '../scopes.js';
import { isLater, type AnswerTally, type DailyInputs, type Stamped, type StudentState, type TopicState } from '../student-state.js';
import { INPUT_COMPONENTS, type Component, type ComponentValues, type InputComponent, type InputOf, type QuizInput } from '../types.js';
import { sortedDaysOf } from './day-index.js';
import { streakCursor, type StreakCursor } from './streak-cursor.js';

/*
 * The fast path of scopeAsOf (scopes.ts) for a list of as-of days: a history, or the days a
 * write touches. Computing each day on its own would read every reported day once per as-of
 * day; here each topic's reports are sorted once and walked by a cursor, so a history costs one
 * pass over the state. fast-path.unit.spec.ts holds every value equal to the plain one, to the
 * last bit.
 */

/** The value of the input that stood at the end of ascending as-of days. */
type InputCursor = (asOf: Day) => number | undefined;

/** The cursor over reported days (ascending) of what stood on each: the input of `inputOn` its latest day. */
function cursor<T>(days: readonly Day[], inputOn: (day: Day) => T, value: (input: T) => number): InputCursor {
  let i = -1;
  let current: number | undefined;
  return (asOf) => {
    const before = i;
    // Until a reported day stands, by halving (a write asks for the last days of a long
    // history); from there, by walking on.
    if (i === -1) i = lastOnOrBefore(days, asOf);
    else while (i + 1 < days.length && days[i + 1]! <= asOf) i++;
    // Computed once per reported day, however many as-of days it stands for.
    if (i !== before) current = value(inputOn(days[i]!));
    return current;
  };
}

/** The index of the last of `days` (ascending) on or before `asOf`; -1 when there is none. */
function lastOnOrBefore(days: readonly Day[], asOf: Day): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (days[mid]! <= asOf) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function inputCursor<T>(daily: DailyInputs<T> | undefined, value: (input: T) => number): InputCursor {
  if (daily === undefined) return () => undefined;
  return cursor(sortedDaysOf(daily, Object.keys), (day) => daily[day]!.input, value);
}

/** The quiz input that stood on a day with a quiz report, answers or both: quizInputs' rule, for that day alone. */
function quizOn(reported: Stamped<QuizInput> | undefined, tally: AnswerTally | undefined): QuizInput {
  if (tally === undefined) return reported!.input;
  const fromAnswers = answersAsQuiz(tally);
  return reported === undefined || isLater(fromAnswers, reported) ? fromAnswers.input : reported.input;
}

/**
 * The quiz cursor, answers taken in (scopes.ts's quizInputs) without merging the two: a write
 * would otherwise make a quiz report of every day with answers, a year of them for a year of
 * history, where a history reads only the days it walks to.
 */
function quizCursor(topic: TopicState, value: (input: QuizInput) => number): InputCursor {
  const { answers } = topic;
  if (answers === undefined) return inputCursor(topic.inputs.quiz, value);
  const reported = topic.inputs.quiz;
  const days = sortedDaysOf(topic, () => {
    const union = Object.keys(answers);
    if (reported !== undefined) for (const day of Object.keys(reported)) if (!Object.hasOwn(answers, day)) union.push(day);
    return union;
  });
  return cursor(days, (day) => quizOn(reported?.[day], answers[day]), value);
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
      quiz: quizCursor(topic, values.quiz),
      quality: inputCursor(topic.inputs.quality, values.quality),
    },
    streak: streakCursor(topic.days),
  };
}

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

type Candidate = { topic: string; value: number };
type Weakest = Partial<Record<Component, Candidate>>;

/** Keeps the weaker of the component's weakest so far and `candidate`, as overallScope's reduce does. */
function consider(weakest: Weakest, k: Component, candidate: Candidate, known: KnownTopics | undefined): void {
  const current = weakest[k];
  if (current === undefined || weaker(candidate, current, known)) weakest[k] = candidate;
}

/**
 * The roll-up as of one day, as overallScope computes it: the same sums in the same order (topics
 * in name order), with no list per component. The topics recommendations name are found only
 * when `naming` (a result needs them; a write's daily values do not).
 */
function overallAt(topics: readonly TopicCursor[], overall: StreakCursor, asOf: Day, asOfNumber: number, naming: boolean, known?: KnownTopics): Scope {
  const sum = { completion: 0, quiz: 0, quality: 0 };
  const count = { completion: 0, quiz: 0, quality: 0, consistency: 0 };
  const weakest: Weakest | undefined = naming ? {} : undefined;
  for (const t of topics) {
    for (const k of INPUT_COMPONENTS) {
      const value = t.inputs[k](asOf);
      if (value === undefined) continue;
      sum[k] += value;
      count[k]++;
      if (weakest !== undefined) consider(weakest, k, { topic: t.name, value }, known);
    }
    if (weakest === undefined) continue;
    const consistency = t.streak.at(asOfNumber);
    if (t.streak.started()) {
      count.consistency++;
      consider(weakest, 'consistency', { topic: t.name, value: consistency }, known);
    }
  }
  const meanOf = (k: InputComponent) => (count[k] ? sum[k] / count[k] : 0);
  return {
    components: { completion: meanOf('completion'), quiz: meanOf('quiz'), quality: meanOf('quality'), consistency: overall.at(asOfNumber) },
    weakestTopics: weakest === undefined ? NONE_NAMED : named(weakest, count),
  };
}

/** The roll-up's scope where no topic is named (`componentsOver`: its callers read only the values). */
const NONE_NAMED: WeakestTopics = Object.freeze({});

/** The weakest topic of each component two or more topics have (§3). */
function named(weakest: Weakest, count: Record<Component, number>): WeakestTopics {
  const topics: WeakestTopics = {};
  for (const [k, candidate] of Object.entries(weakest) as Array<[Component, Candidate]>) if (count[k] >= 2) topics[k] = candidate.topic;
  return topics;
}

/** The student's topic cursors, in name order (as overallScope takes them). */
function topicCursors(state: StudentState, config: ModelConfig): TopicCursor[] {
  return [...state.topics].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, t]) => topicCursor(name, t, config));
}

/** The whole student's component values as of the end of each of `asOfDays` (ascending). */
export function componentsOver(state: StudentState, asOfDays: readonly Day[], config: ModelConfig): ComponentValues[] {
  const topics = topicCursors(state, config);
  const overall = streakCursor(state.days);
  return asOfDays.map((day) => overallAt(topics, overall, day, dayNumber(day), false).components);
}

/**
 * scopeAsOf as of the end of each of `asOfDays` (ascending), for the whole student or one
 * topic; undefined for a topic the student has no event in.
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
  return asOfDays.map((day) => overallAt(topics, overall, day, dayNumber(day), true, known));
}
