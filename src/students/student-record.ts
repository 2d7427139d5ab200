import type { Day } from '../model/days.js';
import { dayOfTimestamp } from '../model/instant.js';
import { traceBefore } from '../model/learner/knowledge-as-of.js';
import type { KnowledgeTrace } from '../model/learner/knowledge-trace.js';
import type { LearnerParams } from '../model/learner/learner-params.js';
import { learnerResultAsOf } from '../model/learner/learner-view.js';
import type { LearningEvent } from '../model/learning-event.js';
import { dailyComponents } from '../model/mastery-as-of.js';
import type { ModelConfig } from '../model/model-config.js';
import type { StudentState } from '../model/student-state.js';
import type { CurrentMastery, StudentRecord, StudentWrite } from '../ports/state-store.js';

/* What the use cases store beside a student's state (its current result, knowledge and daily values), and the write that stores it. */

/** A student's overall result as of a day, as the state store keeps it. */
export function currentMastery(state: StudentState, asOf: Day, model: ModelConfig, params: LearnerParams, trace: KnowledgeTrace): CurrentMastery {
  return { ...learnerResultAsOf(state, asOf, model, { params, trace })!, as_of: asOf };
}

/**
 * The record to store for a state: its knowledge traced with the parameters in use (folded on
 * from `stored` when it still fits, in O(1) per answer) and its current result as of `today`.
 */
export function recordFor(
  state: StudentState,
  today: Day,
  model: ModelConfig,
  params: LearnerParams,
  stored?: KnowledgeTrace | null,
): Required<StudentRecord> & { current: CurrentMastery } {
  const trace = traceBefore(params, state, stored, null);
  // A student without answers has nothing worth storing: the empty trace is made again at once.
  return { state, current: currentMastery(state, today, model, params, trace), knowledge: trace.through === null ? null : trace };
}

/**
 * The daily component values a write must refresh: every active day from the earliest day the
 * applied events touch, since an input reported on day d stands on each later day too.
 */
export function touchedDays(state: StudentState, applied: readonly LearningEvent[], model: ModelConfig): StudentWrite['days'] {
  if (applied.length === 0) return [];
  let from = dayOfTimestamp(applied[0]!.timestamp);
  for (const e of applied) {
    const day = dayOfTimestamp(e.timestamp);
    if (day < from) from = day;
  }
  return dailyComponents(state, model, { from, to: state.days[state.days.length - 1]! });
}

/**
 * One student's write: the record, the version it replaces, the events it applies, and the
 * daily values from the earliest day they touch on, computed only when the store reads them
 * (the memory store keeps none, and they cost as much as the fold itself).
 */
export function studentWrite(write: Omit<StudentWrite, 'days'>, model: ModelConfig): StudentWrite {
  let days: StudentWrite['days'] | undefined;
  return {
    ...write,
    get days() {
      return (days ??= touchedDays(write.record.state, write.applied, model));
    },
  };
}
