import type { ErrorObject } from 'ajv';

/** One broken rule, named by the field's dotted path. */
export interface FieldError {
  field: string;
  message: string;
}

const KEY_SAFE_HINT = 'must be 1–64 characters of A–Z a–z 0–9 . _ -';

/** What each patterned field must look like, said as a rule rather than as a regular expression. */
const PATTERN_HINTS: Readonly<Record<string, string>> = {
  event_id: 'is not a UUID',
  student_id: KEY_SAFE_HINT,
  topic: KEY_SAFE_HINT,
  'data.item_id': 'must be 1–128 characters of A–Z a–z 0–9 . _ : -',
};

/** `base.name` for plain names; `base["…"]` for names that would read ambiguously (empty, dotted…). */
export function fieldPath(base: string, name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return base ? `${base}.${name}` : name;
  return `${base}[${JSON.stringify(name)}]`;
}

/** A JSON Pointer (ajv's instancePath) as a field path under `prefix`. */
function pathOf(instancePath: string, prefix: string): string {
  if (instancePath === '') return prefix;
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(fieldPath, prefix);
}

/** Turns ajv's errors into one sentence per field ("data.attempts must be >= 1"). */
export function fieldErrors(errors: readonly ErrorObject[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let field = pathOf(e.instancePath, prefix);
    let message: string;
    switch (e.keyword) {
      case 'required':
        field = fieldPath(field, String(e.params.missingProperty));
        message = 'is required';
        break;
      case 'additionalProperties':
        field = fieldPath(field, String(e.params.additionalProperty));
        message = 'is not an allowed field';
        break;
      case 'pattern':
        message = PATTERN_HINTS[field] ?? `must match the pattern ${String(e.params.pattern)}`;
        break;
      case 'enum':
        message = `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`;
        break;
      default:
        message = e.message ?? 'is invalid';
    }
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, message });
  }
  return out;
}
