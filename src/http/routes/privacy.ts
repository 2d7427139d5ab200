import Type from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { stringify } from 'csv-stringify/sync';
import type { EngineDeps } from '../../engine-deps.js';
import { setConsent } from '../../privacy/consent.js';
import { eraseStudent } from '../../privacy/erase-student.js';
import { exportStudent } from '../../privacy/export-student.js';
import { callerOf } from '../authenticate.js';
import { ErrorBody, StudentParams } from '../schemas.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

type ById = FastifyRequest<{ Params: { id: string } }>;

const CSV_COLUMNS = ['event_id', 'event_type', 'timestamp', 'student_id', 'topic', 'component', 'data', 'metadata'] as const;

/** GDPR access, erasure and consent (api.md, "Privacy"). */
export function privacyRoutes(app: FastifyInstance, deps: EngineDeps): void {
  app.get(
    '/students/:id/export',
    {
      schema: {
        summary: 'Everything held about a student (GDPR access): events, history, current result, consent, audit entries',
        description: '`?format=csv` answers the events alone as CSV. The student themself or an admin.',
        params: StudentParams,
        querystring: Type.Object({ format: Type.Optional(Type.Enum(['json', 'csv'])) }, { additionalProperties: false }),
        response: errors,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Querystring: { format?: 'json' | 'csv' } }>, reply) => {
      const exported = await exportStudent(deps, callerOf(request), request.params.id);
      if (request.query.format !== 'csv') return exported;
      const rows = exported.events.map((e) => {
        const record = e as unknown as Record<string, unknown>;
        return CSV_COLUMNS.map((c) => {
          const v = record[c];
          return v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
        });
      });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${request.params.id}-events.csv"`)
        .send(stringify(rows, { header: true, columns: [...CSV_COLUMNS] }));
    },
  );

  app.delete(
    '/students/:id',
    {
      schema: {
        summary: 'Erase a student everywhere but the audit trail, and refuse their events until consent is granted again',
        params: StudentParams,
        response: { 200: Type.Object({ student_id: Type.String(), events_erased: Type.Integer() }), ...errors },
      },
    },
    (request: ById) => eraseStudent(deps, callerOf(request), request.params.id),
  );

  app.put(
    '/students/:id/consent',
    {
      schema: {
        summary: "Grant or withdraw a student's consent (granting lifts an erasure tombstone)",
        params: StudentParams,
        body: Type.Object({ granted: Type.Boolean() }, { additionalProperties: false }),
        response: {
          200: Type.Object({ student_id: Type.String(), granted: Type.Boolean(), updated_at: Type.String() }),
          ...errors,
        },
      },
    },
    (request: FastifyRequest<{ Params: { id: string }; Body: { granted: boolean } }>) =>
      setConsent(deps, callerOf(request), request.params.id, request.body.granted),
  );
}
