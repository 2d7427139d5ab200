import type { LearningEvent } from '../model/learning-event.js';
import type { FieldError } from '../validation/field-errors.js';
import { validateEvent } from '../validation/validate-event.js';
import { applyEvents } from './apply-events.js';
import type { EngineDeps } from './engine-deps.js';
import { createSerial } from './serial.js';

export type EventOutcome =
  | { index: number; event_id: string; status: 'accepted' | 'duplicate' }
  | { index: number; event_id?: string; status: 'rejected'; errors: FieldError[] };

export interface IngestReport {
  accepted: number;
  duplicate: number;
  rejected: number;
  results: EventOutcome[];
  /** The students whose result changed, one mastery.updated each. */
  updated: string[];
}

export type Ingest = (rawEvents: readonly unknown[]) => Promise<IngestReport>;

function idOf(raw: unknown): string | undefined {
  const id = (raw as { event_id?: unknown } | null)?.event_id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * The one pipeline every entry point uses, a batch at a time: validate → append to the event
 * log (a known event_id stops there: duplicate) → fold into state → compute → save → publish.
 * Invalid events are reported by index and never stored; the valid ones go through.
 */
export function createIngest(deps: EngineDeps): Ingest {
  const serial = createSerial();
  return async (rawEvents) => {
    const nowMs = deps.clock.now().getTime();
    const results: EventOutcome[] = new Array(rawEvents.length);
    const fresh: Array<{ index: number; event: LearningEvent }> = [];
    const firstIndexOf = new Map<string, number>();

    rawEvents.forEach((raw, index) => {
      const v = validateEvent(raw, nowMs);
      if (!v.ok) {
        const event_id = idOf(raw);
        results[index] = event_id === undefined ? { index, status: 'rejected', errors: v.errors } : { index, event_id, status: 'rejected', errors: v.errors };
        return;
      }
      const id = v.event.event_id;
      if (firstIndexOf.has(id)) {
        results[index] = { index, event_id: id, status: 'duplicate' };
        return;
      }
      firstIndexOf.set(id, index);
      fresh.push({ index, event: v.event });
    });

    const stored = await deps.log.append(fresh.map((f) => f.event));
    const toApply: LearningEvent[] = [];
    const known: string[] = [];
    for (const { index, event } of fresh) {
      const isNew = stored.has(event.event_id);
      results[index] = { index, event_id: event.event_id, status: isNew ? 'accepted' : 'duplicate' };
      if (isNew) toApply.push(event);
      else known.push(event.event_id);
    }
    // A duplicate the state store never applied was logged by a run that stopped before its
    // write (a crash, a store outage): apply it now, as the log holds it.
    const unapplied = known.length > 0 ? await deps.store.unprocessed(known) : new Set<string>();
    if (unapplied.size > 0) toApply.push(...(await deps.log.readEvents([...unapplied])));
    const updated = await serial(() => applyEvents(deps, toApply));

    const count = (status: EventOutcome['status']) => results.filter((r) => r.status === status).length;
    return { accepted: count('accepted'), duplicate: count('duplicate'), rejected: count('rejected'), results, updated };
  };
}
