import type { FieldError } from '../validation/field-errors.js';
import { type MappedStatement, mapStatement } from './map-statement.js';
import { isObject } from './statement-reading.js';
import type { XapiMapping } from './xapi-mapping.js';

/** A statement the mapping cannot use: its place in what was sent, its id where known, and why. */
export interface StatementRefusal {
  index: number;
  statement_id?: string;
  errors: FieldError[];
}

export type StatementsMapping = { ok: true; mapped: MappedStatement[] } | { ok: false; refusals: StatementRefusal[] };

/**
 * One statement or an array of them, all or nothing: every statement maps, or none is used and
 * each one that cannot map is named by its index with its reasons.
 */
export function mapStatements(body: unknown, mapping: XapiMapping, now: Date): StatementsMapping {
  const statements: unknown[] = Array.isArray(body) ? body : [body];
  const mapped: MappedStatement[] = [];
  const refusals: StatementRefusal[] = [];
  statements.forEach((statement, index) => {
    const r = mapStatement(statement, mapping, now);
    if (r.ok) mapped.push(r.mapped);
    else refusals.push(r.statementId === undefined ? { index, errors: r.errors } : { index, statement_id: r.statementId, errors: r.errors });
  });
  return refusals.length > 0 ? { ok: false, refusals } : { ok: true, mapped };
}

/** An object with a verb and no event_type: a statement, not an engine event. */
export function looksLikeStatement(value: unknown): boolean {
  return isObject(value) && value.verb !== undefined && value.event_type === undefined;
}

/** A Kafka message holds xAPI when it is a statement, or an array with one among its items. */
export function isXapiMessage(value: unknown): boolean {
  return looksLikeStatement(value) || (Array.isArray(value) && value.some(looksLikeStatement));
}
