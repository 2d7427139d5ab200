import { createHash } from 'node:crypto';
import Type from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canReadStudent } from '../../access/access-rule.js';
import { Errors } from '../../errors.js';
import type { Bus, MasteryUpdated } from '../../ports/bus.js';
import { principalOf } from '../authenticate.js';
import { errorResponses } from '../responses.js';

export interface StreamOptions {
  /** How often a comment line keeps proxies and the browser from closing an idle stream. */
  heartbeatMs?: number;
  /**
   * How long one connection lives before the server ends it. EventSource reconnects on its own
   * (after the `retry:` delay), and the reconnection is a new request whose token is verified
   * again: an expired or revoked token cannot keep a stream open for ever.
   */
  maxAgeMs?: number;
  /** Streams one token may hold open at once; one more is a 429 TOO_MANY_STREAMS. */
  maxPerToken?: number;
  /** Called when a caller opens a stream, or is refused one (the audit trail records both). */
  onOpen?: (request: FastifyRequest, outcome: 'allowed' | 'refused', detail?: Record<string, string | number>) => Promise<void>;
}

const HEARTBEAT_MS = 15_000;
const MAX_AGE_MS = 10 * 60_000;
/** A dashboard holds one stream per open page; ten covers a teacher's tabs, not a flood. */
const MAX_STREAMS_PER_TOKEN = 10;
/** A client that reads slower than updates arrive is cut off rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Marks the one route whose token may come in the query string. */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on the one route whose token may come as `?access_token=` (the stream). */
    acceptsQueryToken?: boolean;
  }
}

/** One server-sent event; `data` is JSON, so it never holds a newline that would end the event. */
function sseEvent(update: MasteryUpdated): string {
  return `id: ${update.event_id}\nevent: mastery.updated\ndata: ${JSON.stringify(update)}\n\n`;
}

/**
 * GET /stream (inside the authenticated /v1 scope): `text/event-stream` with one
 * `event: mastery.updated` per update this process's bus sees for a student the caller may read
 * (the access rule of api.md; the others are dropped), a heartbeat comment every 15 s, and the
 * bus listener removed as soon as the client goes away.
 *
 * **Call it first in the /v1 scope, before installAuthentication (and the rate limiter).**
 * EventSource, the browser's client for this format, cannot send headers, so the route also
 * takes the token as `?access_token=`. The scope's authentication hook reads only the
 * Authorization header, and Fastify runs a route's own onRequest hooks *after* its scope's, so
 * the hook that copies the query token into the header has to be a scope hook added before the
 * authentication hook; it acts on this route only (the route's config marks it), so every other
 * route still needs the header. A header, when sent, wins over the query string.
 * Tokens in URLs can reach access logs: keep dashboard tokens short-lived.
 */
export function streamRoutes(scope: FastifyInstance, bus: Bus, options: StreamOptions = {}): void {
  if (scope.hasRequestDecorator('principal')) {
    throw new Error('streamRoutes must be registered before installAuthentication in the /v1 scope (see its comment)');
  }
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const maxAgeMs = options.maxAgeMs ?? MAX_AGE_MS;
  const maxPerToken = options.maxPerToken ?? MAX_STREAMS_PER_TOKEN;
  const open = new Set<() => void>();
  /** Open streams by token (its hash: the token itself is not kept). */
  const perToken = new Map<string, number>();

  scope.addHook('onRequest', async (request: FastifyRequest) => {
    if (request.routeOptions.config.acceptsQueryToken !== true || request.headers.authorization !== undefined) return;
    const token = (request.query as { access_token?: unknown } | undefined)?.access_token;
    if (typeof token === 'string' && token.length > 0) request.headers.authorization = `Bearer ${token}`;
  });

  // Open streams would keep close() waiting for ever: end them first.
  scope.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  scope.get(
    '/stream',
    {
      config: { acceptsQueryToken: true },
      schema: {
        operationId: 'streamUpdates',
        tags: ['stream'],
        summary: 'Live mastery.updated events for the students the caller may read (server-sent events)',
        description:
          'text/event-stream: `event: mastery.updated` with the update as JSON in `data`, a `: heartbeat` ' +
          'comment every 15 s. EventSource cannot send headers, so the token may also be given as ' +
          '`?access_token=`. The server ends a connection after 10 minutes, or when its token expires if sooner; ' +
          'EventSource reconnects. A token may hold 10 streams open at once (429 TOO_MANY_STREAMS beyond).',
        querystring: Type.Object(
          { access_token: Type.Optional(Type.String({ description: 'the bearer token, for clients that cannot send headers' })) },
          { additionalProperties: false },
        ),
        response: {
          200: { description: 'an endless text/event-stream', content: { 'text/event-stream': { schema: Type.String() } } },
          ...errorResponses(401, 429),
        },
      },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const principal = principalOf(request);
      const token = createHash('sha256')
        .update(request.headers.authorization ?? '')
        .digest('base64url');
      const held = perToken.get(token) ?? 0;
      if (held >= maxPerToken) {
        await options.onOpen?.(request, 'refused', { reason: 'too many streams', open: held });
        throw Errors.tooManyStreams(maxPerToken);
      }
      await options.onOpen?.(request, 'allowed');
      // From here on the response is written by hand: Fastify must not send anything itself.
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // Tells a proxy such as nginx not to buffer the stream.
        'x-accel-buffering': 'no',
      });
      res.write('retry: 3000\n: connected\n\n');

      let ended = false;
      perToken.set(token, held + 1);
      const end = () => {
        if (ended) return;
        ended = true;
        unsubscribe();
        clearInterval(heartbeat);
        clearTimeout(maxAge);
        open.delete(end);
        const left = (perToken.get(token) ?? 1) - 1;
        if (left > 0) perToken.set(token, left);
        else perToken.delete(token);
        res.end();
      };
      const write = (chunk: string) => {
        if (ended) return;
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          request.log.warn('a stream client reads too slowly; closing its stream');
          end();
          return;
        }
        res.write(chunk);
      };
      const unsubscribe = bus.subscribe((update) => {
        if (canReadStudent(principal, update.student_id)) write(sseEvent(update));
      });
      const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
      // The stream ends when its token does: the token would be refused on any other request
      // from then on, and EventSource's reconnection has to present a fresh one.
      const lifetime = principal.expiresAt === undefined ? maxAgeMs : Math.min(maxAgeMs, Math.max(0, principal.expiresAt - Date.now()));
      const maxAge = setTimeout(end, lifetime);
      open.add(end);
      request.raw.once('close', end);
      res.once('close', end);
    },
  );
}
