import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { installErrorHandling } from './error-handler.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';

/** The worker's HTTP face: liveness, readiness and metrics, nothing else. */
export function buildOpsApp(deps: { ready: () => Promise<void>; registry: Registry; logger: FastifyBaseLogger }): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger });
  installErrorHandling(app);
  healthRoutes(app, deps.ready);
  metricsRoute(app, deps.registry);
  return app;
}
