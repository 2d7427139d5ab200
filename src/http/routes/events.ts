import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { Errors } from '../../errors.js';
import type { Ingest } from '../../pipeline/ingest.js';
import { callerOf } from '../authenticate.js';
import { errorResponses, success } from '../responses.js';
import { IngestReport } from '../schemas.js';
import { sharedRef } from '../shared-schemas.js';

export const MAX_BATCH = 1000;

/**
 * POST /v1/events: one event or a batch. The body is validated event by event by the pipeline,
 * not by Fastify, so that a batch reports every bad event by its index and still applies the
 * good ones; the schema below is for the documentation only.
 */
export function eventRoutes(app: FastifyInstance, ingest: Ingest): void {
  app.post(
    '/events',
    {
      schema: {
        operationId: 'ingestEvents',
        tags: ['events'],
        summary: 'Ingest one learning event or a batch of up to 1,000',
        description:
          'Answers per event: accepted, duplicate (its event_id is known) or rejected with the fields at fault. ' +
          'A single invalid event answers 422; a batch answers 200 with a result per event.',
        body: Type.Union([sharedRef('LearningEvent'), Type.Array(sharedRef('LearningEvent'), { maxItems: MAX_BATCH })]),
        response: {
          200: success(IngestReport, "applied: a result per event (a batch answers 200 whatever its events' fate)"),
          202: success(IngestReport, 'queued for the worker (MASTERY_HTTP_INGEST=forward): accepted, not yet applied'),
          ...errorResponses(400, 401, 403, 413, 422, 429, 503),
        },
      },
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const body: unknown = request.body;
      const single = !Array.isArray(body);
      const events = single ? [body] : body;
      if (events.length === 0) throw Errors.badRequest('the batch is empty: send at least one event');
      if (events.length > MAX_BATCH) {
        throw Errors.payloadTooLarge(`a batch holds at most ${MAX_BATCH} events, not ${events.length}`);
      }
      const report = await ingest(events, caller);
      const only = report.results[0]!;
      if (single && only.status === 'rejected') {
        const fields = only.errors.map((e) => e.field).join(', ');
        throw Errors.invalidEvent(`the event is refused (${fields}): ${only.errors[0]!.message}`, only.errors);
      }
      // Queued for the worker: accepted for processing, not yet applied.
      return reply.status(report.queued ? 202 : 200).send(report);
    },
  );
}
