import { randomUUID } from 'node:crypto';
import { dayOfInstant, type Day } from '../model/days.js';
import type { LearningEvent } from '../model/learning-event.js';
import type { ModelConfig } from '../model/model-config.js';
import { evolveAll } from '../model/fast/evolve-all.js';
import { initialState } from '../model/student-state.js';
import type { MasteryUpdated } from '../ports/bus.js';
import type { CurrentMastery, StudentWrite } from '../ports/state-store.js';
import type { EngineDeps } from '../engine-deps.js';
import { commitWrites, loadStudents, type StudentBase } from '../students/student-repository.js';
import type { LearnerParams } from '../model/learner/learner-params.js';
import { recordFor, studentWrite } from '../students/student-record.js';
import { publishUpdates } from './outbox.js';

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
  return studentWrite(
    {
      record: { state, current: changed ? current : before, knowledge },
      etag: base?.etag ?? null,
      applied: [...(base?.rebuiltFrom ?? []), ...events],
      // Folded onto what the store held; a student rebuilt from the log is written whole.
      incremental: base !== undefined && base.rebuiltFrom === null,
      ...(changed ? { update: updateEvent(studentId, current, now) } : {}),
    },
    model,
  );
}

/**
 * Folds new events into their students' records and writes each student once, atomically.
 * `newStudents`: those of them whose first events these are (the log's append says so).
 * A student another writer changed meanwhile is reloaded and folded again. Publishes one
 * mastery.updated per student whose result changed, saved first in the outbox with the write
 * (see outbox.ts); returns those students' ids.
 */
export async function applyEvents(deps: EngineDeps, events: readonly LearningEvent[], newStudents: ReadonlySet<string> = new Set()): Promise<string[]> {
  if (events.length === 0) return [];
  const now = deps.clock.now();
  const today = dayOfInstant(now.getTime());
  const groups = groupByStudent(events);
  const taken = await commitWrites(deps, [...groups.keys()], async (pending, attempt) => {
    // A student the log had never seen starts from nothing: neither the store nor the log has
    // anything to add. Were the store to hold one anyway (a writer beside this one), the write,
    // which expects no record, is refused and the next attempt loads it.
    const toLoad = attempt === 1 && newStudents.size > 0 ? pending.filter((id) => !newStudents.has(id)) : pending;
    const bases = await loadStudents(deps, toLoad);
    const params = deps.learner.current();
    return pending.map((id) => writeFor(id, bases.get(id), groups.get(id)!, today, deps.model, params, now));
  });
  const updates = taken.flatMap((w) => (w.update ? [w.update] : []));
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
