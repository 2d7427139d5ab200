import type { Day } from './days.js';
import { dayOfTimestamp, instantKey } from './instant.js';
import { isFirstAttempt, type LearningEvent, type ResponseRecorded } from './learning-event.js';
import type { InputComponent, InputOf } from './types.js';

/** A reported input with what decides which of two reports is the later one. */
export interface Stamped<T> {
  /** The event's instant as an instantKey: compares as a string, to the nanosecond. */
  at: string;
  event_id: string;
  input: T;
}

/** For each day on which the component was reported, that day's last report. */
export type DailyInputs<T> = Readonly<Record<Day, Stamped<T>>>;

/** A first-attempt answer as the state keeps it (learner-model §1). */
export interface StoredResponse {
  /** The answer's instant as an instantKey. */
  readonly at: string;
  readonly event_id: string;
  readonly topic: string;
  readonly item_id: string;
  readonly correct: boolean;
  readonly seconds?: number;
}

/** A day's first-attempt answers on one topic: the quiz report they form (learner-model §1). */
export interface AnswerTally {
  readonly total: number;
  readonly correct: number;
  /** How many of them carry `seconds`, and the sum of those. */
  readonly timed: number;
  readonly seconds: number;
  /** The day's last answer: the report's time in the quiz component's last-writer-wins. */
  readonly last: { readonly at: string; readonly event_id: string };
}

export interface TopicState {
  readonly inputs: { readonly [K in InputComponent]?: DailyInputs<InputOf[K]> };
  /** The days with at least one event of this topic, ascending. */
  readonly days: readonly Day[];
  /** Per day with first-attempt answers on this topic, their tally (derived from `responses`). */
  readonly answers?: Readonly<Record<Day, AnswerTally>>;
}

/**
 * What the engine knows of one student: per topic the daily inputs, and the active days.
 * Keeping each day's last input (not only the last one) is what lets any past day be
 * recomputed "as of" its end (mastery-model.md §6).
 */
export interface StudentState {
  readonly student_id: string;
  /** Every day with at least one event, ascending. */
  readonly days: readonly Day[];
  readonly topics: ReadonlyMap<string, TopicState>;
  /**
   * Every first-attempt answer, in the order knowledge is traced: by (at, event_id). A set, like
   * the days: folding an answer twice keeps one.
   */
  readonly responses: readonly StoredResponse[];
}

export function initialState(studentId: string): StudentState {
  return { student_id: studentId, days: [], topics: new Map(), responses: [] };
}

/** A first-attempt answer event as the state keeps it. */
export function storedResponse(event: ResponseRecorded): StoredResponse {
  const { item_id, correct, seconds } = event.data;
  const r = { at: instantKey(event.timestamp), event_id: event.event_id, topic: event.topic, item_id, correct };
  return seconds === undefined ? r : { ...r, seconds };
}

/** The order of answers: by instant, then event_id, as reports are ordered (§6). */
export function compareResponses(a: { at: string; event_id: string }, b: { at: string; event_id: string }): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}

/** A day's tally with one more answer. */
export function tallied(tally: AnswerTally | undefined, r: StoredResponse): AnswerTally {
  const timed = r.seconds === undefined ? 0 : 1;
  if (tally === undefined) {
    return { total: 1, correct: r.correct ? 1 : 0, timed, seconds: r.seconds ?? 0, last: { at: r.at, event_id: r.event_id } };
  }
  return {
    total: tally.total + 1,
    correct: tally.correct + (r.correct ? 1 : 0),
    timed: tally.timed + timed,
    seconds: tally.seconds + (r.seconds ?? 0),
    last: compareResponses(tally.last, r) < 0 ? { at: r.at, event_id: r.event_id } : tally.last,
  };
}

/**
 * The topics' answer tallies, derived again from the answers: for stores that keep the answers
 * but not the tallies (they are a function of them).
 */
export function withAnswerTallies(state: StudentState): StudentState {
  if (state.responses.length === 0) return state;
  const answers = new Map<string, Record<Day, AnswerTally>>();
  for (const r of state.responses) {
    let perDay = answers.get(r.topic);
    if (perDay === undefined) answers.set(r.topic, (perDay = {}));
    const day = r.at.slice(0, 10);
    perDay[day] = tallied(perDay[day], r);
  }
  const topics = new Map<string, TopicState>();
  for (const [name, t] of state.topics) {
    const perDay = answers.get(name);
    topics.set(name, perDay === undefined ? t : { ...t, answers: perDay });
  }
  return { ...state, topics };
}

/** Which of two reports wins: the greater timestamp, then the greater event_id (§6). */
export function isLater(a: Stamped<unknown>, b: Stamped<unknown>): boolean {
  return a.at > b.at || (a.at === b.at && a.event_id > b.event_id);
}

/** The days with `day` among them, ascending and without repeats. */
function withDay(days: readonly Day[], day: Day): readonly Day[] {
  return days.includes(day) ? days : [...days, day].sort();
}

/**
 * evolve(state, event): the fold of one event into a student's state (§6). Every part of the
 * state is a last-writer-wins register per day or a set, so the fold is idempotent and
 * order-independent: any order of any events, with any duplicates, gives the same state. It
 * never changes `state`. This is the plain reading of the fold; a batch is folded by
 * fast/evolve-all.ts, which gives the same state.
 */
export function evolve(state: StudentState, event: LearningEvent): StudentState {
  const day = dayOfTimestamp(event.timestamp);
  const before = state.topics.get(event.topic) ?? { inputs: {}, days: [] };
  let topic: TopicState = { ...before, days: withDay(before.days, day) };
  let responses = state.responses;
  if (event.event_type === 'mastery.calculation.requested' && event.component !== 'consistency') {
    // A report: it stands for its day unless the day holds a later one (isLater).
    const report = { at: instantKey(event.timestamp), event_id: event.event_id, input: event.data };
    const daily: Record<Day, Stamped<unknown>> = { ...topic.inputs[event.component] };
    const current = daily[day];
    if (current === undefined || isLater(report, current)) daily[day] = report;
    topic = { ...topic, inputs: { ...topic.inputs, [event.component]: daily } };
  } else if (isFirstAttempt(event)) {
    // A first-attempt answer: kept once, in order, and counted into its day's tally once.
    const response = storedResponse(event);
    if (!responses.some((r) => compareResponses(r, response) === 0)) {
      responses = [...responses, response].sort(compareResponses);
      topic = { ...topic, answers: { ...topic.answers, [day]: tallied(topic.answers?.[day], response) } };
    }
  }
  return {
    student_id: state.student_id,
    days: withDay(state.days, day),
    topics: new Map(state.topics).set(event.topic, topic),
    responses,
  };
}
