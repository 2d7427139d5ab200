import { applyEvents } from './apply-events.js';
import type { EngineDeps } from '../engine-deps.js';
import { RECOVERY_WINDOW } from './outbox.js';

/**
 * Applies the events a previous run logged but stopped before applying (a crash between the
 * log append and the state write): the latest logged events without a processed marker.
 * Without this, such students would lag behind the log until their producer resent.
 */
export async function recoverUnapplied(deps: EngineDeps, window = RECOVERY_WINDOW): Promise<number> {
  const latest = await deps.log.readLatest(window);
  if (latest.length === 0) return 0;
  const unapplied = await deps.store.unprocessed(latest.map((e) => e.event_id));
  if (unapplied.size === 0) return 0;
  await applyEvents(
    deps,
    latest.filter((e) => unapplied.has(e.event_id)),
  );
  return unapplied.size;
}
