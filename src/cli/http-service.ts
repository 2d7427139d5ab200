import type { FastifyInstance } from 'fastify';
import { buildApp, rateKey, type AppDeps } from '../http/build-app.js';
import { registerMcpRoute } from '../mcp/mcp-http.js';

/**
 * The service's HTTP side as `mastery serve` runs it: the API, and MCP for AI tutors beside it
 * at /mcp (its own scope, the same token check, the same use cases, the same rate limit). The
 * two entry points meet here, so neither imports the other.
 */
export async function buildHttpService(deps: AppDeps): Promise<FastifyInstance> {
  const app = await buildApp(deps);
  await registerMcpRoute(app, {
    queries: deps.queries,
    model: deps.engine.model,
    ingest: deps.ingest,
    verifyToken: deps.verifyToken,
    rate: { perMinute: deps.limits.ratePerMinute, key: rateKey },
  });
  return app;
}
