import Type from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readAudit } from '../../audit/audit-queries.js';
import { Errors } from '../../errors.js';
import type { EngineDeps } from '../../engine-deps.js';
import { AUDIT_ACTIONS } from '../../ports/audit-trail.js';
import { callerOf } from '../authenticate.js';
import { StudentId } from '../../validation/event-schema.js';
import { ErrorBody } from '../schemas.js';

const Entry = Type.Object({
  at: Type.String(),
  actor: Type.String(),
  role: Type.String(),
  student_id: Type.Union([Type.String(), Type.Null()]),
  action: Type.Enum([...AUDIT_ACTIONS]),
  outcome: Type.Enum(['allowed', 'refused', 'not_found']),
  request_id: Type.String(),
  students: Type.Optional(Type.Array(Type.String(), { description: 'the students a class-wide read covered' })),
  detail: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
});

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
        response: { 200: Type.Object({ entries: Type.Array(Entry), next: Type.Union([Type.String(), Type.Null()]) }), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
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
