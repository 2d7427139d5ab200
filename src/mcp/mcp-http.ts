import rateLimit from '@fastify/rate-limit';
import Type from 'typebox';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenVerifier } from '../access/tokens.js';
import { errorBody, Errors } from '../errors.js';
import { callerOf, installAuthentication } from '../http/authenticate.js';
import { errorResponses, success } from '../http/responses.js';
import type { ModelConfig } from '../model/model-config.js';
import type { Ingest } from '../pipeline/ingest.js';
import type { StudentQueries } from '../queries/student-queries.js';
import { buildMcpServer } from './build-mcp-server.js';

export interface McpRouteDeps {
  queries: StudentQueries;
  model: ModelConfig;
  ingest: Ingest;
  verifyToken: TokenVerifier;
  /** Calls a token may make a minute (0: no limit), and the key that names the token. */
  rate: { perMinute: number; key: (request: FastifyRequest) => string };
}

/** The path the MCP endpoint is served at. */
export const MCP_PATH = '/mcp';

/** A JSON-RPC 2.0 message as the OpenAPI document shows it; the MCP SDK checks each one itself. */
const JsonRpcMessage = Type.Object(
  {
    jsonrpc: Type.Literal('2.0'),
    id: Type.Optional(Type.Union([Type.String(), Type.Integer()], { description: 'absent on a notification' })),
    method: Type.Optional(Type.String({ description: 'initialize, tools/list, tools/call, …' })),
    params: Type.Optional(Type.Object({}, { additionalProperties: true })),
    result: Type.Optional(Type.Object({}, { additionalProperties: true })),
    error: Type.Optional(Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Optional(Type.Unknown()) })),
  },
  { additionalProperties: true },
);
const JsonRpcBody = Type.Union([JsonRpcMessage, Type.Array(JsonRpcMessage, { minItems: 1 })]);

/** The POST route's schema: for the document only (the transport answers by itself). */
const MCP_DOC = {
  operationId: 'mcp',
  tags: ['mcp'],
  summary: 'MCP (streamable HTTP, stateless): the tutor tools',
  description:
    'JSON-RPC 2.0 messages of the Model Context Protocol, one or a batch, each call counted against the rate limit. ' +
    'Send `Accept: application/json, text/event-stream`. The tools (calculate_mastery, get_student_mastery, predict_mastery, ' +
    "get_student_knowledge, get_learning_path, record_response, list_students_at_risk) act as the token's holder: " +
    'docs/api.md, "MCP, for AI tutors". GET and DELETE answer 405: the endpoint keeps no session.',
  body: JsonRpcBody,
  response: {
    200: success(JsonRpcBody, 'the JSON-RPC responses (tool errors are results with isError: true)'),
    202: { 'x-response-description': 'only notifications or responses were sent: nothing to answer', type: 'null' },
    400: success(JsonRpcMessage, 'a JSON-RPC error: the body is not a valid JSON-RPC message'),
    406: success(JsonRpcMessage, 'a JSON-RPC error: the Accept header lacks application/json or text/event-stream'),
    ...errorResponses(401, 429),
  },
};

/**
 * One MCP exchange: a server for this request's caller and a stateless transport, both closed
 * when the response is. Stateless because the caller is the token's, checked on every request.
 */
async function handle(deps: McpRouteDeps, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const server = buildMcpServer({ queries: deps.queries, model: deps.model, ingest: deps.ingest, caller: callerOf(request) });
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  // The transport writes the response itself; Fastify must not answer too.
  reply.hijack();
  reply.raw.on('close', () => {
    void transport.close();
    void server.close();
  });
  try {
    await server.connect(transport);
    await transport.handleRequest(request.raw, reply.raw, request.body);
  } catch (error) {
    request.log.error({ err: error }, 'the MCP request failed');
    if (!reply.raw.headersSent) {
      reply.raw.writeHead(500, { 'content-type': 'application/json' });
      reply.raw.end(JSON.stringify(errorBody(Errors.internal())));
    }
  }
}

/**
 * The rate limit of the MCP endpoint, counted per JSON-RPC message: a batch of a hundred tool
 * calls costs a hundred, not one (one request per batch let a token do a hundred times its
 * budget of work). It runs once the body is parsed and the token verified; the budget is the
 * API's size, kept apart from the API's own count.
 */
async function callLimiter(
  scope: FastifyInstance,
  rate: McpRouteDeps['rate'],
): Promise<((request: FastifyRequest, reply: FastifyReply) => Promise<void>) | undefined> {
  if (rate.perMinute <= 0) return undefined;
  await scope.register(rateLimit, { global: false, max: rate.perMinute, timeWindow: '1 minute', keyGenerator: rate.key });
  const check = scope.createRateLimit();
  return async (request, reply) => {
    const calls = Array.isArray(request.body) ? Math.max(request.body.length, 1) : 1;
    for (let i = 0; i < calls; i += 1) {
      const limit = await check(request);
      if (!limit.isAllowed && limit.isExceeded) {
        void reply.header('retry-after', limit.ttlInSeconds);
        throw Errors.rateLimited(`${limit.ttlInSeconds} seconds`);
      }
    }
  };
}

/**
 * Serves the MCP tools over streamable HTTP at POST /mcp, stateless. The bearer token is
 * verified like the API's (401 in the API's error shape when missing or bad), and its principal
 * is the caller of every tool, so each read goes through the access rule and the audit trail
 * with the Fastify request id. Register it on the root app (it opens its own scope), after
 * installErrorHandling, which turns the 401 into the API's error shape.
 */
export async function registerMcpRoute(app: FastifyInstance, deps: McpRouteDeps): Promise<void> {
  await app.register(async (scope) => {
    installAuthentication(scope, deps.verifyToken);
    const countCalls = await callLimiter(scope, deps.rate);
    scope.post(
      MCP_PATH,
      // The body is the SDK's to check (it answers JSON-RPC errors); the schema is for the document.
      { schema: MCP_DOC, validatorCompiler: () => () => true, preHandler: countCalls },
      (request, reply) => handle(deps, request, reply),
    );
    // Stateless: no server-initiated stream (GET) and no session to end (DELETE).
    const notAllowed = async (_request: FastifyRequest, reply: FastifyReply) => {
      void reply.header('allow', 'POST');
      throw Errors.methodNotAllowed('this MCP endpoint is stateless: send JSON-RPC messages with POST');
    };
    scope.get(MCP_PATH, { schema: { hide: true } }, notAllowed);
    scope.delete(MCP_PATH, { schema: { hide: true } }, notAllowed);
  });
}
