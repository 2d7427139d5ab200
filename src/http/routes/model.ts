import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fitModelFor, readModel } from '../../learner/fit-model.js';
import type { EngineDeps } from '../../engine-deps.js';
import { callerOf } from '../authenticate.js';
import { errorResponses, success } from '../responses.js';
import { ModelSummary } from '../schemas.js';

/** The learner model's parameters: the version in use, and a new fit from the event log. */
export function modelRoutes(app: FastifyInstance, deps: EngineDeps): void {
  app.get(
    '/model',
    {
      schema: {
        operationId: 'getModel',
        tags: ['model'],
        summary: "The learner model's active parameter version (teacher, admin)",
        response: { 200: success(ModelSummary, 'the version in use'), ...errorResponses(401, 403, 429, 503) },
      },
    },
    (request: FastifyRequest) => readModel(deps, callerOf(request)),
  );
  app.post(
    '/model/fit',
    {
      schema: {
        operationId: 'fitModel',
        tags: ['model'],
        summary: 'Fits a new parameter version from every first-attempt answer in the event log (admin)',
        description: 'Every instance uses it within a minute. Fewer than 100 answers: 422 FIT_REFUSED, nothing changes.',
        response: { 200: success(ModelSummary, 'the new version, now in use'), ...errorResponses(401, 403, 422, 429, 503) },
      },
    },
    (request: FastifyRequest) => fitModelFor(deps, callerOf(request)),
  );
}
