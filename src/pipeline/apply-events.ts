import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { dayOfInstant, type Day } from '../model/days.js';
import type { LearningEvent } from '../model/learning-event.js';
import type { ModelConfig } from '../model/model-config.js';
import { evolveAll, initialState } from '../model/student-state.js';
import type { MasteryUpdated } from '../ports/bus.js';
import type { CurrentMastery, StudentWrite } from '../ports/state-store.js';
import { Errors } from '../errors.js';
import type { EngineDeps } from './engine-deps.js';
import { loadStudents, type StudentBase } from './load-students.js';
import type { LearnerParams } from '../model/learner/learner-params.js';
import { recordFor, touchedDays } from './student-results.js';
import { publishUpdates } from './outbox.js';

/** How often a write is tried again after another writer changed the same student first. */
export const MAX_WRITE_ATTEMPTS = 8;

/**
 * A random wait before trying a refused write again, up to 2^attempt ms (64 ms at most). Writers
 * that lost a race and retried at once met again at once: with four instances writing the same
 * six students, a batch now and then ran out of its attempts (a 503 STATE_CONFLICT). Spread
 * apart, one of them wins each round.
 */
function backOff(attempt: number): Promise<void> {
  return sleep(Math.random() * 2 ** Math.min(attempt, 6));
}

function sameResult(a: CurrentMastery | null, b: CurrentMastery): boolean {
  if (a === null) return false;
  return (
    a.mastery_score === b.mastery_score &&
    a.level === b.level &&
    JSON.stringify([a.components, a.recommendations, a.forecast]) === JSON.stringify([b.components, b.recommendations, b.forecast])
  );
}

function groupByStudent(events: readonly LearningEvent[]): Map<string, LearningEvent[]> {
  const groups = new Map<string, LearningEvent[]>();
  for (const e of events) {
    const list = groups.get(e.student_id);
    if (list) list.push(e);
    else groups.set(e.student_id, [e]);
  }
  return groups;
}

/**
 * The write that folds `events` into a student's base record, with the update it publishes when
 * the result changed: its event_id is chosen now, so the outbox keeps the one that goes out.
 */
function writeFor(
  studentId: string,
  base: StudentBase | undefined,
  events: readonly LearningEvent[],
  today: Day,
  model: ModelConfig,
  params: LearnerParams,
  now: Date,
): StudentWrite {
  const state = evolveAll(base?.record.state ?? initialState(studentId), events);
  const { current, knowledge } = recordFor(state, today, model, params, base?.record.knowledge);
  const before = base?.record.current ?? null;
  const changed = !sameResult(before, current);
  const applied = [...(base?.rebuiltFrom ?? []), ...events];
  let days: StudentWrite['days'] | undefined;
  return {
    record: { state, current: changed ? current : before, knowledge },
    etag: base?.etag ?? null,
    applied,
    // Computed when the store reads them: the memory store keeps no daily values, and they
    // were a tenth of the embedded mode's fold.
    get days() {
      return (days ??= touchedDays(state, applied, model));
    },
    // Folded onto what the store held; a student rebuilt from the log is written whole.
    incremental: base !== undefined && base.rebuiltFrom === null,
    ...(changed ? { update: updateEvent(studentId, current, now) } : {}),
  };
}

/**
 * Folds new events into their students' records and writes each student once, atomically.
 * A student another writer changed meanwhile is reloaded and folded again. Publishes one
 * mastery.updated per student whose result changed, saved first in the outbox with the write
 * (see outbox.ts); returns those students' ids.
 */
export async function applyEvents(deps: EngineDeps, events: readonly LearningEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const now = deps.clock.now();
  const today = dayOfInstant(now.getTime());
  const groups = groupByStudent(events);
  const updates: MasteryUpdated[] = [];
  let pending = [...groups.keys()];
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_WRITE_ATTEMPTS) throw Errors.stateConflict(pending);
    const bases = await loadStudents(deps, pending);
    const params = deps.learner.current();
    const planned = pending.map((id) => writeFor(id, bases.get(id), groups.get(id)!, today, deps.model, params, now));
    const { conflicts } = await deps.store.save(planned);
    const refused = new Set(conflicts);
    for (const w of planned) {
      if (w.update && !refused.has(w.record.state.student_id)) updates.push(w.update);
    }
    pending = conflicts;
    if (pending.length > 0) await backOff(attempt);
  }
  await publishUpdates(deps, updates);
  return updates.map((u) => u.student_id);
}

function updateEvent(studentId: string, current: CurrentMastery, now: Date): MasteryUpdated {
  return {
    event_id: randomUUID(),
    event_type: 'mastery.updated',
    timestamp: now.toISOString(),
    student_id: studentId,
    mastery_score: current.mastery_score,
    level: current.level,
    components: current.components,
    recommendations: current.recommendations,
    forecast: current.forecast!,
  };
}
