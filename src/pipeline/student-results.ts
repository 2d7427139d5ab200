import type { Day } from '../model/days.js';
import { dayOfTimestamp } from '../model/instant.js';
import type { LearningEvent } from '../model/learning-event.js';
import { dailyComponents, masteryAsOf } from '../model/mastery-as-of.js';
import type { ModelConfig } from '../model/model-config.js';
import type { StudentState } from '../model/student-state.js';
import type { CurrentMastery, StudentWrite } from '../ports/state-store.js';

/* What the use cases store beside a student's state: its current result and daily values. */

/** A student's overall result as of a day, as the state store keeps it. */
export function currentMastery(state: StudentState, asOf: Day, model: ModelConfig): CurrentMastery {
  return { ...masteryAsOf(state, asOf, model)!, as_of: asOf };
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
