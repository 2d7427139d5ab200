import type { ErrorObject } from 'ajv';

/** One broken rule, named by the field's dotted path. */
export interface FieldError {
  field: string;
  message: string;
}

const KEY_SAFE_HINT = 'must be 1–64 characters of A–Z a–z 0–9 . _ -';

function pathOf(instancePath: string, prefix: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  return [prefix, ...parts].filter(Boolean).join('.');
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
        field = [field, e.params.missingProperty].filter(Boolean).join('.');
        message = 'is required';
        break;
      case 'additionalProperties':
        field = [field, e.params.additionalProperty].filter(Boolean).join('.');
        message = 'is not an allowed field';
        break;
      case 'pattern':
        message = /student_id|topic$/.test(field) ? KEY_SAFE_HINT : 'is not a UUID';
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
