import type { Day } from '../../model/days.js';
import { dayOfTimestamp } from '../../model/instant.js';
import { isFirstAttempt, type LearningEvent } from '../../model/learning-event.js';
import {
  compareResponses,
  storedResponse,
  withAnswerTallies,
  type DailyInputs,
  type Stamped,
  type StoredResponse,
  type StudentState,
  type TopicState,
} from '../../model/student-state.js';
import { INPUT_COMPONENTS, type InputComponent } from '../../model/types.js';
import { canonicalInput } from './canonical-input.js';

/*
 * A student's state as the fields of one Redis hash, so that a write sends only what its events
 * changed rather than the whole record (which grows with every active day):
 *
 *   version                        the record's version (the etag)
 *   d:{DAY}:{TOPIC}                "1": the topic has an event on that day
 *   i:{COMPONENT}:{DAY}:{TOPIC}    [at, event_id, input]: that day's last report
 *   r:{AT}:{EVENT_ID}              [topic, item_id, correct, seconds]: a first-attempt answer
 *
 * Topics are limited to [A-Za-z0-9._-] by validation, so ':' cannot occur inside one; the
 * student's active days are the union of its topics' days. An answer's instant key has a fixed
 * width, so its field splits without a separator search; the topics' answer tallies are derived
 * from the answers when the hash is read.
 */
export const VERSION_FIELD = 'version';

type StampedJson = [at: string, event_id: string, input: unknown];

const dayField = (day: Day, topic: string) => `d:${day}:${topic}`;
const inputField = (component: InputComponent, day: Day, topic: string) => `i:${component}:${day}:${topic}`;
const stampedJson = (s: Stamped<unknown>) => JSON.stringify([s.at, s.event_id, canonicalInput(s.input)] satisfies StampedJson);

type ResponseJson = [topic: string, item_id: string, correct: 0 | 1, seconds: number | null];
const INSTANT_KEY_LENGTH = 30;
const responseField = (r: { at: string; event_id: string }) => `r:${r.at}:${r.event_id}`;
const responseJson = (r: StoredResponse) => JSON.stringify([r.topic, r.item_id, r.correct ? 1 : 0, r.seconds ?? null] satisfies ResponseJson);

/** Every field of a state, as [field, value] pairs (a record written whole). */
export function allStateFields(state: StudentState): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  for (const [topic, t] of state.topics) {
    for (const day of t.days) fields.push([dayField(day, topic), '1']);
    for (const component of INPUT_COMPONENTS) {
      const daily: DailyInputs<unknown> | undefined = t.inputs[component];
      if (daily === undefined) continue;
      for (const day of Object.keys(daily)) fields.push([inputField(component, day, topic), stampedJson(daily[day]!)]);
    }
  }
  for (const r of state.responses) fields.push([responseField(r), responseJson(r)]);
  return fields;
}

/**
 * The fields `applied` may have changed, with their values in `state` (the state after folding
 * them): the day of each event in its topic, and the day's report of each input it carried.
 */
export function changedStateFields(state: StudentState, applied: readonly LearningEvent[]): Array<[string, string]> {
  const fields = new Map<string, string>();
  for (const e of applied) {
    const day = dayOfTimestamp(e.timestamp);
    fields.set(dayField(day, e.topic), '1');
    if (isFirstAttempt(e)) {
      const r = storedResponse(e);
      fields.set(responseField(r), responseJson(r));
      continue;
    }
    if (e.event_type !== 'mastery.calculation.requested' || e.component === 'consistency') continue;
    const report = state.topics.get(e.topic)?.inputs[e.component]?.[day];
    if (report === undefined) throw new Error(`the state of ${state.student_id} lacks the ${e.component} report of ${e.topic} on ${day} it was folded with`);
    fields.set(inputField(e.component, day, e.topic), stampedJson(report));
  }
  return [...fields];
}

type DraftTopic = { inputs: Partial<Record<InputComponent, Record<Day, Stamped<unknown>>>>; days: Day[] };

/** The state and version a hash holds (HGETALL's answer). */
export function stateFromFields(studentId: string, hash: Record<string, string>): { state: StudentState; version: number } {
  const topics = new Map<string, DraftTopic>();
  const topic = (name: string) => {
    let t = topics.get(name);
    if (t === undefined) topics.set(name, (t = { inputs: {}, days: [] }));
    return t;
  };
  const allDays = new Set<Day>();
  const responses: StoredResponse[] = [];
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('d:')) {
      const day = field.slice(2, 12);
      topic(field.slice(13)).days.push(day);
      allDays.add(day);
    } else if (field.startsWith('i:')) {
      const [component, day] = field.slice(2).split(':', 2) as [InputComponent, Day];
      const [at, event_id, input] = JSON.parse(value) as StampedJson;
      const t = topic(field.slice(2 + component.length + 1 + day.length + 1));
      (t.inputs[component] ??= {})[day] = { at, event_id, input };
    } else if (field.startsWith('r:')) {
      const [topicName, item_id, correct, seconds] = JSON.parse(value) as ResponseJson;
      const at = field.slice(2, 2 + INSTANT_KEY_LENGTH);
      const event_id = field.slice(3 + INSTANT_KEY_LENGTH);
      responses.push({ at, event_id, topic: topicName, item_id, correct: correct === 1, ...(seconds === null ? {} : { seconds }) });
    }
  }
  const version = Number(hash[VERSION_FIELD]);
  if (!Number.isSafeInteger(version)) throw new Error(`the stored state of ${studentId} has no version`);
  for (const t of topics.values()) t.days.sort();
  const sorted = new Map<string, TopicState>([...topics].sort(([a], [b]) => (a < b ? -1 : 1)) as Array<[string, TopicState]>);
  responses.sort(compareResponses);
  const state: StudentState = { student_id: studentId, days: [...allDays].sort(), topics: sorted, responses };
  return { state: withAnswerTallies(state), version };
}
