import type { FastifyInstance } from 'fastify';
import { EngineError, errorBody, Errors } from '../../errors.js';

/** Liveness and readiness, open to anyone (probes carry no token). */
export function healthRoutes(app: FastifyInstance, ready: () => Promise<void>): void {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (request, reply) => {
    try {
      await ready();
      return { status: 'ready' };
    } catch (error) {
      // Not yet started says so; any other failure stays a bare "store" (its message may name hosts).
      if (error instanceof EngineError && error.code === 'NOT_READY') return reply.status(503).send(errorBody(error));
      request.log.warn({ err: error }, 'a store is not reachable');
      return reply.status(503).send(errorBody(Errors.storeUnavailable('a store is not reachable')));
    }
  });
}
