import Type, { type Static } from 'typebox';
import { COMPONENTS, DIFFICULTIES } from '../model/types.js';
import { EVENT_TYPES } from '../model/learning-event.js';

/** Student ids and topics become parts of storage keys: nothing but these characters. */
export const KEY_SAFE_PATTERN = '^[A-Za-z0-9._-]{1,64}$';
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const MAX_EVENT_BYTES = 16 * 1024;
/**
 * How deep an event may nest objects and arrays (the event itself is level 1; an event of
 * events.md needs 3). Checked first, without recursion: a deeper one would overflow the stack
 * of every recursive step after it (JSON.stringify among them).
 */
export const MAX_NESTING_DEPTH = 10;
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

export const StudentId = Type.String({ pattern: KEY_SAFE_PATTERN, description: '1–64 characters of A–Z a–z 0–9 . _ -' });
export const TopicName = Type.String({ pattern: KEY_SAFE_PATTERN, description: '1–64 characters of A–Z a–z 0–9 . _ -' });

/** The envelope of events.md; `data` is checked separately, by component, for clearer errors. */
export const EventEnvelopeSchema = Type.Object(
  {
    event_id: Type.String({ pattern: UUID_PATTERN, description: 'UUID (any version); the idempotency key' }),
    event_type: Type.Enum([...EVENT_TYPES]),
    timestamp: Type.String({ description: 'RFC 3339 with offset; at most 5 minutes in the future' }),
    student_id: StudentId,
    component: Type.Optional(Type.Enum([...COMPONENTS])),
    topic: Type.Optional(TopicName),
    data: Type.Optional(Type.Object({}, { additionalProperties: true })),
    // additionalProperties rather than Type.Record: Record's '^.*$' pattern skips keys with line breaks.
    metadata: Type.Optional(Type.Object({}, { additionalProperties: Type.String() })),
    retry_count: Type.Optional(Type.Integer({ minimum: 0, description: 'set by the engine on the retry topic' })),
  },
  { additionalProperties: false },
);

const Unit = Type.Number({ minimum: 0, maximum: 1 });
const Count = (minimum: number) => Type.Integer({ minimum });

export const CompletionDataSchema = Type.Object(
  {
    total_exercises: Count(1),
    completed_exercises: Count(0),
    difficulty: Type.Optional(Type.Enum([...DIFFICULTIES])),
  },
  { additionalProperties: false },
);

export const QuizDataSchema = Type.Object(
  {
    total_questions: Count(1),
    correct_answers: Count(0),
    avg_time_seconds: Type.Optional(Type.Number({ minimum: 0 })),
    attempts: Type.Optional(Count(1)),
  },
  { additionalProperties: false },
);

export const QualityDataSchema = Type.Object({ avg_code_quality: Unit, correctness: Unit, efficiency: Unit }, { additionalProperties: false });

export const EmptyDataSchema = Type.Object({}, { additionalProperties: false });

/** Item ids name questions in a producer's bank: key-safe characters and `:`, for namespaced ids. */
export const ITEM_ID_PATTERN = '^[A-Za-z0-9._:-]{1,128}$';
export const MAX_RESPONSE_SECONDS = 86_400;

export const ResponseDataSchema = Type.Object(
  {
    item_id: Type.String({ pattern: ITEM_ID_PATTERN, description: '1–128 characters of A–Z a–z 0–9 . _ : -' }),
    correct: Type.Boolean(),
    attempt: Type.Optional(Type.Integer({ minimum: 1, description: '1 when absent; only first attempts inform knowledge' })),
    seconds: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_RESPONSE_SECONDS, description: 'time taken, at most a day' })),
  },
  { additionalProperties: false },
);

export const DATA_SCHEMAS = {
  completion: CompletionDataSchema,
  quiz: QuizDataSchema,
  quality: QualityDataSchema,
  consistency: EmptyDataSchema,
} as const;

/** The whole event as documented in the OpenAPI document (validation itself is validate-event.ts). */
export const LearningEventDocSchema = Type.Intersect([
  EventEnvelopeSchema,
  Type.Object({
    data: Type.Optional(
      Type.Union([CompletionDataSchema, QuizDataSchema, QualityDataSchema, ResponseDataSchema, EmptyDataSchema], {
        description: 'shape depends on component, or on event_type for response.recorded (events.md)',
      }),
    ),
  }),
]);

export type EventEnvelopeInput = Static<typeof EventEnvelopeSchema>;
