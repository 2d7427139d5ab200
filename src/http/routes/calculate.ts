import type { FastifyInstance } from 'fastify';
import type { ModelConfig } from '../../model/model-config.js';
import { masteryResult } from '../../model/score.js';
import type { ComponentValues } from '../../model/types.js';
import { ComponentValuesSchema } from '../../validation/component-values.js';
import { errorResponses, success } from '../responses.js';
import { MasteryResult } from '../../results/mastery-result-schema.js';

/** POST /v1/mastery/calculate: the stateless calculator, for any signed-in caller. */
export function calculateRoutes(app: FastifyInstance, model: ModelConfig): void {
  app.post(
    '/mastery/calculate',
    {
      schema: {
        operationId: 'calculateMastery',
        tags: ['calculator'],
        summary: 'Score, breakdown, level and recommendations from four component values',
        body: ComponentValuesSchema,
        response: { 200: success(MasteryResult, 'the mastery result'), ...errorResponses(400, 401, 429) },
      },
    },
    async (request) => masteryResult(request.body as ComponentValues, model),
  );
}
