import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import avro from 'avsc';
import { MasteryUpdatedSchema } from '../../results/mastery-updated-schema.js';

/**
 * schemas/avro/mastery-updated.avsc against the one declaration of the update's shape
 * (src/results): the same fields at every depth, each of the Avro type that carries the JSON
 * Schema's. Avro names its records and has no ranges or enums of strings: those are not compared.
 */

const AVSC = JSON.parse(readFileSync(new URL('../../../schemas/avro/mastery-updated.avsc', import.meta.url), 'utf8'));

type Shape = string | { [field: string]: Shape } | Shape[];

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

/** A value that may be null (Avro) or null or absent (JSON Schema): Avro writes an absent field as null. */
const nullable = (shape: Shape): Shape => ({ '?': shape });

/** What a JSON Schema value is in Avro's terms. */
function jsonShape(schema: JsonSchema): Shape {
  if (schema.anyOf) {
    const others = schema.anyOf.filter((s) => s.type !== 'null');
    return others.length === 1 && others.length < schema.anyOf.length ? nullable(jsonShape(others[0]!)) : others.map(jsonShape);
  }
  if (schema.enum || typeof schema.const === 'string') return 'string';
  if (schema.type === 'number') return 'double';
  if (schema.type === 'integer') return 'long';
  if (schema.type === 'array') return [jsonShape(schema.items!)];
  if (schema.type === 'object') {
    const required = new Set(schema.required ?? []);
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, s]) => [name, required.has(name) ? jsonShape(s) : nullable(jsonShape(s))]));
  }
  return String(schema.type);
}

/** The same for an Avro type; int and long both carry a JSON Schema integer. */
function avroShape(type: avro.Type): Shape {
  if (type instanceof avro.types.RecordType) return Object.fromEntries(type.fields.map((f) => [f.name, avroShape(f.type)]));
  if (type instanceof avro.types.ArrayType) return [avroShape(type.itemsType)];
  if (type instanceof avro.types.UnwrappedUnionType) {
    const others = type.types.filter((t) => t.typeName !== 'null');
    return others.length === 1 && others.length < type.types.length ? nullable(avroShape(others[0]!)) : others.map(avroShape);
  }
  return type.typeName === 'int' ? 'long' : type.typeName;
}

const declared = () => jsonShape(MasteryUpdatedSchema as JsonSchema);

describe('mastery-updated.avsc and the declared update', () => {
  it('have the same fields, each of the matching type', () => {
    assert.deepEqual(avroShape(avro.Type.forSchema(AVSC)), declared());
    assert.deepEqual((declared() as Record<string, Shape[]>).recommendations, [
      { action: 'string', area: 'string', priority: 'string', topic: { '?': 'string' } },
    ]);
  });

  it('differ when the Avro record loses a field, gains one, or changes a type', () => {
    const edited = (edit: (schema: typeof AVSC) => void) => {
      const copy = structuredClone(AVSC);
      edit(copy);
      return avroShape(avro.Type.forSchema(copy));
    };
    const forecast = (s: typeof AVSC) => s.fields.find((f: { name: string }) => f.name === 'forecast').type.fields;
    assert.notDeepEqual(
      edited((s) => forecast(s).pop()),
      declared(),
    );
    assert.notDeepEqual(
      edited((s) => s.fields.push({ name: 'extra', type: 'string' })),
      declared(),
    );
    assert.notDeepEqual(
      edited((s) => {
        forecast(s)[3].type = 'string';
      }),
      declared(),
    );
    assert.notDeepEqual(
      edited((s) => {
        s.fields[5].type = ['null', 'string'];
      }),
      declared(),
      'a level that may be null is not the declared level',
    );
  });
});
