import { Ajv } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

/*
 * Query strings and path parameters arrive as text, so their schemas coerce ('10' → 10).
 * Bodies are JSON and must be taken as sent: `"quality": null` or `"0.85"` is a malformed
 * request, not a number. Fastify's single default ajv would coerce both; this keeps them apart.
 * allErrors stays off, as in Fastify's defaults: a crafted body must not make ajv collect errors
 * without bound.
 */
const strict = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
const coercing = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false, strict: false });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema);
