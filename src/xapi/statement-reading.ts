import type { FieldError } from '../validation/field-errors.js';

/** A statement read loosely: every field is checked where it is used, and named when it is wrong. */
export type Loose = Record<string, unknown>;

export const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at a dotted path of plain object keys, or undefined when a step is missing. */
export function at(root: unknown, ...path: string[]): unknown {
  let current = root;
  for (const key of path) {
    if (!isObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/** What a statement's field became, and which field of the statement it came from. */
export interface Read<T> {
  value: T;
  field: string;
}

export type Reading<T> = Read<T> | FieldError;

export const isProblem = <T>(r: Reading<T> | null): r is FieldError => r !== null && 'message' in r;
