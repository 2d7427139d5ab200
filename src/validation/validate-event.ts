import { Ajv, type ValidateFunction } from 'ajv';
import type { LearningEvent } from '../model/learning-event.js';
import { DEFAULT_TOPIC } from '../model/types.js';
import {
  DATA_SCHEMAS,
  EventEnvelopeSchema,
  MAX_EVENT_BYTES,
  MAX_FUTURE_SKEW_MS,
  MAX_NESTING_DEPTH,
  ResponseDataSchema,
  type EventEnvelopeInput,
} from './event-schema.js';
import { fieldErrors, fieldPath, type FieldError } from './field-errors.js';
import { jsonBytesBound, tooDeep } from './json-walk.js';
import { parseRfc3339 } from './rfc3339.js';

export type Validation = { ok: true; event: LearningEvent } | { ok: false; errors: FieldError[] };

const ajv = new Ajv({ allErrors: true, strict: false });
const checkEnvelope = ajv.compile<EventEnvelopeInput>(EventEnvelopeSchema);
const checkData: Record<keyof typeof DATA_SCHEMAS, ValidateFunction> = {
  completion: ajv.compile(DATA_SCHEMAS.completion),
  quiz: ajv.compile(DATA_SCHEMAS.quiz),
  quality: ajv.compile(DATA_SCHEMAS.quality),
  consistency: ajv.compile(DATA_SCHEMAS.consistency),
};
const checkResponse = ajv.compile(ResponseDataSchema);

/** The size of an event as sent: its JSON in UTF-8. */
function eventBytes(raw: unknown): number {
  return Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
}

type Loose = Record<string, unknown>;

/** NUL and lone surrogates have no place in PostgreSQL's text or jsonb: such an event could not be stored. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what this pattern finds.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const storableText = (s: string) => !UNSTORABLE.test(s);

const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
// Object.hasOwn, not `in`: a component called "valueOf" or "__proto__" must not find Object's own.
const isComponent = (v: unknown): v is keyof typeof DATA_SCHEMAS => typeof v === 'string' && Object.hasOwn(DATA_SCHEMAS, v);

/*
 * The checks below read the event loosely, so that they can run even when the envelope has
 * failed and the producer learns every broken rule at once; each skips what the envelope
 * check already reports (a timestamp that is not a string, data that is not an object).
 */

/** The window an event's timestamp must fall in: not in the future, not past retention. */
export interface TimeWindow {
  nowMs: number;
  /** Events older than this (epoch ms) would be purged at once: they are refused. */
  oldestMs?: number;
}

/**
 * A leap second: valid RFC 3339, refused all the same. Instants are ordered as UTC keys and
 * epoch milliseconds, in which 23:59:60 does not exist, and clocks that feed learning platforms
 * (NTP, smeared) never report one; taking it as :59.999 would silently reorder two events.
 */
const LEAP_SECOND = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:60(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Rules that span fields, which JSON Schema cannot state (events.md). */
function crossFieldErrors(e: Loose, window: TimeWindow): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof e.timestamp === 'string') {
    const when = parseRfc3339(e.timestamp);
    if (when === null && LEAP_SECOND.test(e.timestamp)) {
      errors.push({ field: 'timestamp', message: 'is a leap second (:60), which the engine does not take: send it as :59.999 of that minute' });
    } else if (when === null) {
      errors.push({ field: 'timestamp', message: 'must be an RFC 3339 date-time with an offset, e.g. 2026-01-14T10:30:00Z' });
    } else if (when.epochMs > window.nowMs + MAX_FUTURE_SKEW_MS) {
      errors.push({ field: 'timestamp', message: 'must not be more than 5 minutes in the future' });
    } else if (window.oldestMs !== undefined && when.epochMs < window.oldestMs) {
      errors.push({ field: 'timestamp', message: 'is older than the retention period: such data is not kept' });
    }
  }
  if (e.event_type === 'mastery.calculation.requested' && e.component === undefined) {
    errors.push({ field: 'component', message: 'is required for mastery.calculation.requested' });
  }
  if ((e.event_type === 'activity.recorded' || e.event_type === 'response.recorded') && e.component !== undefined) {
    errors.push({ field: 'component', message: `must be absent for ${e.event_type}` });
  }
  if (isObject(e.metadata)) {
    for (const [key, value] of Object.entries(e.metadata)) {
      if (!storableText(key) || (typeof value === 'string' && !storableText(value))) {
        errors.push({ field: fieldPath('metadata', key), message: 'must not contain NUL characters or unpaired UTF-16 surrogates' });
      }
    }
  }
  const data = isObject(e.data) ? e.data : {};
  const exceeds = (part: string, whole: string) => typeof data[part] === 'number' && typeof data[whole] === 'number' && data[part] > data[whole];
  if (e.component === 'completion' && exceeds('completed_exercises', 'total_exercises')) {
    errors.push({ field: 'data.completed_exercises', message: `must not exceed data.total_exercises (${data.total_exercises})` });
  }
  if (e.component === 'quiz' && exceeds('correct_answers', 'total_questions')) {
    errors.push({ field: 'data.correct_answers', message: `must not exceed data.total_questions (${data.total_questions})` });
  }
  return errors;
}

/**
 * The shape of `data` for the event's component (activity.recorded: like consistency, `{}`;
 * response.recorded: one answer).
 */
function dataErrors(e: Loose): FieldError[] {
  if (e.event_type === 'response.recorded') {
    if (e.data === undefined) return [{ field: 'data', message: 'is required for response.recorded: { item_id, correct, attempt?, seconds? }' }];
    if (!isObject(e.data)) return [];
    return checkResponse(e.data) ? [] : fieldErrors(checkResponse.errors ?? [], 'data');
  }
  const component = e.event_type === 'activity.recorded' ? 'consistency' : e.component;
  if (!isComponent(component)) return [];
  if (e.data === undefined) {
    return component === 'consistency' ? [] : [{ field: 'data', message: `is required for component ${component}` }];
  }
  if (!isObject(e.data)) return [];
  const check = checkData[component];
  return check(e.data) ? [] : fieldErrors(check.errors ?? [], 'data');
}

/**
 * Checks one event against events.md and returns it normalised (lower-case event_id, topic
 * defaulted to `general`, `data` present, upper-case `T`/`Z`), or every rule it breaks, each
 * naming its field. `when` is the clock (for the 5-minute future limit), or a window that also
 * bounds how old an event may be.
 */
export function validateEvent(raw: unknown, when: number | TimeWindow): Validation {
  const window = typeof when === 'number' ? { nowMs: when } : when;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: '(event)', message: 'must be a JSON object' }] };
  }
  const deep = tooDeep(raw, MAX_NESTING_DEPTH);
  if (deep !== null) {
    return {
      ok: false,
      errors: [{ field: fieldPath('', deep), message: `nests objects or arrays deeper than ${MAX_NESTING_DEPTH} levels, the most an event may` }],
    };
  }
  if (jsonBytesBound(raw) > MAX_EVENT_BYTES) {
    const bytes = eventBytes(raw);
    if (bytes > MAX_EVENT_BYTES) {
      return { ok: false, errors: [{ field: '(event)', message: `is ${bytes} bytes; at most ${MAX_EVENT_BYTES} are allowed` }] };
    }
  }
  const envelopeOk = checkEnvelope(raw);
  const errors = [...(envelopeOk ? [] : fieldErrors(checkEnvelope.errors ?? [])), ...dataErrors(raw as Loose), ...crossFieldErrors(raw as Loose, window)];
  if (!envelopeOk || errors.length > 0) return { ok: false, errors };
  const event = {
    ...raw,
    event_id: raw.event_id.toLowerCase(),
    timestamp: raw.timestamp.toUpperCase(),
    topic: raw.topic ?? DEFAULT_TOPIC,
    data: raw.data ?? {},
  } as LearningEvent;
  return { ok: true, event };
}
