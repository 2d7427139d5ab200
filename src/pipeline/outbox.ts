import type { MasteryUpdated } from '../ports/bus.js';
import type { EngineDeps } from '../engine-deps.js';

/*
 * The outbox. Each update is saved with its student's write, in the state store's atomic step
 * (StudentWrite.update), before it is published; once the bus has it, it is acknowledged
 * (removed). An update a crash or a failed publish left there is published again, with its own
 * event_id, so publication is at least once and a consumer drops repeats by event_id.
 */

/**
 * How many of the latest logged events start-up checks. A run that stops leaves unapplied only
 * the batches it had in hand, and those are the newest in the log: 10 concurrent batches of
 * the largest size fit.
 */
export const RECOVERY_WINDOW = 10_000;

/** How many students' pending updates are read (and published) at once. */
const PAGE = 1000;

/** Publishes updates, then takes them out of the outbox: a crash in between publishes them again. */
export async function publishUpdates(deps: EngineDeps, updates: readonly MasteryUpdated[]): Promise<void> {
  if (updates.length === 0) return;
  await deps.bus.publish(updates);
  await deps.store.acknowledge(updates);
}

const byTimestamp = (a: MasteryUpdated, b: MasteryUpdated) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0);

/**
 * Publishes what the outbox still holds for these students, oldest first, each with the
 * event_id it was saved with; returns how many. A student has one pending update at most.
 */
export async function republishPending(deps: EngineDeps, studentIds: Iterable<string>): Promise<number> {
  const ids = [...new Set(studentIds)];
  let published = 0;
  for (let i = 0; i < ids.length; i += PAGE) {
    const pending = await deps.store.pendingUpdates(ids.slice(i, i + PAGE));
    await publishUpdates(deps, pending.sort(byTimestamp));
    published += pending.length;
  }
  return published;
}

/**
 * At start: publishes the pending updates of the students of the latest logged events. A run
 * that stops between a write and its publish leaves pending only the batches it had in hand,
 * and those are the newest in the log (as for recoverUnapplied). An older one is published
 * when its events come again (a resend, a Kafka redelivery: see createIngest).
 */
export async function republishRecent(deps: EngineDeps, window = RECOVERY_WINDOW): Promise<number> {
  const latest = await deps.log.readLatest(window);
  return republishPending(
    deps,
    latest.map((e) => e.student_id),
  );
}
