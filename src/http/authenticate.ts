import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Caller } from '../access/caller.js';
import type { Principal } from '../access/principal.js';
import { isJwksUnavailable, type TokenVerifier } from '../access/tokens.js';
import { Errors } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The verified caller; only called inside the authenticated scope, where it is always set. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw Errors.unauthorized('this route needs a bearer token');
  return request.principal;
}

/** The caller of this request, as the use cases and the audit trail name it. */
export function callerOf(request: FastifyRequest): Caller {
  return { principal: principalOf(request), requestId: request.id };
}

/**
 * Verifies the bearer token of every request in this plugin's scope before its handler runs;
 * no token or a bad one answers 401. Fastify's encapsulation keeps the hook off the routes
 * outside the scope (health, docs) and on every route inside it.
 */
export function installAuthentication(scope: FastifyInstance, verify: TokenVerifier): void {
  scope.decorateRequest('principal', null);
  scope.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw Errors.unauthorized('send a token as "Authorization: Bearer <jwt>"');
    try {
      request.principal = await verify(match[1]!);
    } catch (error) {
      // The client is told 401; the operator needs to know the identity provider is unreachable.
      if (isJwksUnavailable(error)) request.log.warn({ err: error.cause }, 'the JWKS could not be fetched');
      throw error;
    }
  });
}
