/**
 * The MCP tools' arguments and results, composed of the results declared once in src/results
 * (the HTTP API answers with the same) and converted for the SDK by zod-from-typebox.ts. Only what
 * exists for MCP alone is declared here: the arguments, record_response's answer, the at-risk list.
 */
import Type from 'typebox';
import type { ModelConfig } from '../model/model-config.js';
import type { COMPONENTS } from '../model/types.js';
import { StudentSummary } from '../results/class-list-schema.js';
import { AS_OF_PATTERN, DAY_PATTERN, DayString, MasteryResult } from '../results/mastery-result-schema.js';
import { LearningPath } from '../results/path-schema.js';
import { Forecast, PredictionFields } from '../results/prediction-schemas.js';
import { StudentKnowledge, StudentMastery, StudentScope } from '../results/student-result-schemas.js';
import { StudentParams } from '../http/schemas.js';
import { KEY_SAFE_PATTERN } from '../validation/event-schema.js';

// ---- inputs

/** A weight as the descriptions show it: 0.40. */
export const weight = (w: number) => w.toFixed(2);

const COMPONENT_DESCRIPTIONS = {
  completion: 'completed/total exercises × difficulty multiplier',
  quiz: 'correct/total answers × confidence factor',
  quality: 'mean of code quality, correctness, efficiency',
  consistency: 'current/max streak × 0.9^days since last active day',
} as const;

/** The calculator's inputs, as POST /v1/mastery/calculate takes them, described with the weights this server computes with. */
export function calculateInput(model: ModelConfig) {
  const value = (c: (typeof COMPONENTS)[number]) =>
    Type.Number({ minimum: 0, maximum: 1, description: `${c} component (weight ${weight(model.weights[c])}): ${COMPONENT_DESCRIPTIONS[c]}` });
  return Type.Object({ completion: value('completion'), quiz: value('quiz'), quality: value('quality'), consistency: value('consistency') });
}

const studentId = StudentParams.properties.id;
const asOfDay = Type.Optional(Type.String({ pattern: DAY_PATTERN, description: 'compute as of this day, YYYY-MM-DD (UTC); default today' }));

export const studentInput = Type.Object({
  student_id: studentId,
  as_of: asOfDay,
  topic: Type.Optional(Type.String({ pattern: KEY_SAFE_PATTERN, description: 'one topic, e.g. python.loops; default the overall roll-up' })),
});

export const atRiskInput = Type.Object({
  as_of: asOfDay,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'at most this many students (default 20)' })),
});

/** Loose on purpose: the answer becomes an event, and the pipeline's validation names what is wrong, as for every producer. */
export const recordResponseInput = Type.Object({
  student_id: studentId,
  topic: Type.String({ description: 'the topic the item belongs to, e.g. python.loops' }),
  item_id: Type.String({ description: 'the item answered: 1–128 characters of A–Z a–z 0–9 . _ : -' }),
  correct: Type.Boolean({ description: 'whether the answer was right' }),
  attempt: Type.Optional(Type.Integer({ description: '1 for a first attempt (the default); only first attempts inform knowledge' })),
  seconds: Type.Optional(Type.Number({ description: 'time taken, in seconds' })),
  timestamp: Type.Optional(Type.String({ description: 'when it was answered, RFC 3339 with an offset; default now' })),
  event_id: Type.Optional(
    Type.String({ description: 'a UUID for this answer; send the same one when retrying, so the answer counts once (default: a new one)' }),
  ),
});

export const knowledgeInput = Type.Object({
  student_id: studentId,
  as_of: Type.Optional(
    Type.String({
      pattern: AS_OF_PATTERN,
      description: 'a day YYYY-MM-DD (its end) or an RFC 3339 date-time (the answers strictly before it); default today',
    }),
  ),
  topic: Type.Optional(
    Type.String({ pattern: KEY_SAFE_PATTERN, description: 'one topic (also one never answered: its prior); default every topic of the student' }),
  ),
});

// ---- outputs

export const masteryOutput = MasteryResult;

/** A tool's result is one object (MCP's outputSchema has type object): the intersection evaluated into one. */
export const studentMasteryOutput = Type.Evaluate(StudentMastery);

/**
 * The HTTP answer's two shapes (too little history, or a prediction) in one object, as MCP's
 * outputSchema must be: the fields of a prediction optional, `prediction` null or a number.
 */
export const predictionOutput = Type.Object({
  ...StudentScope,
  prediction: Type.Union([PredictionFields.prediction, Type.Null()], {
    description: 'the score expected in 7 days; null with fewer than 3 days of history',
  }),
  confidence: Type.Number(),
  current: Type.Optional(PredictionFields.current),
  trend: Type.Optional(PredictionFields.trend),
  trend_per_day: Type.Optional(PredictionFields.trend_per_day),
  intervention_needed: Type.Optional(PredictionFields.intervention_needed),
  forecast: Forecast,
});

export const knowledgeOutput = StudentKnowledge;

export const pathOutput = LearningPath;

export const recordResponseOutput = Type.Object({
  event_id: Type.String(),
  status: Type.Enum(['accepted', 'duplicate', 'queued'], { description: 'duplicate: an answer with this event_id was recorded before' }),
  student_id: Type.String(),
  topic: Type.String(),
});

export const atRiskOutput = Type.Object({
  as_of: DayString,
  students_seen: Type.Integer({ description: 'how many students the caller may see' }),
  at_risk: Type.Integer({ description: 'how many of them the forecast says need help (before the limit)' }),
  students: Type.Array(Type.Pick(StudentSummary, ['student_id', 'mastery_score', 'level', 'prediction', 'trend', 'forecast'])),
});
