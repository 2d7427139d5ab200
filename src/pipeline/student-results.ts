import type { Day } from '../model/days.js';
import { dayOfTimestamp } from '../model/instant.js';
import type { LearningEvent } from '../model/learning-event.js';
import { dailyHistory, masteryAsOf } from '../model/mastery-as-of.js';
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
  const from = applied.map((e) => dayOfTimestamp(e.timestamp)).reduce((a, b) => (b < a ? b : a));
  const to = state.days[state.days.length - 1]!;
  return dailyHistory(state, model, { from, to }).map((d) => ({ date: d.date, components: d.result.components }));
}

