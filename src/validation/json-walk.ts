/*
 * Two questions validation asks of every event before its schema: how deep it nests, and
 * whether its JSON can exceed the size limit. Both walk the parsed value without building
 * anything: they run on every event of every batch, and allocation is what the ingest's
 * garbage collector pays for.
 */

const isPlain = (v: object) => {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === Array.prototype || proto === null;
};

function nestsDeeper(value: unknown, depth: number, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  // The recursion stops at `limit`: depth itself cannot overflow the stack.
  if (depth > limit) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (nestsDeeper(value[i], depth + 1, limit)) return true;
    return false;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && nestsDeeper((value as Record<string, unknown>)[key], depth + 1, limit)) return true;
  }
  return false;
}

/**
 * The top-level field of an object under which values nest deeper than `limit` levels (the
 * object itself being level 1), or null when none does.
 */
export function tooDeep(root: object, limit: number): string | null {
  for (const field in root) {
    if (Object.hasOwn(root, field) && nestsDeeper((root as Record<string, unknown>)[field], 2, limit)) return field;
  }
  return null;
}

/** The most UTF-8 bytes one UTF-16 unit of a string can take in JSON: `\u0001` is six. */
const MAX_BYTES_PER_UNIT = 6;
/**
 * The longest JSON of a number: a sign, `0.00000` and 17 significant digits
 * (-0.0000010084125485252421); JavaScript writes numbers from 1e-6 on without an exponent.
 */
const MAX_NUMBER_BYTES = 25;

/**
 * A bound the UTF-8 bytes of `JSON.stringify(value)` never exceed, computed without building
 * it; Infinity for what is not a plain JSON value (a Buffer's JSON, say, is not its length).
 * Only an event whose bound passes the limit needs its JSON built to be measured.
 */
export function jsonBytesBound(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return MAX_BYTES_PER_UNIT * value.length + 2;
    case 'number':
      return MAX_NUMBER_BYTES;
    case 'boolean':
      return 5;
    case 'undefined':
      return 4; // `null` in an array, nothing in an object
    case 'object': {
      if (value === null) return 4;
      if (!isPlain(value)) return Infinity;
      let bytes = 2;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) bytes += jsonBytesBound(value[i]) + 1;
        return bytes;
      }
      for (const key in value) {
        if (Object.hasOwn(value, key)) bytes += jsonBytesBound(key) + jsonBytesBound((value as Record<string, unknown>)[key]) + 2;
      }
      return bytes;
    }
    default:
      return Infinity;
  }
}
