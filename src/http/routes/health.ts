import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { EngineError, errorBody, Errors } from '../../errors.js';
import { OPS_DOC } from '../openapi-config.js';
import { errorResponses, success } from '../responses.js';

/** Liveness and readiness, open to anyone (probes carry no token). */
export function healthRoutes(app: FastifyInstance, ready: () => Promise<void>): void {
  app.get(
    '/healthz',
    {
      schema: {
        ...OPS_DOC,
        operationId: 'getHealth',
        summary: 'Liveness: the process runs',
        response: { 200: success(Type.Object({ status: Type.Literal('ok') }), 'the process is alive') },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        ...OPS_DOC,
        operationId: 'getReadiness',
        summary: 'Readiness: every store answers (a worker: it has joined its consumer group)',
        response: {
          200: success(Type.Object({ status: Type.Literal('ready') }), 'ready to serve'),
          503: {
            ...errorResponses(503)[503],
            description: 'STORE_UNAVAILABLE (a store does not answer) or NOT_READY (a worker not yet in its group)',
          },
        },
      },
    },
    async (request, reply) => {
      try {
        await ready();
        return { status: 'ready' };
      } catch (error) {
        // Not yet started says so; any other failure stays a bare "store" (its message may name hosts).
        if (error instanceof EngineError && error.code === 'NOT_READY') return reply.status(503).send(errorBody(error));
        request.log.warn({ err: error }, 'a store is not reachable');
        return reply.status(503).send(errorBody(Errors.storeUnavailable('a store is not reachable')));
      }
    },
  );
}
