import Type from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { stringify } from 'csv-stringify/sync';
import type { EngineDeps } from '../../engine-deps.js';
import { setConsent } from '../../privacy/consent.js';
import { eraseStudent } from '../../privacy/erase-student.js';
import { exportStudent } from '../../privacy/export-student.js';
import { callerOf } from '../authenticate.js';
import { errorResponses, success } from '../responses.js';
import { StudentExport, StudentParams } from '../schemas.js';

/** Erasure and consent answer for any id (an unknown one too), so only the export has a 404. */
const errors = errorResponses(400, 401, 403, 429, 503);

type ById = FastifyRequest<{ Params: { id: string } }>;

const CSV_COLUMNS = ['event_id', 'event_type', 'timestamp', 'student_id', 'topic', 'component', 'data', 'metadata'] as const;

/** GDPR access, erasure and consent (api.md, "Privacy"). */
export function privacyRoutes(app: FastifyInstance, deps: EngineDeps): void {
  app.get(
    '/students/:id/export',
    {
      schema: {
        operationId: 'exportStudent',
        tags: ['privacy'],
        summary: 'Everything held about a student (GDPR access): events, history, current result, consent, audit entries',
        description: '`?format=csv` answers the events alone as CSV. The student themself or an admin.',
        params: StudentParams,
        querystring: Type.Object({ format: Type.Optional(Type.Enum(['json', 'csv'])) }, { additionalProperties: false }),
        response: {
          200: {
            'x-response-description': 'the export as JSON, or with `?format=csv` its events alone as CSV (an attachment)',
            content: {
              'application/json': { schema: StudentExport },
              'text/csv': { schema: Type.String({ description: `the columns ${CSV_COLUMNS.join(', ')}; data and metadata as JSON` }) },
            },
          },
          ...errorResponses(400, 401, 403, 404, 429, 503),
        },
      },
      // The export answers what the stores hold as it is: its schema above documents it and
      // does not serialise it (a schema-driven serialiser would drop what the schema omits).
      serializerCompiler: () => (data) => JSON.stringify(data),
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
        operationId: 'eraseStudent',
        tags: ['privacy'],
        summary: 'Erase a student everywhere but the audit trail, and refuse their events until consent is granted again',
        params: StudentParams,
        response: {
          200: success(
            Type.Object({ student_id: Type.String(), events_erased: Type.Integer() }),
            'erased (also a student never seen: 0 events), and a tombstone left',
          ),
          ...errors,
        },
      },
    },
    (request: ById) => eraseStudent(deps, callerOf(request), request.params.id),
  );

  app.put(
    '/students/:id/consent',
    {
      schema: {
        operationId: 'setStudentConsent',
        tags: ['privacy'],
        summary: "Grant or withdraw a student's consent (granting lifts an erasure tombstone)",
        params: StudentParams,
        body: Type.Object({ granted: Type.Boolean() }, { additionalProperties: false }),
        response: {
          200: success(Type.Object({ student_id: Type.String(), granted: Type.Boolean(), updated_at: Type.String() }), 'the consent as now recorded'),
          ...errors,
        },
      },
    },
    (request: FastifyRequest<{ Params: { id: string }; Body: { granted: boolean } }>) =>
      setConsent(deps, callerOf(request), request.params.id, request.body.granted),
  );
}
