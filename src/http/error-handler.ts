import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { EngineError, errorBody, Errors } from '../errors.js';
import { addSharedSchema } from './shared-schemas.js';

/** Fastify's own errors, by code, in the API's vocabulary. */
function fromFastify(error: FastifyError): EngineError | null {
  if (error.validation) {
    const details = error.validation.map((v) => ({
      field: [error.validationContext, ...v.instancePath.split('/').filter(Boolean), v.params?.missingProperty].filter(Boolean).join('.'),
      message: v.message ?? 'is invalid',
    }));
    return Errors.badRequest(`the request's ${error.validationContext ?? 'input'} is invalid`, details);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return Errors.payloadTooLarge('the request body is larger than the service accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return Errors.unsupportedMediaType();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return Errors.badRequest('the request body is empty');
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return Errors.badRequest(`the request body is not valid JSON: ${error.message}`);
  }
  return null;
}

function known(error: unknown): EngineError | null {
  return error instanceof EngineError ? error : fromFastify(error as FastifyError);
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

/**
 * Every error leaves as `{ error: { code, message, details? } }`, never with a stack trace. The
 * shape is the shared schema ErrorBody, which the routes' error responses name.
 */
export function installErrorHandling(app: FastifyInstance): void {
  addSharedSchema(app, 'ErrorBody');
  app.setErrorHandler((error, request, reply) => {
    const answer = known(error);
    if (answer === null) request.log.error({ err: error }, 'request failed');
    const e = answer ?? Errors.internal();
    if (e.statusCode === 401) void reply.header('www-authenticate', challengeFor(request));
    return reply.status(e.statusCode).send(errorBody(e));
  });
  app.setNotFoundHandler((request, reply) => {
    const e = Errors.routeNotFound(request.method, request.url.split('?')[0]!);
    return reply.status(e.statusCode).send(errorBody(e));
  });
}
