import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { LearningEventDocSchema } from '../validation/event-schema.js';
import { ErrorBody } from './schemas.js';

/**
 * Schemas the routes name by `$id` instead of repeating them: each is one named component of the
 * OpenAPI document (and one named type of a client generated from it). An app adds each before
 * the routes that name it: installErrorHandling adds ErrorBody, buildApp LearningEvent.
 */
const SHARED = {
  ErrorBody,
  /** As the document shows an event; the pipeline, not this schema, validates events. */
  LearningEvent: LearningEventDocSchema,
};

export type SharedSchema = keyof typeof SHARED;

export function addSharedSchema(app: FastifyInstance, name: SharedSchema): void {
  app.addSchema({ ...SHARED[name], $id: name });
}

/** A reference to a shared schema, resolved by Fastify's validator and serialiser and by swagger. */
export function sharedRef(name: SharedSchema) {
  return Type.Ref(name);
}
