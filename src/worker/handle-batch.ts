import type { Caller } from '../access/caller.js';
import type { MessageCodec } from '../adapters/kafka/message-codec.js';
import { EngineError } from '../errors.js';
import type { Ingest, IngestReport } from '../pipeline/ingest.js';
import { MAX_NESTING_DEPTH } from '../validation/event-schema.js';
import { tooDeep } from '../validation/json-walk.js';
import { statementError } from '../xapi/map-statement.js';
import { isXapiMessage, mapStatements } from '../xapi/map-statements.js';
import { DEFAULT_XAPI_MAPPING, type XapiMapping } from '../xapi/xapi-mapping.js';

/** A message as it arrives from mastery.requests or mastery.retry. */
export interface InboundMessage {
  key: Buffer | null;
  value: Buffer | null;
}

/** A message to send on, keyed like the one it came from (by student). */
export interface OutboundMessage {
  key: Buffer | null;
  value: Buffer;
  /** On the retry topic: `retry-count`, so the back-off is known without decoding the event. */
  headers?: Record<string, string>;
}

/** The header that carries a retried message's retry_count. */
export const RETRY_COUNT_HEADER = 'retry-count';

/** Where a batch's leftovers go; resolves once the broker has them. */
export interface WorkerSinks {
  retry(messages: OutboundMessage[]): Promise<void>;
  deadLetter(messages: OutboundMessage[]): Promise<void>;
}

export interface HandleDeps {
  ingest: Ingest;
  /** Who the audit trail names for events that come through Kafka. */
  caller: Caller;
  codec: MessageCodec;
  sinks: WorkerSinks;
  now: () => Date;
  /** After this many retries a message goes to the dead-letter topic (events.md: 3). */
  maxRetries: number;
  /** How a message that holds xAPI statements becomes events (docs/xapi.md), as over HTTP; the documented defaults when absent. */
  xapi?: XapiMapping;
  /** Told of every message dead-lettered, with its event id where it has one and why: the worker logs a line each. */
  onDeadLetter?: (entry: { event_id: string | null; reason: string }) => void;
}

export interface BatchOutcome {
  accepted: number;
  duplicate: number;
  invalid: number;
  retried: number;
  deadLettered: number;
}

/**
 * The dead-letter record of events.md: `{ original_event, error, timestamp }`. An event nested
 * deeper than events may be goes with its raw bytes in base64, as an undecodable message does:
 * writing it back as JSON could overflow the stack, and whether it does depends on the Node.js
 * version (20 overflows at a few thousand levels, 26 does not), so the limit decides, not luck.
 */
function deadLetter(key: Buffer | null, original: unknown, error: string, now: Date, raw?: Buffer): OutboundMessage {
  const record = (event: unknown) => JSON.stringify({ original_event: event, error, timestamp: now.toISOString() });
  const deep = raw !== undefined && typeof original === 'object' && original !== null && tooDeep(original, MAX_NESTING_DEPTH) !== null;
  return { key, value: Buffer.from(record(deep ? raw.toString('base64') : original)) };
}

interface Decoded {
  key: Buffer | null;
  event: unknown;
  raw: Buffer;
  /** For an event mapped from an xAPI statement: the statement (what is dead-lettered) and its fields' sources. */
  statement?: { original: unknown; sources: Record<string, string> };
}

/**
 * One batch of mastery.requests (or mastery.retry), as a plain function so the retry and
 * dead-letter decisions are tested without a broker: undecodable messages (not JSON, not the
 * Avro schema) go to the dead-letter topic with their raw bytes in base64; the rest go through
 * the pipeline in one call, and each invalid or refused event is dead-lettered with its error.
 * When the pipeline fails for a transient reason (a store down, a timeout), every event of the
 * batch goes to the retry topic with retry_count + 1, or after `maxRetries` to the dead-letter
 * topic. It resolves once every message is applied, retried or dead-lettered: only then may the
 * caller commit the offsets.
 */
export async function handleBatch(messages: readonly InboundMessage[], deps: HandleDeps): Promise<BatchOutcome> {
  const now = deps.now();
  const dead: OutboundMessage[] = [];
  const bury = (key: Buffer | null, original: unknown, reason: string, raw?: Buffer) => {
    dead.push(deadLetter(key, original, reason, now, raw));
    const id = (original as { event_id?: unknown } | null)?.event_id;
    deps.onDeadLetter?.({ event_id: typeof id === 'string' ? id : null, reason });
  };
  const decoded: Decoded[] = [];
  for (const m of messages) {
    const raw = m.value ?? Buffer.alloc(0);
    let value: unknown;
    try {
      value = deps.codec.decodeEvent(raw);
    } catch (error) {
      bury(m.key, raw.toString('base64'), (error as Error).message);
      continue;
    }
    if (!isXapiMessage(value)) {
      decoded.push({ key: m.key, event: value, raw });
      continue;
    }
    // A statement, or an array of them: mapped all or nothing, as over HTTP; each becomes an event of the batch.
    const mapping = mapStatements(value, deps.xapi ?? DEFAULT_XAPI_MAPPING, now);
    if (!mapping.ok) {
      const reasons = mapping.refusals.flatMap((r) => r.errors.map((e) => `${Array.isArray(value) ? `statement ${r.index}: ` : ''}${e.field} ${e.message}`));
      bury(m.key, value, reasons.join('; '), raw);
      continue;
    }
    const statements: unknown[] = Array.isArray(value) ? value : [value];
    for (const [i, s] of mapping.mapped.entries()) {
      decoded.push({ key: m.key, event: s.event, raw, statement: { original: statements[i], sources: s.sources } });
    }
  }
  const outcome: BatchOutcome = { accepted: 0, duplicate: 0, invalid: 0, retried: 0, deadLettered: 0 };
  outcome.invalid = dead.length;

  let report: IngestReport | undefined;
  let failure: Error | undefined;
  if (decoded.length > 0) {
    try {
      report = await deps.ingest(
        decoded.map((d) => d.event),
        deps.caller,
      );
    } catch (error) {
      failure = error as Error;
    }
  }

  const retries: OutboundMessage[] = [];
  if (report) {
    outcome.accepted = report.accepted;
    outcome.duplicate = report.duplicate;
    for (const r of report.results) {
      if (r.status !== 'rejected') continue;
      const d = decoded[r.index]!;
      const errors = d.statement ? r.errors.map((e) => statementError(e, d.statement!.sources)) : r.errors;
      const error = errors.map((e) => `${e.field} ${e.message}`).join('; ');
      bury(d.key, d.statement ? d.statement.original : d.event, error, d.raw);
      outcome.invalid++;
    }
  } else if (failure) {
    // The error's kind decides: a store down or a conflict may pass on a later try; a bug (a
    // TypeError, anything the engine did not raise as retryable) would fail every time.
    const retryable = failure instanceof EngineError && failure.canRetry;
    for (const d of decoded) {
      const event = d.event as Record<string, unknown>;
      const tries = typeof event?.retry_count === 'number' ? event.retry_count : 0;
      if (!retryable) {
        bury(d.key, d.event, `not retried, as trying again cannot succeed: ${failure.message}`, d.raw);
      } else if (tries >= deps.maxRetries) {
        bury(d.key, d.event, `gave up after ${tries} retries: ${failure.message}`, d.raw);
      } else {
        retries.push({
          key: d.key,
          value: deps.codec.encodeEvent({ ...event, retry_count: tries + 1 }),
          headers: { [RETRY_COUNT_HEADER]: String(tries + 1) },
        });
      }
    }
  }
  outcome.deadLettered = dead.length;

  outcome.retried = retries.length;
  await Promise.all([retries.length > 0 ? deps.sinks.retry(retries) : undefined, dead.length > 0 ? deps.sinks.deadLetter(dead) : undefined]);
  return outcome;
}
