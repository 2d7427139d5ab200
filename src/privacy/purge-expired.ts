import { addDays, dayOfInstant } from '../model/days.js';
import type { EngineDeps } from '../engine-deps.js';
import { rebuildStudents } from '../students/student-repository.js';

export interface PurgeReport {
  /** The first instant kept: the start of the oldest day inside the retention period. */
  cutoff: string;
  events: number;
  students: number;
  erased_leftovers: number;
  audit_entries: number;
}

/**
 * Retention: removes from every store what is older than the retention period — events from
 * the log, the days they made from each student's state (rebuilt from what is left, or removed
 * when nothing is), and audit entries — and sweeps up anything an erased student left behind
 * (an event that was in flight at the moment of erasure). Run by serve on a schedule and by
 * `mastery purge`; running it twice changes nothing more.
 */
export async function purgeExpired(deps: EngineDeps): Promise<PurgeReport> {
  const today = dayOfInstant(deps.clock.now().getTime());
  const cutoff = `${addDays(today, -deps.policy.retentionDays)}T00:00:00.000Z`;
  const purged = await deps.log.purgeBefore(cutoff);
  const remaining = await deps.log.readStudents([...purged.keys()]);
  await rebuildStudents(deps, remaining);
  const emptied = [...purged.keys()].filter((id) => !remaining.has(id));
  const purgedIds = [...purged.values()].flat();
  if (emptied.length > 0 || purgedIds.length > 0) await deps.store.remove(emptied, purgedIds);

  let leftovers = 0;
  for (const id of await deps.privacy.erasedStudents()) {
    const ids = await deps.log.eraseStudent(id);
    const held = (await deps.store.load([id])).has(id);
    if (ids.length > 0 || held) await deps.store.remove([id], ids);
    leftovers += ids.length;
  }
  return {
    cutoff,
    events: purgedIds.length,
    students: purged.size,
    erased_leftovers: leftovers,
    audit_entries: await deps.audit.purgeBefore(cutoff),
  };
}
