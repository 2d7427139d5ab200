import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { EngineError, Errors } from '../errors.js';

interface ErrorReply {
  status: number;
  body: { error: { code: string; message: string; details?: unknown[] } };
}

/** Fastify's own errors, by code, in the API's vocabulary. */
function fromFastify(error: FastifyError): EngineError | null {
  if (error.validation) {
    const details = error.validation.map((v) => ({
      field: [error.validationContext, ...v.instancePath.split('/').filter(Boolean), v.params?.missingProperty]
        .filter(Boolean)
        .join('.'),
      message: v.message ?? 'is invalid',
    }));
    return Errors.badRequest(`the request's ${error.validationContext ?? 'input'} is invalid`, details);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return Errors.payloadTooLarge('the request body is larger than the service accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new EngineError('UNSUPPORTED_MEDIA_TYPE', 415, 'send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return Errors.badRequest('the request body is empty');
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return Errors.badRequest(`the request body is not valid JSON: ${error.message}`);
  }
  return null;
}

function replyFor(error: unknown): ErrorReply | null {
  const known = error instanceof EngineError ? error : fromFastify(error as FastifyError);
  if (!known) return null;
  const body: ErrorReply['body'] = { error: { code: known.code, message: known.message } };
  if (known.details) body.error.details = known.details;
  return { status: known.statusCode, body };
}

/**
 * The challenge of a 401 (RFC 6750): the scheme and realm, and `error="invalid_token"` when a
 * token was sent but refused, so that OAuth-aware clients (MCP clients among them) know to get
 * another rather than to sign in.
 */
function challengeFor(request: FastifyRequest): string {
  const sent = /^Bearer\s+\S/i.test(request.headers.authorization ?? '') || /[?&]access_token=/.test(request.url);
  return sent ? 'Bearer realm="mastery-engine", error="invalid_token"' : 'Bearer realm="mastery-engine"';
}

/** Every error leaves as `{ error: { code, message, details? } }`, never with a stack trace. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const known = replyFor(error);
    if (known?.status === 401) void reply.header('www-authenticate', challengeFor(request));
    if (known) return reply.status(known.status).send(known.body);
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: { code: 'INTERNAL', message: 'the service failed to answer; it has been logged' } });
  });
  app.setNotFoundHandler((request, reply) => {
    const e = Errors.routeNotFound(request.method, request.url.split('?')[0]!);
    return reply.status(e.statusCode).send({ error: { code: e.code, message: e.message } });
  });
}
