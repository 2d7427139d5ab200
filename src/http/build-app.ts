import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import type { TokenVerifier } from '../access/tokens.js';
import { audit } from '../audit/audit-access.js';
import { registerDashboard } from '../dashboard/register-dashboard.js';
import type { EngineDeps } from '../engine-deps.js';
import { Errors, errorBody } from '../errors.js';
import type { Ingest } from '../pipeline/ingest.js';
import type { StudentQueries } from '../queries/student-queries.js';
import { DEFAULT_XAPI_MAPPING, type XapiMapping } from '../xapi/xapi-mapping.js';
import { callerOf, installAuthentication } from './authenticate.js';
import { installErrorHandling } from './error-handler.js';
import { OPENAPI_OPTIONS } from './openapi-config.js';
import { addSharedSchema } from './shared-schemas.js';
import { auditRoutes } from './routes/audit.js';
import { calculateRoutes } from './routes/calculate.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { modelRoutes } from './routes/model.js';
import { privacyRoutes } from './routes/privacy.js';
import { streamRoutes } from './routes/stream.js';
import { studentRoutes } from './routes/students.js';
import { answerXapiVersion, xapiRoutes } from './routes/xapi.js';
import { validatorCompiler } from './validator-compiler.js';

export interface AppDeps {
  engine: EngineDeps;
  ingest: Ingest;
  queries: StudentQueries;
  verifyToken: TokenVerifier;
  ready: () => Promise<void>;
  logger: FastifyBaseLogger;
  limits: { ratePerMinute: number };
  /** Served at /metrics when given. */
  registry?: Registry;
  /** How POST /xapi/statements maps statements (config.xapi); the documented defaults when absent. */
  xapi?: XapiMapping;
}

/** 1,000 events of at most 16 KiB each, and the brackets and commas between them. */
const BODY_LIMIT = 1000 * 16 * 1024 + 64 * 1024;

/**
 * How long a client has to send a whole request. The largest body (BODY_LIMIT, 16 MiB) arrives
 * in it over a link of 5 Mbit/s, while a client that trickles bytes cannot hold a connection
 * for long; a load balancer in front usually cuts sooner.
 */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The rate limit's key: the token (hashed, never kept). The limiter runs on routes, after the
 * token check, so every request it counts carries a token that verified.
 */
export function rateKey(request: { headers: { authorization?: string } }): string {
  return createHash('sha256')
    .update(request.headers.authorization ?? '')
    .digest('base64url');
}

/** A scope's rate limit per token (when one is set) and its token check, in that order. */
async function guard(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  if (deps.limits.ratePerMinute > 0) {
    await scope.register(rateLimit, {
      max: deps.limits.ratePerMinute,
      timeWindow: '1 minute',
      keyGenerator: rateKey,
      errorResponseBuilder: (_request, context) => Errors.rateLimited(context.after),
    });
  }
  installAuthentication(scope, deps.verifyToken);
}

/**
 * Builds the HTTP API; it never listens (the serve command does), so tests use inject(). MCP is
 * mounted beside it by the entry point (src/cli/http-service.ts).
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: BODY_LIMIT,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Errors Fastify raises before routing (a malformed URL, a path parameter too long) leave in
    // the API's error shape too.
    frameworkErrors: (error, _request, reply) => {
      const e = error.statusCode === 414 ? Errors.uriTooLong(error.message) : Errors.badRequest(error.message);
      void (reply as FastifyReply).code(e.statusCode).send(errorBody(e));
    },
    // What Node's HTTP parser refuses before Fastify sees a request (headers over Node's 16 KiB,
    // a malformed request line) leaves in the API's error shape too, not as a bare status line.
    clientErrorHandler: (error: NodeJS.ErrnoException, socket) => {
      if (error.code === 'ECONNRESET' || !socket.writable) return;
      const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
      const e = tooLarge ? Errors.headersTooLarge() : Errors.badRequest('the request could not be parsed as HTTP');
      const body = JSON.stringify(errorBody(e));
      const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  // Bodies are JSON or nothing: text/plain would reach the pipeline as a string.
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app);
  addSharedSchema(app, 'LearningEvent');
  await app.register(swagger, {
    openapi: OPENAPI_OPTIONS,
    // A shared schema is a component named by its $id (ErrorBody, LearningEvent), not def-0.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  healthRoutes(app, deps.ready);
  await registerDashboard(app);
  if (deps.registry) metricsRoute(app, deps.registry);
  await app.register(
    async (v1) => {
      // First: it lets EventSource pass its token in the query, before authentication reads it.
      // Opening a stream is audited once; the updates it carries are each checked by the access
      // rule, not written to the trail one by one.
      streamRoutes(v1, deps.engine.bus, {
        onOpen: (request, outcome, detail) => audit(deps.engine, callerOf(request), null, 'updates.stream', outcome, detail),
      });
      await guard(v1, deps);
      eventRoutes(v1, deps.ingest);
      calculateRoutes(v1, deps.engine.model);
      studentRoutes(v1, deps.queries);
      privacyRoutes(v1, deps.engine);
      auditRoutes(v1, deps.engine);
      modelRoutes(v1, deps.engine);
    },
    { prefix: '/v1' },
  );
  // xAPI, where learning platforms send statements (an LRS's statements resource): the same
  // tokens, roles and rate limit as /v1/events.
  await app.register(
    async (scope) => {
      answerXapiVersion(scope);
      await guard(scope, deps);
      xapiRoutes(scope, { ingest: deps.ingest, engine: deps.engine, mapping: deps.xapi ?? { ...DEFAULT_XAPI_MAPPING } });
    },
    { prefix: '/xapi' },
  );
  return app;
}
