import Type from 'typebox';
import { COMPONENTS, LEVELS } from '../model/types.js';
import { AUDIT_ACTIONS } from '../ports/audit-trail.js';
import { KEY_SAFE_PATTERN, TopicName } from '../validation/event-schema.js';

/** Request and response shapes of the HTTP API; they validate at the edge and feed /docs. */

export const DayString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (UTC)' });

/** A per-student read's as_of: a day (its end), or an RFC 3339 date-time (everything strictly before it). */
export const AsOfString = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}([Tt].+)?$',
  description:
    'YYYY-MM-DD (the end of that UTC day) or an RFC 3339 date-time (strictly before it); the seed numbers are per day: a date-time selects its UTC day for them',
});

const Unit = Type.Number({ minimum: 0, maximum: 1 });
const Components = Type.Object(Object.fromEntries(COMPONENTS.map((k) => [k, Unit])) as Record<(typeof COMPONENTS)[number], typeof Unit>);
const Level = Type.Enum([...LEVELS]);

export const Recommendation = Type.Object({
  action: Type.String(),
  area: Type.String(),
  priority: Type.Enum(['high', 'medium', 'low']),
  topic: Type.Optional(Type.String()),
});

export const MasteryResult = Type.Object({
  mastery_score: Unit,
  level: Level,
  components: Components,
  breakdown: Components,
  recommendations: Type.Array(Recommendation),
});

const StudentScope = {
  student_id: Type.String(),
  topic: Type.Union([Type.String(), Type.Null()], { description: 'null: the overall roll-up' }),
};

export const StudentMastery = Type.Intersect([
  Type.Object({ ...StudentScope, as_of: DayString }),
  MasteryResult,
  Type.Object({
    topics: Type.Optional(
      Type.Array(Type.Object({ topic: Type.String(), mastery_score: Unit, level: Level }), {
        description: 'overall roll-up only: each topic on its own',
      }),
    ),
  }),
]);

export const StudentHistory = Type.Object({
  ...StudentScope,
  days: Type.Array(Type.Intersect([Type.Object({ date: DayString }), MasteryResult])),
});

export const Forecast = Type.Object(
  {
    score_in_7_days: Unit,
    low: Unit,
    high: Unit,
    needs_help: Type.Boolean({ description: 'score_in_7_days < 0.5 or high < 0.6' }),
    method: Type.String(),
    model_version: Type.String(),
  },
  { description: "the learner model's 7-day forecast, with its 80 % interval (docs/learner-model.md)" },
);

export const PredictionResult = Type.Union([
  Type.Object({ prediction: Type.Null(), confidence: Type.Number(), forecast: Forecast }, { description: 'fewer than 3 days of history' }),
  Type.Object({
    current: Unit,
    prediction: Unit,
    trend: Type.Enum(['improving', 'declining', 'stable']),
    trend_per_day: Type.Number(),
    confidence: Unit,
    intervention_needed: Type.Boolean(),
    forecast: Forecast,
  }),
]);

export const StudentKnowledge = Type.Object({
  student_id: Type.String(),
  as_of: Type.String({ description: 'the date or date-time asked for' }),
  model_version: Type.String(),
  topics: Type.Array(
    Type.Object({
      topic: Type.String(),
      p_known: Unit,
      p_correct: Unit,
      responses: Type.Integer({ minimum: 0 }),
      last_response_at: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

export const ModelSummary = Type.Object({
  model_version: Type.String({ description: '`default` before any fit' }),
  fitted_at: Type.Union([Type.String(), Type.Null()]),
  answers: Type.Integer({ minimum: 0 }),
  pooled: Type.Object({ difficulty: Type.Number(), answers: Type.Integer() }),
  topics_with_own_parameters: Type.Integer({ minimum: 0 }),
  items_with_own_parameters: Type.Integer({ minimum: 0 }),
  settings: Type.Object({}, { additionalProperties: true }),
});

const ComponentName = Type.Enum([...COMPONENTS]);

export const LearningPath = Type.Object({
  ...StudentScope,
  as_of: DayString,
  path: Type.Array(Type.String()),
  weak_components: Type.Array(Type.Object({ component: ComponentName, value: Unit })),
  weak_topics: Type.Array(Type.Object({ topic: Type.String(), mastery_score: Unit, weak_components: Type.Array(ComponentName), p_known: Unit })),
  focus_topic: Type.Union([Type.Object({ topic: Type.String(), p_known: Unit }), Type.Null()], {
    description: 'the least known topic (learner model), named as recommendations name topics: overall, with two topics or more; else null',
  }),
});

export const StudentList = Type.Object({
  as_of: DayString,
  total: Type.Integer(),
  students: Type.Array(
    Type.Object({
      student_id: Type.String(),
      mastery_score: Unit,
      level: Level,
      trend: Type.Union([Type.Enum(['improving', 'declining', 'stable']), Type.Null()]),
      prediction: Type.Union([Unit, Type.Null()]),
      intervention_needed: Type.Boolean(),
      forecast: Type.Object({ score_in_7_days: Unit, low: Unit, high: Unit }),
      needs_help: Type.Boolean({ description: "the learner model's forecast says so" }),
      topics: Type.Array(Type.Object({ topic: Type.String(), mastery_score: Unit, level: Level }), {
        description: "each topic's own score and level, in name order",
      }),
    }),
  ),
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
