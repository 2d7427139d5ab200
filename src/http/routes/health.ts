import type { FastifyInstance } from 'fastify';

/** Liveness and readiness, open to anyone (probes carry no token). */
export function healthRoutes(app: FastifyInstance, ready: () => Promise<void>): void {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (request, reply) => {
    try {
      await ready();
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'a store is not reachable');
      return reply.status(503).send({ error: { code: 'STORE_UNAVAILABLE', message: 'a store is not reachable' } });
    }
  });
}
