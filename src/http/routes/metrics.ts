import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** Prometheus metrics, open like the health probes (scrapers carry no token). */
export function metricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}
