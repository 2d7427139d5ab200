import Type from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readAudit } from '../../audit/audit-queries.js';
import { Errors } from '../../errors.js';
import type { EngineDeps } from '../../engine-deps.js';
import { callerOf } from '../authenticate.js';
import { StudentId } from '../../validation/event-schema.js';
import { errorResponses, success } from '../responses.js';
import { AuditEntry } from '../schemas.js';

interface AuditQuery {
  student?: string;
  actor?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

/** Years the trail can hold (PostgreSQL's timestamptz, JavaScript's Date, and reason agree). */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function instant(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || ms < EARLIEST || ms > LATEST) {
    throw Errors.badRequest(`${name} must be a date or an RFC 3339 date-time between 1970 and 9999, not ${value}`);
  }
  return new Date(ms).toISOString();
}

/** GET /v1/audit: the audit trail, for admins. */
export function auditRoutes(app: FastifyInstance, deps: EngineDeps): void {
  app.get(
    '/audit',
    {
      schema: {
        operationId: 'readAudit',
        tags: ['audit'],
        summary: 'The audit trail, newest first: filter by student, actor and time; page with `next`',
        querystring: Type.Object(
          {
            student: Type.Optional(StudentId),
            actor: Type.Optional(Type.String({ pattern: '^[^\\u0000-\\u001f]{1,256}$' })),
            from: Type.Optional(Type.String({ description: 'date or date-time, inclusive' })),
            to: Type.Optional(Type.String({ description: 'date or date-time, inclusive' })),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            cursor: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,200}$', description: 'the `next` of the previous page' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: success(
            Type.Object({ entries: Type.Array(AuditEntry), next: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }) }),
            'a page of entries, newest first',
          ),
          ...errorResponses(400, 401, 403, 429, 503),
        },
      },
    },
    (request: FastifyRequest<{ Querystring: AuditQuery }>) => {
      const q = request.query;
      return readAudit(deps, callerOf(request), {
        studentId: q.student,
        actor: q.actor,
        from: instant('from', q.from),
        to: instant('to', q.to),
        limit: q.limit,
        cursor: q.cursor,
      });
    },
  );
}
