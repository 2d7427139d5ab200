import { assertCanWriteEvents } from '../access/access-rule.js';
import type { Caller } from '../access/caller.js';
import { auditEntry } from '../audit/audit-access.js';
import type { EngineDeps } from '../engine-deps.js';
import { dayNumber, dayOfInstant } from '../model/days.js';
import type { LearningEvent } from '../model/learning-event.js';
import { admissionRefusals } from '../privacy/admission.js';
import type { FieldError } from '../validation/field-errors.js';
import { validateEvent } from '../validation/validate-event.js';
import { applyEvents } from './apply-events.js';
import { republishPending } from './outbox.js';
import { createSerial } from './serial.js';

export type EventOutcome =
  | { index: number; event_id: string; status: 'accepted' | 'duplicate' | 'queued' }
  | { index: number; event_id?: string; status: 'rejected'; errors: FieldError[] };

export interface IngestReport {
  accepted: number;
  duplicate: number;
  rejected: number;
  /** Forwarded to mastery.requests for the worker (serve with MASTERY_HTTP_INGEST=forward). */
  queued?: number;
  results: EventOutcome[];
  /** The students whose result changed, one mastery.updated each. */
  updated: string[];
}

export interface IngestOptions {
  /**
   * Store nothing unless every event passes validation and admission: a refused event makes
   * every other event of the batch refused too (with NOT_APPLIED_FIELD), as xAPI batches are.
   */
  allOrNothing?: boolean;
}

export type Ingest = (rawEvents: readonly unknown[], caller: Caller, options?: IngestOptions) => Promise<IngestReport>;

/** The field an all-or-nothing batch names for the events refused only because another one was. */
export const NOT_APPLIED_FIELD = '(batch)';

/**
 * In an all-or-nothing batch with a refused event, the others are refused with it: true when
 * that happened (the results then say so for each), false when the batch may go on.
 */
function refuseWhole(results: EventOutcome[], admitted: Indexed[], options: IngestOptions | undefined): boolean {
  if (!options?.allOrNothing || !results.some((r) => r?.status === 'rejected')) return false;
  const errors = [{ field: NOT_APPLIED_FIELD, message: 'not applied: another event of this all-or-nothing batch was refused' }];
  for (const { index, event } of admitted) results[index] = { index, event_id: event.event_id, status: 'rejected', errors };
  return true;
}

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
 * Only service and admin tokens write events, whichever door they come through (HTTP, MCP);
 * a refusal is audited like every other, before anything of the batch is looked at.
 */
export async function assertWriter(deps: EngineDeps, caller: Caller): Promise<void> {
  try {
    assertCanWriteEvents(caller.principal);
  } catch (error) {
    await deps.audit.record([auditEntry(deps, caller, null, 'events.ingest', 'refused', { reason: (error as Error).message })]);
    throw error;
  }
}

/**
 * The one pipeline every entry point uses, a batch at a time: validate → admit (tombstones,
 * consent) → append to the event log (a known event_id stops there: duplicate) → fold into
 * state → compute → save → publish. Refused events are reported by index and never stored;
 * the others go through. Every student the batch touched gets one audit entry.
 */
export function createIngest(deps: EngineDeps): Ingest {
  const serial = createSerial();
  return async (rawEvents, caller, options) => {
    await assertWriter(deps, caller);
    const { results, valid, admitted } = await screenBatch(deps, rawEvents);
    if (refuseWhole(results, admitted, options)) {
      await auditIngest(deps, caller, valid, results);
      return summarise(results, []);
    }
    const { stored, newStudents } = await deps.log.append(admitted.map((f) => f.event));
    const toApply: LearningEvent[] = [];
    const known: string[] = [];
    for (const { index, event } of admitted) {
      const isNew = stored.has(event.event_id);
      results[index] = { index, event_id: event.event_id, status: isNew ? 'accepted' : 'duplicate' };
      if (isNew) toApply.push(event);
      else known.push(event.event_id);
    }
    // A duplicate the state store never applied was logged by a run that stopped before its
    // write (a crash, a store outage): apply it now, as the log holds it.
    const unapplied = known.length > 0 ? await deps.store.unprocessed(known) : new Set<string>();
    if (unapplied.size > 0) toApply.push(...(await deps.log.readEvents([...unapplied])));
    // Events sent again come from a producer (or a Kafka redelivery) that saw no answer: the run
    // that took them may have stopped before publishing their update. Published first, so that
    // an update of this batch for the same student follows it.
    const resent = admitted.filter(({ event }) => !stored.has(event.event_id)).map(({ event }) => event.student_id);
    const updated = await serial(async () => {
      await republishPending(deps, resent);
      return applyEvents(deps, toApply, newStudents);
    });
    await auditIngest(deps, caller, valid, results);
    return summarise(results, updated);
  };
}

/**
 * serve with MASTERY_HTTP_INGEST=forward: the same checks (so producers still learn what is
 * wrong with each event), then the admitted events go to mastery.requests for the worker.
 */
export function createForwardingIngest(deps: EngineDeps, forward: (events: LearningEvent[]) => Promise<void>): Ingest {
  return async (rawEvents, caller, options) => {
    await assertWriter(deps, caller);
    const { results, valid, admitted } = await screenBatch(deps, rawEvents);
    if (refuseWhole(results, admitted, options)) {
      await auditIngest(deps, caller, valid, results);
      return summarise(results, []);
    }
    await forward(admitted.map((a) => a.event));
    for (const { index, event } of admitted) results[index] = { index, event_id: event.event_id, status: 'queued' };
    await auditIngest(deps, caller, valid, results);
    return summarise(results, []);
  };
}

type Indexed = { index: number; event: LearningEvent };

/** Validation, duplicates within the batch, and admission (tombstones, consent), by index. */
async function screenBatch(deps: EngineDeps, rawEvents: readonly unknown[]): Promise<{ results: EventOutcome[]; valid: Indexed[]; admitted: Indexed[] }> {
  const nowMs = deps.clock.now().getTime();
  const window = { nowMs, oldestMs: retentionStartMs(nowMs, deps.policy.retentionDays) };
  const results: EventOutcome[] = new Array(rawEvents.length);
  const valid: Indexed[] = [];
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
  const refusals = await admissionRefusals(
    deps,
    valid.map((v) => v.event),
  );
  const admitted = valid.filter(({ index, event }) => {
    const refusal = refusals.get(event.student_id);
    if (refusal) results[index] = { index, event_id: event.event_id, status: 'rejected', errors: [refusal] };
    return refusal === undefined;
  });
  return { results, valid, admitted };
}

function summarise(results: EventOutcome[], updated: string[]): IngestReport {
  const count = (status: EventOutcome['status']) => results.filter((r) => r.status === status).length;
  const report: IngestReport = { accepted: count('accepted'), duplicate: count('duplicate'), rejected: count('rejected'), results, updated };
  const queued = count('queued');
  if (queued > 0) report.queued = queued;
  return report;
}

/** One entry per student of the batch: what was stored for them, or why it was refused. */
async function auditIngest(
  deps: EngineDeps,
  caller: Caller,
  valid: ReadonlyArray<{ index: number; event: LearningEvent }>,
  results: readonly EventOutcome[],
): Promise<void> {
  const perStudent = new Map<string, { accepted: number; duplicate: number; queued: number; refused: number; reason?: string }>();
  for (const { index, event } of valid) {
    const tally = perStudent.get(event.student_id) ?? { accepted: 0, duplicate: 0, queued: 0, refused: 0 };
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
        : auditEntry(
            deps,
            caller,
            studentId,
            'events.ingest',
            'allowed',
            t.queued > 0 ? { queued: t.queued } : { accepted: t.accepted, duplicate: t.duplicate },
          ),
    ),
  );
}
