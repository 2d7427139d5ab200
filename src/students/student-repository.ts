import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineDeps } from '../engine-deps.js';
import { Errors } from '../errors.js';
import { dayOfInstant } from '../model/days.js';
import type { LearningEvent } from '../model/learning-event.js';
import { evolveAll } from '../model/fast/evolve-all.js';
import { initialState, type StudentState } from '../model/student-state.js';
import type { StudentRecord, StudentWrite } from '../ports/state-store.js';
import { recordFor, studentWrite } from './student-record.js';

/*
 * Where every use case gets its students and puts them back: the state store first, the event
 * log for the students it lacks, and one retry loop for writes another writer beat.
 */

/** How often a write is planned again after another writer changed the same student first. */
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

/** A student's state from its events in the log (in any order: the fold does not mind). */
export function stateFromEvents(studentId: string, events: readonly LearningEvent[]): StudentState {
  return evolveAll(initialState(studentId), events);
}

/** A student's record as a use case starts from it. */
export interface StudentBase {
  record: StudentRecord;
  /** The version to name when writing it back; null when the store held nothing. */
  etag: string | null;
  /** When the store had lost the student: the log's events the record was rebuilt from. */
  rebuiltFrom: LearningEvent[] | null;
}

/**
 * The records of these students: from the state store, and for any it lacks (evicted, expired,
 * a Redis restarted empty) rebuilt from the event log — the third cache level. Students known
 * to neither are left out. `writeBack`: put the rebuilt ones back into the store, so the next
 * read finds them there (a conflict means another writer stored the student first: theirs
 * stands).
 */
export async function loadStudents(deps: EngineDeps, studentIds: readonly string[], options: { writeBack?: boolean } = {}): Promise<Map<string, StudentBase>> {
  const loaded = await deps.store.load(studentIds);
  const bases = new Map<string, StudentBase>();
  for (const [id, { etag, ...record }] of loaded) bases.set(id, { record, etag, rebuiltFrom: null });
  const missing = studentIds.filter((id) => !loaded.has(id));
  if (missing.length === 0) return bases;
  const rebuilt = await deps.log.readStudents(missing);
  for (const [id, events] of rebuilt) {
    bases.set(id, { record: { state: stateFromEvents(id, events), current: null }, etag: null, rebuiltFrom: events });
  }
  if (options.writeBack && rebuilt.size > 0) {
    const today = dayOfInstant(deps.clock.now().getTime());
    const params = deps.learner.current();
    await deps.store.save(
      [...rebuilt.keys()].map((id) => {
        const { record, rebuiltFrom } = bases.get(id)!;
        return studentWrite({ record: recordFor(record.state, today, deps.model, params), etag: null, applied: rebuiltFrom!, incremental: false }, deps.model);
      }),
    );
  }
  return bases;
}

/**
 * Writes students with the one retry loop: `plan` makes the writes of the students still
 * pending, loading whatever it folds onto; a student another writer changed in between is
 * planned again after a random wait, up to MAX_WRITE_ATTEMPTS times (then STATE_CONFLICT).
 * Returns the writes the store took.
 */
export async function commitWrites(
  deps: EngineDeps,
  studentIds: readonly string[],
  plan: (pending: string[], attempt: number) => Promise<StudentWrite[]>,
): Promise<StudentWrite[]> {
  const taken: StudentWrite[] = [];
  let pending = [...studentIds];
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_WRITE_ATTEMPTS) throw Errors.stateConflict(pending);
    const planned = await plan(pending, attempt);
    const { conflicts } = await deps.store.save(planned);
    const refused = new Set(conflicts);
    for (const w of planned) if (!refused.has(w.record.state.student_id)) taken.push(w);
    pending = conflicts;
    if (pending.length > 0) await backOff(attempt);
  }
  return taken;
}

/**
 * Rewrites these students' records from their events in the log, naming the versions replaced:
 * a student the live service changes meanwhile is read again from the log and rebuilt, never
 * overwritten with an older picture.
 */
export async function rebuildStudents(deps: EngineDeps, events: ReadonlyMap<string, LearningEvent[]>): Promise<void> {
  const today = dayOfInstant(deps.clock.now().getTime());
  await commitWrites(deps, [...events.keys()], async (pending, attempt) => {
    const fromLog = attempt === 1 ? events : await deps.log.readStudents(pending);
    const held = await deps.store.load(pending);
    const params = deps.learner.current();
    return pending.flatMap((id) => {
      const studentEvents = fromLog.get(id);
      if (studentEvents === undefined) return []; // erased meanwhile: nothing to rebuild
      const state = stateFromEvents(id, studentEvents);
      return [
        studentWrite(
          { record: recordFor(state, today, deps.model, params), etag: held.get(id)?.etag ?? null, applied: studentEvents, incremental: false },
          deps.model,
        ),
      ];
    });
  });
}
