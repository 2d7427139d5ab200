/**
 * Every error the engine reports to a client, in one place: a stable code, the HTTP status that
 * carries it, and whether trying again later can succeed (the retry-or-dead-letter decision).
 */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly details?: unknown[],
    readonly canRetry = false,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const Errors = {
  badRequest: (message: string, details?: unknown[]) => new EngineError('BAD_REQUEST', 400, message, details),
  unauthorized: (message: string) => new EngineError('UNAUTHORIZED', 401, message),
  forbidden: (message = 'this token may not do that') => new EngineError('FORBIDDEN', 403, message),
  studentNotFound: (studentId: string) => new EngineError('STUDENT_NOT_FOUND', 404, `no student ${studentId} is known to the engine`),
  topicNotFound: (studentId: string, topic: string) => new EngineError('TOPIC_NOT_FOUND', 404, `student ${studentId} has no events in topic ${topic}`),
  routeNotFound: (method: string, url: string) => new EngineError('ROUTE_NOT_FOUND', 404, `no route ${method} ${url}`),
  payloadTooLarge: (message: string) => new EngineError('PAYLOAD_TOO_LARGE', 413, message),
  invalidEvent: (message: string, details: unknown[]) => new EngineError('INVALID_EVENT', 422, message, details),
  /** An xAPI statement the mapping (docs/xapi.md) or the engine's checks cannot use: nothing of its request is applied. */
  invalidStatement: (message: string, details: unknown[]) => new EngineError('INVALID_STATEMENT', 422, message, details),
  /** No X-Experience-API-Version header, or one the service does not speak: 400, as xAPI wants. */
  xapiVersion: (message: string) => new EngineError('XAPI_VERSION', 400, message),
  stateConflict: (studentIds: readonly string[]) =>
    new EngineError(
      'STATE_CONFLICT',
      503,
      `other writers kept changing student ${studentIds.slice(0, 3).join(', ')}${studentIds.length > 3 ? '…' : ''}; try again`,
      undefined,
      true,
    ),
  rateLimited: (retryAfter: string) => new EngineError('RATE_LIMITED', 429, `too many requests for this token; try again in ${retryAfter}`, undefined, true),
  tooManyStreams: (max: number) =>
    new EngineError('TOO_MANY_STREAMS', 429, `this token has ${max} live streams open already; close one before opening another`, undefined, true),
  storeUnavailable: (message: string) => new EngineError('STORE_UNAVAILABLE', 503, message, undefined, true),
  fitRefused: (message: string) => new EngineError('FIT_REFUSED', 422, message),
  /** A process whose probes answer before it can serve (the worker before it joins its group). */
  notReady: (message: string) => new EngineError('NOT_READY', 503, message, undefined, true),
  methodNotAllowed: (message: string) => new EngineError('METHOD_NOT_ALLOWED', 405, message),
  uriTooLong: (message: string) => new EngineError('URI_TOO_LONG', 414, message),
  unsupportedMediaType: () => new EngineError('UNSUPPORTED_MEDIA_TYPE', 415, 'send the body as application/json'),
  headersTooLarge: () => new EngineError('HEADERS_TOO_LARGE', 431, 'the request headers are larger than the service accepts (16 KiB)'),
  /** A fault of the service: its cause goes to the log, never to the client. */
  internal: () => new EngineError('INTERNAL', 500, 'the service failed to answer; it has been logged'),
} as const;

/** The one error shape every door answers with (api.md): `{ error: { code, message, details? } }`. */
export interface ErrorResponseBody {
  error: { code: string; message: string; details?: unknown[] };
}

export function errorBody(error: EngineError): ErrorResponseBody {
  return { error: error.details ? { code: error.code, message: error.message, details: error.details } : { code: error.code, message: error.message } };
}
