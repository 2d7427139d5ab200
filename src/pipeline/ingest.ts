import type { Caller } from '../access/caller.js';
import { auditEntry } from '../audit/audit-access.js';
import { dayNumber, dayOfInstant } from '../model/days.js';
import type { LearningEvent } from '../model/learning-event.js';
import { admissionRefusals } from '../privacy/admission.js';
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

export type Ingest = (rawEvents: readonly unknown[], caller: Caller) => Promise<IngestReport>;

function idOf(raw: unknown): string | undefined {
  const id = (raw as { event_id?: unknown } | null)?.event_id;
  return typeof id === 'string' ? id : undefined;
}

const rejected = (index: number, raw: unknown, errors: FieldError[]): EventOutcome => {
  const event_id = idOf(raw);
  return event_id === undefined ? { index, status: 'rejected', errors } : { index, event_id, status: 'rejected', errors };
};

/** The first instant still inside the retention period: the start of the oldest day kept. */
export function retentionStartMs(nowMs: number, retentionDays: number): number {
  return (dayNumber(dayOfInstant(nowMs)) - retentionDays) * 86_400_000;
}

/**
 * The one pipeline every entry point uses, a batch at a time: validate → admit (tombstones,
 * consent) → append to the event log (a known event_id stops there: duplicate) → fold into
 * state → compute → save → publish. Refused events are reported by index and never stored;
 * the others go through. Every student the batch touched gets one audit entry.
 */
export function createIngest(deps: EngineDeps): Ingest {
  const serial = createSerial();
  return async (rawEvents, caller) => {
    const nowMs = deps.clock.now().getTime();
    const window = { nowMs, oldestMs: retentionStartMs(nowMs, deps.policy.retentionDays) };
    const results: EventOutcome[] = new Array(rawEvents.length);
    const valid: Array<{ index: number; event: LearningEvent }> = [];
    const firstIndexOf = new Map<string, number>();

    rawEvents.forEach((raw, index) => {
      const v = validateEvent(raw, window);
      if (!v.ok) {
        results[index] = rejected(index, raw, v.errors);
        return;
      }
      const id = v.event.event_id;
      if (firstIndexOf.has(id)) {
        results[index] = { index, event_id: id, status: 'duplicate' };
        return;
      }
      firstIndexOf.set(id, index);
      valid.push({ index, event: v.event });
    });

    const refusals = await admissionRefusals(deps, valid.map((v) => v.event));
    const fresh = valid.filter(({ index, event }) => {
      const refusal = refusals.get(event.student_id);
      if (refusal) results[index] = { index, event_id: event.event_id, status: 'rejected', errors: [refusal] };
      return refusal === undefined;
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
    await auditIngest(deps, caller, valid, results);

    const count = (status: EventOutcome['status']) => results.filter((r) => r.status === status).length;
    return { accepted: count('accepted'), duplicate: count('duplicate'), rejected: count('rejected'), results, updated };
  };
}

/** One entry per student of the batch: what was stored for them, or why it was refused. */
async function auditIngest(
  deps: EngineDeps,
  caller: Caller,
  valid: ReadonlyArray<{ index: number; event: LearningEvent }>,
  results: readonly EventOutcome[],
): Promise<void> {
  const perStudent = new Map<string, { accepted: number; duplicate: number; refused: number; reason?: string }>();
  for (const { index, event } of valid) {
    const tally = perStudent.get(event.student_id) ?? { accepted: 0, duplicate: 0, refused: 0 };
    const r = results[index]!;
    if (r.status === 'rejected') {
      tally.refused++;
      tally.reason = r.errors[0]!.message;
    } else tally[r.status]++;
    perStudent.set(event.student_id, tally);
  }
  await deps.audit.record(
    [...perStudent].map(([studentId, t]) =>
      t.refused > 0
        ? auditEntry(deps, caller, studentId, 'events.ingest', 'refused', { events: t.refused, reason: t.reason! })
        : auditEntry(deps, caller, studentId, 'events.ingest', 'allowed', { accepted: t.accepted, duplicate: t.duplicate }),
    ),
  );
}
