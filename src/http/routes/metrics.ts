import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { OPS_DOC } from '../openapi-config.js';

/** Prometheus metrics, open like the health probes (scrapers carry no token). */
export function metricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get(
    '/metrics',
    {
      schema: {
        ...OPS_DOC,
        operationId: 'getMetrics',
        summary: 'Prometheus metrics (text exposition format)',
        description:
          'mastery_events_total{source,outcome}, mastery_batch_duration_seconds, mastery_consumer_lag{topic,partition}, ' +
          "and the process's own (docs/api.md, Operations).",
        response: {
          200: {
            'x-response-description': 'the metrics in the Prometheus text format',
            content: { 'text/plain': { schema: Type.String({ description: 'text/plain; version=0.0.4' }) } },
          },
        },
      },
    },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
}
