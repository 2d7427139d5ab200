import type { Static, TObject } from 'typebox';
import { z } from 'zod';

/**
 * The tools' shapes are TypeBox (tool-schemas.ts, from src/results), which is JSON Schema; the
 * MCP SDK (1.x) takes zod only, so zod reads them with its own z.fromJSONSchema. The SDK lists
 * the zod schema back as JSON Schema and checks arguments and results with it. The cast carries
 * the TypeBox type across: fromJSONSchema cannot know it statically. zod calls fromJSONSchema
 * semi-experimental: zod's version is pinned, and zod-from-typebox.unit.spec.ts and mcp.e2e.spec.ts
 * hold what the tools check and list.
 */
type ZodOf<T extends TObject> = z.ZodType<Static<T>>;

/** A TypeBox schema is a JSON Schema value; only the two libraries' types differ. */
const jsonSchema = (schema: unknown) => schema as z.core.JSONSchema.JSONSchema;

/**
 * A tool's arguments. JSON Schema leaves an object open; zod's default object drops unknown
 * arguments instead (so a handler sees only what is declared), and lists no additionalProperties.
 */
export function toolInput<T extends TObject>(schema: T): ZodOf<T> {
  const object = z.fromJSONSchema(jsonSchema(schema));
  if (!(object instanceof z.ZodObject)) throw new Error('a tool input is an object');
  return object.strip() as unknown as ZodOf<T>;
}

/**
 * A tool's result. Every object is closed (`additionalProperties: false`) where the schema does
 * not say otherwise: tools/list promises no other field, and the SDK refuses a result holding one.
 */
export function toolOutput<T extends TObject>(schema: T): ZodOf<T> {
  return z.fromJSONSchema(jsonSchema(closed(schema))) as unknown as ZodOf<T>;
}

function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy: Record<string, unknown> = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, closed(value)]));
  if (copy.type === 'object' && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}
