import type { Day } from '../days.js';
import { dayOfTimestamp, instantKey } from '../instant.js';
import { isFirstAttempt, type LearningEvent } from '../learning-event.js';
import {
  compareResponses,
  isLater,
  storedResponse,
  tallied,
  type AnswerTally,
  type Stamped,
  type StoredResponse,
  type StudentState,
  type TopicState,
} from '../student-state.js';
import type { InputComponent, InputOf } from '../types.js';

/*
 * The fast path of evolve (student-state.ts) for a batch: evolveAll(state, events) is the
 * state events.reduce(evolve, state) gives, without copying the state once per event. The parts
 * the events touch are copied once for the whole batch (a draft per topic and per reported
 * component) and then changed in place, and days and answers go in by binary search, so a batch
 * is folded in time linear in its size. fast-path.unit.spec.ts holds it equal to the plain fold.
 */

/** Inserts an answer in order; false when an answer with its (instant, event_id) is there already. */
function addResponse(responses: StoredResponse[], response: StoredResponse): boolean {
  const n = responses.length;
  // Answers mostly arrive in order: the end is checked first.
  if (n === 0 || compareResponses(responses[n - 1]!, response) < 0) {
    responses.push(response);
    return true;
  }
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareResponses(responses[mid]!, response) < 0) lo = mid + 1;
    else hi = mid;
  }
  if (lo < n && compareResponses(responses[lo]!, response) === 0) return false;
  responses.splice(lo, 0, response);
  return true;
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

type Draft = {
  inputs: { -readonly [K in InputComponent]?: Record<Day, Stamped<InputOf[K]>> };
  days: Day[];
  answers?: Record<Day, AnswerTally>;
};

/** Folds a list of events into a state, as evolve one after the other would. */
export function evolveAll(state: StudentState, events: Iterable<LearningEvent>): StudentState {
  const days = [...state.days];
  const topics = new Map<string, TopicState>(state.topics);
  let responses: StoredResponse[] | undefined;
  const drafts = new Map<string, Draft>();
  const copied = new Set<string>();
  for (const event of events) {
    const day = dayOfTimestamp(event.timestamp);
    let draft = drafts.get(event.topic);
    if (draft === undefined) {
      const before = state.topics.get(event.topic);
      draft = { inputs: { ...before?.inputs }, days: [...(before?.days ?? [])] };
      if (before?.answers !== undefined) draft.answers = { ...before.answers };
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
    } else if (isFirstAttempt(event)) {
      const response = storedResponse(event);
      responses ??= [...state.responses];
      // Counted into the day's tally only when new: a duplicate must not count twice.
      if (addResponse(responses, response)) (draft.answers ??= {})[day] = tallied(draft.answers?.[day], response);
    }
    addDay(draft.days, day);
    addDay(days, day);
  }
  return { student_id: state.student_id, days, topics, responses: responses ?? state.responses };
}
