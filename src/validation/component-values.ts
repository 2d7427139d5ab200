import { Ajv } from 'ajv';
import Type from 'typebox';
import type { ComponentValues } from '../model/types.js';
import { fieldErrors, type FieldError } from './field-errors.js';

/** The calculator's input: the four component values, each in [0, 1]. */
export const ComponentValuesSchema = Type.Object(
  {
    completion: Type.Number({ minimum: 0, maximum: 1, description: 'completion component, 0…1' }),
    quiz: Type.Number({ minimum: 0, maximum: 1, description: 'quiz component, 0…1' }),
    quality: Type.Number({ minimum: 0, maximum: 1, description: 'quality component, 0…1' }),
    consistency: Type.Number({ minimum: 0, maximum: 1, description: 'consistency component, 0…1' }),
  },
  { additionalProperties: false },
);

const check = new Ajv({ allErrors: true, strict: false }).compile<ComponentValues>(ComponentValuesSchema);

/** The four values, or what is wrong with them, field by field. */
export function validateComponentValues(raw: unknown): { ok: true; values: ComponentValues } | { ok: false; errors: FieldError[] } {
  return check(raw) ? { ok: true, values: raw } : { ok: false, errors: fieldErrors(check.errors ?? []) };
}
