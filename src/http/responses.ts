import { sharedRef } from './shared-schemas.js';

/**
 * What each error status means, as the OpenAPI document says it for every route that answers
 * it (api.md, "Errors", has the codes). The body is always the API's error shape.
 */
const MEANINGS = {
  400: 'BAD_REQUEST: a malformed request (bad JSON, a bad query parameter or path id)',
  401: 'UNAUTHORIZED: no token, or a token that fails a check',
  403: 'FORBIDDEN: the token may not do that, or may not read that student',
  404: 'STUDENT_NOT_FOUND or TOPIC_NOT_FOUND: an allowed read of a student (or topic) the engine holds nothing about',
  413: 'PAYLOAD_TOO_LARGE: a batch of more than 1,000 events, or a body too large',
  422: 'INVALID_EVENT (a single event refused; `details` names each field) or FIT_REFUSED (too few answers to fit)',
  429: 'RATE_LIMITED (try again after Retry-After) or TOO_MANY_STREAMS',
  503: 'STORE_UNAVAILABLE, STATE_CONFLICT or NOT_READY: try again',
} as const;

export type ErrorStatus = keyof typeof MEANINGS;

type ErrorResponse = ReturnType<typeof sharedRef> & { description: string };

/** The error body with its status's meaning as the response's description in the document. */
function described(status: ErrorStatus): ErrorResponse {
  // Beside a $ref, swagger takes `description` as the response's (the reference replaces the rest).
  return { ...sharedRef('ErrorBody'), description: MEANINGS[status] };
}

/** The response schemas of the given error statuses, for a route's `response`. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, ErrorResponse> {
  return Object.fromEntries(statuses.map((s) => [s, described(s)])) as Record<S, ErrorResponse>;
}

/** A success response's schema with the description the document shows for it. */
export function success<T extends object>(schema: T, description: string): T {
  return { ...schema, 'x-response-description': description };
}
