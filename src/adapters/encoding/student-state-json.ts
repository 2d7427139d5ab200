import type { Day } from '../../model/days.js';
import { withAnswerTallies, type StoredResponse, type StudentState, type TopicState } from '../../model/student-state.js';
import { canonicalInput } from './canonical-input.js';

/**
 * A student's state as JSON text for stores outside the process. The version comes first, so
 * the Redis script can read it with a pattern instead of decoding the whole record; topics
 * travel as [name, topic] pairs (a topic may be called `__proto__`: it must never become an
 * object key). Answers travel once, as a list; the topics' tallies are derived from it again.
 */
interface StateJson {
  version: number;
  state: { v: typeof LAYOUT; student_id: string; days: readonly Day[]; topics: Array<[string, TopicState]>; responses?: readonly StoredResponse[] };
}

/**
 * The layout of the JSON this engine writes, inside the state so that a record written by
 * another layout is refused (and rebuilt from the log) rather than misread.
 */
const LAYOUT = 1;

/** A topic's daily reports, each input with its keys sorted (canonical-input.ts says why). */
function canonicalInputs(inputs: TopicState['inputs']): TopicState['inputs'] {
  const out: Record<string, Record<Day, unknown>> = {};
  for (const [component, daily] of Object.entries(inputs)) {
    const days: Record<Day, unknown> = {};
    for (const [day, report] of Object.entries(daily ?? {})) days[day] = { ...report, input: canonicalInput(report.input) };
    out[component] = days;
  }
  return out as TopicState['inputs'];
}

export function encodeState(state: StudentState, version: number): string {
  const json: StateJson = {
    version,
    state: {
      v: LAYOUT,
      student_id: state.student_id,
      days: state.days,
      topics: [...state.topics].map(([name, { inputs, days }]) => [name, { inputs: canonicalInputs(inputs), days }]),
      responses: state.responses,
    },
  };
  return JSON.stringify(json);
}

/** The state and its version; throws on a record of another layout than this engine writes. */
export function decodeState(text: string): { state: StudentState; version: number } {
  const json = JSON.parse(text) as StateJson;
  if (json.state?.v !== LAYOUT) throw new Error(`a stored state has layout ${String(json.state?.v)}; this engine reads layout ${LAYOUT} (run mastery rebuild)`);
  return {
    version: json.version,
    state: withAnswerTallies({
      student_id: json.state.student_id,
      days: json.state.days,
      topics: new Map(json.state.topics),
      responses: json.state.responses ?? [],
    }),
  };
}
