import { randomUUID } from 'node:crypto';
import { dayOfInstant, type Day } from '../model/days.js';
import type { LearningEvent } from '../model/learning-event.js';
import { masteryAsOf } from '../model/mastery-as-of.js';
import type { ModelConfig } from '../model/model-config.js';
import { evolveAll, initialState, type StudentState } from '../model/student-state.js';
import type { MasteryUpdated } from '../ports/bus.js';
import type { CurrentMastery, StudentRecord } from '../ports/state-store.js';
import type { EngineDeps } from './engine-deps.js';

/** A student's overall result as of a day, as the state store keeps it. */
export function currentMastery(state: StudentState, asOf: Day, model: ModelConfig): CurrentMastery {
  return { ...masteryAsOf(state, asOf, model)!, as_of: asOf };
}

function sameResult(a: CurrentMastery | null, b: CurrentMastery): boolean {
  if (a === null) return false;
  return (
    a.mastery_score === b.mastery_score &&
    a.level === b.level &&
    JSON.stringify([a.components, a.recommendations]) === JSON.stringify([b.components, b.recommendations])
  );
}

export function groupByStudent(events: readonly LearningEvent[]): Map<string, LearningEvent[]> {
  const groups = new Map<string, LearningEvent[]>();
  for (const e of events) {
    const list = groups.get(e.student_id);
    if (list) list.push(e);
    else groups.set(e.student_id, [e]);
  }
  return groups;
}

/**
 * Folds new events into their students' records, writes each changed record once, and
 * publishes one mastery.updated per student whose result changed. Returns those students' ids.
 */
export async function applyEvents(deps: EngineDeps, events: readonly LearningEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const now = deps.clock.now();
  const today = dayOfInstant(now.getTime());
  const groups = groupByStudent(events);
  const existing = await deps.store.load([...groups.keys()]);
  const records: StudentRecord[] = [];
  const updates: MasteryUpdated[] = [];
  for (const [studentId, studentEvents] of groups) {
    const before = existing.get(studentId);
    const state = evolveAll(before?.state ?? initialState(studentId), studentEvents);
    const current = currentMastery(state, today, deps.model);
    const changed = !sameResult(before?.current ?? null, current);
    records.push({ state, current: changed ? current : (before?.current ?? current) });
    if (changed) updates.push(updateEvent(studentId, current, now));
  }
  await deps.store.save(records);
  await deps.bus.publish(updates);
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
  };
}
