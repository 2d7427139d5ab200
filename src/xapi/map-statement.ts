import { UUID_PATTERN } from '../validation/event-schema.js';
import type { FieldError } from '../validation/field-errors.js';
import { tooDeep } from '../validation/json-walk.js';
import { derivedStatementId } from './statement-id.js';
import { isObject, isProblem, type Loose, type Reading } from './statement-reading.js';
import { itemIdOf, quizOf, secondsOf } from './statement-result.js';
import { studentOf } from './statement-student.js';
import { timeOf } from './statement-time.js';
import { topicOf } from './statement-topic.js';
import { VOIDED_VERB, type XapiMapping } from './xapi-mapping.js';
import { statementVersionProblem } from './xapi-version.js';

/** How deep a statement may nest (H5P's deepest need 7); checked before anything recurses into it. */
export const MAX_STATEMENT_DEPTH = 24;

const UUID = new RegExp(UUID_PATTERN);

/** One statement as the engine's event, and where each of the event's fields came from. */
export interface MappedStatement {
  statementId: string;
  /** An input event of events.md, still to be validated and admitted by the pipeline like any other. */
  event: Record<string, unknown>;
  /** Engine field → statement field, so that a refusal by the pipeline names the statement's field. */
  sources: Record<string, string>;
}

export type StatementMapping = { ok: true; mapped: MappedStatement } | { ok: false; statementId?: string; errors: FieldError[] };

type Kind =
  | { event_type: 'response.recorded'; data: Record<string, unknown>; sources: Record<string, string> }
  | { event_type: 'mastery.calculation.requested'; component: 'quiz'; data: Record<string, unknown>; sources: Record<string, string> }
  | { event_type: 'activity.recorded'; data: Record<string, never>; sources: Record<string, string> };

const ACTIVITY: Kind = { event_type: 'activity.recorded', data: {}, sources: {} };

/**
 * What the verb makes of the statement: an answer (an answered verb with result.success), a
 * quiz report (an assessment verb with a score), or else a day of activity.
 */
function kindOf(s: Loose, verb: string, mapping: XapiMapping): Kind | FieldError {
  const result = isObject(s.result) ? s.result : undefined;
  if (s.result !== undefined && result === undefined) return { field: 'result', message: 'must be an object' };
  if (mapping.answeredVerbs.includes(verb)) {
    const success = result?.success;
    if (success === undefined) return ACTIVITY;
    if (typeof success !== 'boolean') return { field: 'result.success', message: 'must be true or false' };
    const objectId = isObject(s.object) ? s.object.id : undefined;
    if (typeof objectId !== 'string' || objectId === '') return { field: 'object.id', message: 'is required: it names the item answered' };
    const data: Record<string, unknown> = { item_id: itemIdOf(objectId), correct: success };
    if (result?.duration !== undefined) {
      const seconds = secondsOf(result.duration);
      if (isProblem(seconds)) return seconds;
      data.seconds = seconds.value;
    }
    return {
      event_type: 'response.recorded',
      data,
      sources: { 'data.item_id': 'object.id', 'data.correct': 'result.success', 'data.seconds': 'result.duration' },
    };
  }
  if (mapping.assessmentVerbs.includes(verb)) {
    const quiz = quizOf(result?.score);
    if (quiz === null) return ACTIVITY;
    if (isProblem(quiz)) return quiz;
    return {
      event_type: 'mastery.calculation.requested',
      component: 'quiz',
      data: { ...quiz.value },
      sources: { 'data.total_questions': 'result.score', 'data.correct_answers': 'result.score' },
    };
  }
  return ACTIVITY;
}

/** Collects a reading's value, or its problem into `errors`. */
function take<T>(reading: Reading<T>, errors: FieldError[]): Reading<T> {
  if (isProblem(reading)) errors.push(reading);
  return reading;
}

/**
 * One xAPI statement → one engine event (docs/xapi.md), or every reason it cannot be one, each
 * naming the statement's field. Pure: `now` stands in for a statement without a time.
 */
export function mapStatement(raw: unknown, mapping: XapiMapping, now: Date): StatementMapping {
  if (!isObject(raw)) return { ok: false, errors: [{ field: '(statement)', message: 'must be a JSON object' }] };
  const deep = tooDeep(raw, MAX_STATEMENT_DEPTH);
  if (deep !== null) return { ok: false, errors: [{ field: deep, message: `nests objects or arrays deeper than ${MAX_STATEMENT_DEPTH} levels` }] };

  const errors: FieldError[] = [];
  const hasId = raw.id !== undefined;
  const idOk = typeof raw.id === 'string' && UUID.test(raw.id);
  if (hasId && !idOk) errors.push({ field: 'id', message: 'must be a UUID' });
  const statementId = !hasId ? derivedStatementId(raw) : idOk ? (raw.id as string).toLowerCase() : undefined;
  const versionProblem = statementVersionProblem(raw.version);
  if (versionProblem) errors.push({ field: 'version', message: versionProblem });
  const student = take(studentOf(raw.actor, mapping.studentFrom), errors);
  const verb = isObject(raw.verb) && typeof raw.verb.id === 'string' && raw.verb.id !== '' ? raw.verb.id : undefined;
  if (verb === undefined) errors.push({ field: 'verb.id', message: "is required: the verb's IRI" });
  if (verb === VOIDED_VERB)
    errors.push({ field: 'verb.id', message: 'is voided: the engine cannot take back an event it has applied, so it does not take voiding statements' });
  if (!isObject(raw.object)) errors.push({ field: 'object', message: 'is required: what the statement is about' });
  const topic = topicOf(raw, mapping);
  if (isProblem(topic)) errors.push(topic);
  const kind = verb === undefined ? ACTIVITY : kindOf(raw, verb, mapping);
  if ('message' in kind) errors.push(kind);
  if (errors.length > 0 || isProblem(student) || isProblem(topic) || 'message' in kind) {
    return statementId === undefined ? { ok: false, errors } : { ok: false, statementId, errors };
  }

  const time = timeOf(raw, now);
  const objectId = (raw.object as Loose).id;
  const event: Record<string, unknown> = {
    event_id: statementId,
    event_type: kind.event_type,
    timestamp: time.value,
    student_id: student.value,
    ...(topic === null ? {} : { topic: topic.value }),
    ...('component' in kind ? { component: kind.component } : {}),
    data: kind.data,
    metadata: { source: 'xapi', xapi_verb: verb!, ...(typeof objectId === 'string' ? { xapi_object: objectId } : {}) },
  };
  const sources: Record<string, string> = {
    event_id: hasId ? 'id' : '(statement)',
    timestamp: time.field,
    student_id: student.field,
    ...(topic === null ? {} : { topic: topic.field }),
    'metadata.xapi_verb': 'verb.id',
    'metadata.xapi_object': 'object.id',
    ...kind.sources,
  };
  return { ok: true, mapped: { statementId: statementId!, event, sources } };
}

/** An engine field error as the statement's field: what the producer can find in what it sent. */
export function statementError(error: FieldError, sources: Readonly<Record<string, string>>): FieldError {
  return { field: sources[error.field] ?? error.field, message: error.message };
}
