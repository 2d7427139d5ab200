import Type from 'typebox';
import { AUDIT_ACTIONS } from '../ports/audit-trail.js';
import { AsOfString, DayString, MasteryResult } from '../results/mastery-result-schema.js';
import { KEY_SAFE_PATTERN, TopicName } from '../validation/event-schema.js';

/**
 * The HTTP API's own request and response shapes; they validate at the edge and feed /docs. The
 * results the HTTP API shares with the MCP tools are in src/results.
 */

/** GET /v1/model: the learner model's parameters in use. */
export const ModelSummary = Type.Object({
  model_version: Type.String({ description: '`default` before any fit' }),
  fitted_at: Type.Union([Type.String(), Type.Null()]),
  answers: Type.Integer({ minimum: 0 }),
  pooled: Type.Object({ difficulty: Type.Number(), answers: Type.Integer() }),
  topics_with_own_parameters: Type.Integer({ minimum: 0 }),
  items_with_own_parameters: Type.Integer({ minimum: 0 }),
  settings: Type.Object({}, { additionalProperties: true }),
});

const FieldErrorSchema = Type.Object({ field: Type.String(), message: Type.String() });

export const IngestReport = Type.Object({
  accepted: Type.Integer(),
  duplicate: Type.Integer(),
  rejected: Type.Integer(),
  queued: Type.Optional(Type.Integer({ description: 'forwarded to mastery.requests (MASTERY_HTTP_INGEST=forward)' })),
  results: Type.Array(
    Type.Object({
      index: Type.Integer(),
      event_id: Type.Optional(Type.String()),
      status: Type.Enum(['accepted', 'duplicate', 'rejected', 'queued']),
      errors: Type.Optional(Type.Array(FieldErrorSchema)),
    }),
  ),
  updated: Type.Array(Type.String(), { description: 'students whose result changed' }),
});

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Array(Type.Unknown())),
  }),
});

export const StudentParams = Type.Object({ id: Type.String({ pattern: KEY_SAFE_PATTERN, description: 'student id: 1–64 characters of A–Z a–z 0–9 . _ -' }) });

export const ScopeQuery = Type.Object(
  {
    as_of: Type.Optional(AsOfString),
    topic: Type.Optional(TopicName),
  },
  { additionalProperties: false },
);

/** One entry of the audit trail (api.md, "The audit trail"). */
export const AuditEntry = Type.Object({
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

/** GET /v1/students/{id}/export as JSON: everything held about the student. */
export const StudentExport = Type.Object({
  student_id: Type.String(),
  exported_at: Type.String({ description: 'RFC 3339 date-time' }),
  consent: Type.Object({
    granted: Type.Union([Type.Boolean(), Type.Null()], { description: 'null: never set' }),
    updated_at: Type.Union([Type.String(), Type.Null()]),
  }),
  current: Type.Union([Type.Intersect([Type.Object({ as_of: DayString }), MasteryResult]), Type.Null()], {
    description: 'the overall result as of today',
  }),
  history: Type.Array(Type.Intersect([Type.Object({ date: DayString }), MasteryResult]), { description: 'every active day' }),
  events: Type.Array(Type.Ref('LearningEvent'), { description: 'as logged' }),
  audit: Type.Array(AuditEntry, { description: 'the entries about the student, newest first' }),
});
