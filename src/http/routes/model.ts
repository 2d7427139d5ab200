import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fitModelFor, readModel } from '../../learner/fit-model.js';
import type { EngineDeps } from '../../engine-deps.js';
import { callerOf } from '../authenticate.js';
import { ErrorBody, ModelSummary } from '../schemas.js';

const errors = { 401: ErrorBody, 403: ErrorBody, 422: ErrorBody, 503: ErrorBody };

/** The learner model's parameters: the version in use, and a new fit from the event log. */
export function modelRoutes(app: FastifyInstance, deps: EngineDeps): void {
  app.get(
    '/model',
    { schema: { summary: "The learner model's active parameter version (teacher, admin)", response: { 200: ModelSummary, ...errors } } },
    (request: FastifyRequest) => readModel(deps, callerOf(request)),
  );
  app.post(
    '/model/fit',
    {
      schema: {
        summary: 'Fits a new parameter version from every first-attempt answer in the event log (admin)',
        description: 'Every instance uses it within a minute. Fewer than 100 answers: 422 FIT_REFUSED, nothing changes.',
        response: { 200: ModelSummary, ...errors },
      },
    },
    (request: FastifyRequest) => fitModelFor(deps, callerOf(request)),
  );
}
