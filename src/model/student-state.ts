import type { Day } from './days.js';
import { dayOfTimestamp, instantKey } from './instant.js';
import type { LearningEvent } from './learning-event.js';
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

export interface TopicState {
  readonly inputs: { readonly [K in InputComponent]?: DailyInputs<InputOf[K]> };
  /** The days with at least one event of this topic, ascending. */
  readonly days: readonly Day[];
}

/**
 * What the engine knows of one student: per topic the daily inputs, and the active days.
 * Keeping each day's last input (not only the last one) is what lets any past day be
 * recomputed "as of" its end (mastery-model.md §6).
 */
export interface StudentState {
  /** The layout of this record, for stores that keep it across versions of the engine. */
  readonly v: 1;
  readonly student_id: string;
  /** Every day with at least one event, ascending. */
  readonly days: readonly Day[];
  readonly topics: ReadonlyMap<string, TopicState>;
}

export function initialState(studentId: string): StudentState {
  return { v: 1, student_id: studentId, days: [], topics: new Map() };
}

/** Which of two reports wins: the greater timestamp, then the greater event_id (§6). */
export function isLater(a: Stamped<unknown>, b: Stamped<unknown>): boolean {
  return a.at > b.at || (a.at === b.at && a.event_id > b.event_id);
}

/** Inserts `day` into an ascending list of days, unless it is there already. */
function addDay(days: Day[], day: Day): void {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (days[mid]! < day) lo = mid + 1;
    else hi = mid;
  }
  if (days[lo] !== day) days.splice(lo, 0, day);
}

type Draft = { inputs: { -readonly [K in InputComponent]?: Record<Day, Stamped<InputOf[K]>> }; days: Day[] };

/**
 * evolve(state, event): the fold of one event into a student's state. Every part of the state
 * is a last-writer-wins register per day or a set of days, so the fold is idempotent and
 * order-independent: any order of any events, with any duplicates, gives the same state.
 * It never mutates `state`.
 */
export function evolve(state: StudentState, event: LearningEvent): StudentState {
  return evolveAll(state, [event]);
}

/**
 * Folds a list of events into a state, as evolve one after the other would. The parts the
 * events touch are copied once for the whole list rather than once per event: a batch is
 * folded in time linear in its size.
 */
export function evolveAll(state: StudentState, events: Iterable<LearningEvent>): StudentState {
  const days = [...state.days];
  const topics = new Map<string, TopicState>(state.topics);
  const drafts = new Map<string, Draft>();
  const copied = new Set<string>();
  for (const event of events) {
    const day = dayOfTimestamp(event.timestamp);
    let draft = drafts.get(event.topic);
    if (draft === undefined) {
      const before = state.topics.get(event.topic);
      draft = { inputs: { ...before?.inputs }, days: [...(before?.days ?? [])] };
      drafts.set(event.topic, draft);
      topics.set(event.topic, draft);
    }
    if (event.event_type === 'mastery.calculation.requested' && event.component !== 'consistency') {
      const report: Stamped<InputOf[typeof event.component]> = { at: instantKey(event.timestamp), event_id: event.event_id, input: event.data };
      const slot = `${event.topic}\u0000${event.component}`;
      if (!copied.has(slot)) {
        copied.add(slot);
        draft.inputs[event.component] = { ...draft.inputs[event.component] } as never;
      }
      const daily = draft.inputs[event.component] as Record<Day, Stamped<unknown>>;
      const current = daily[day];
      if (current === undefined || isLater(report, current)) daily[day] = report;
    }
    addDay(draft.days, day);
    addDay(days, day);
  }
  return { v: 1, student_id: state.student_id, days, topics };
}
