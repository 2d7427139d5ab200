/**
 * The MCP tools' input and output shapes (zod, as the SDK takes them). They mirror the HTTP
 * API's schemas (http/schemas.ts), which mirror mastery-model.md.
 */
import { z } from 'zod';
import type { ModelConfig } from '../model/model-config.js';
import { LEVELS } from '../model/types.js';
import { KEY_SAFE_PATTERN } from '../validation/event-schema.js';

const unit = (what: string) => z.number().min(0).max(1).describe(what);
const keySafe = new RegExp(KEY_SAFE_PATTERN);

const componentValues = z.object({
  completion: z.number(),
  quiz: z.number(),
  quality: z.number(),
  consistency: z.number(),
});

const component = z.enum(['completion', 'quiz', 'quality', 'consistency']);

const masteryFields = {
  mastery_score: z.number().describe('0…1, rounded to 3 decimals'),
  level: z.enum(LEVELS),
  components: componentValues.describe('each component value, 0…1'),
  breakdown: componentValues.describe('each component × its weight'),
  recommendations: z.array(
    z.object({
      action: z.string(),
      area: z.string(),
      priority: z.enum(['high', 'medium', 'low']),
      topic: z.string().optional(),
    }),
  ),
};

// ---- inputs

/** A weight as the descriptions show it: 0.40. */
export const weight = (w: number) => w.toFixed(2);

/** The calculator's inputs, described with the weights this server computes with. */
export function calculateInput(model: ModelConfig) {
  const w = model.weights;
  return {
    completion: unit(`completion component (weight ${weight(w.completion)}): completed/total exercises × difficulty multiplier`),
    quiz: unit(`quiz component (weight ${weight(w.quiz)}): correct/total answers × confidence factor`),
    quality: unit(`quality component (weight ${weight(w.quality)}): mean of code quality, correctness, efficiency`),
    consistency: unit(`consistency component (weight ${weight(w.consistency)}): current/max streak × 0.9^days since last active day`),
  };
}

export const studentInput = {
  student_id: z.string().regex(keySafe).describe('student id: 1–64 characters of A–Z a–z 0–9 . _ -'),
  as_of: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .describe('compute as of this day, YYYY-MM-DD (UTC); default today'),
  topic: z.string().regex(keySafe).optional().describe('one topic, e.g. python.loops; default the overall roll-up'),
};

export const atRiskInput = {
  as_of: studentInput.as_of,
  limit: z.number().int().min(1).max(1000).optional().describe('at most this many students (default 20)'),
};

export const recordResponseInput = {
  student_id: studentInput.student_id,
  topic: z.string().describe('the topic the item belongs to, e.g. python.loops'),
  item_id: z.string().describe('the item answered: 1–128 characters of A–Z a–z 0–9 . _ : -'),
  correct: z.boolean().describe('whether the answer was right'),
  attempt: z.number().int().optional().describe('1 for a first attempt (the default); only first attempts inform knowledge'),
  seconds: z.number().optional().describe('time taken, in seconds'),
  timestamp: z.string().optional().describe('when it was answered, RFC 3339 with an offset; default now'),
  event_id: z.string().optional().describe('a UUID for this answer; send the same one when retrying, so the answer counts once (default: a new one)'),
};

// ---- outputs

export const recordResponseOutput = {
  event_id: z.string(),
  status: z.enum(['accepted', 'duplicate', 'queued']).describe('duplicate: an answer with this event_id was recorded before'),
  student_id: z.string(),
  topic: z.string(),
};

export const masteryOutput = masteryFields;

export const studentMasteryOutput = {
  student_id: z.string(),
  topic: z.string().nullable().describe('null: the overall roll-up'),
  as_of: z.string(),
  ...masteryFields,
  topics: z
    .array(z.object({ topic: z.string(), mastery_score: z.number(), level: z.enum(LEVELS) }))
    .optional()
    .describe("for the overall roll-up: each topic's own score and level"),
};

const forecastShape = z
  .object({
    score_in_7_days: z.number(),
    low: z.number(),
    high: z.number(),
    needs_help: z.boolean().describe('score_in_7_days < 0.5 or high < 0.6'),
    method: z.string(),
    model_version: z.string(),
  })
  .describe("the learner model's 7-day forecast with its 80 % interval");

export const predictionOutput = {
  student_id: z.string(),
  topic: z.string().nullable(),
  prediction: z.number().nullable().describe('the score expected in 7 days; null with fewer than 3 days of history'),
  confidence: z.number(),
  current: z.number().optional(),
  trend: z.enum(['improving', 'declining', 'stable']).optional(),
  trend_per_day: z.number().optional(),
  intervention_needed: z.boolean().optional().describe('prediction < 0.5'),
  forecast: forecastShape,
};

export const knowledgeInput = {
  student_id: studentInput.student_id,
  as_of: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}([Tt].+)?$/)
    .optional()
    .describe('a day YYYY-MM-DD (its end) or an RFC 3339 date-time (the answers strictly before it); default today'),
  topic: z.string().regex(keySafe).optional().describe('one topic (also one never answered: its prior); default every topic of the student'),
};

export const knowledgeOutput = {
  student_id: z.string(),
  as_of: z.string(),
  model_version: z.string(),
  topics: z.array(
    z.object({
      topic: z.string(),
      p_known: z.number().describe('probability the topic is known'),
      p_correct: z.number().describe('probability the next first-attempt answer on it is right'),
      responses: z.number().int(),
      last_response_at: z.string().nullable(),
    }),
  ),
};

export const pathOutput = {
  student_id: z.string(),
  topic: z.string().nullable(),
  as_of: z.string(),
  path: z.array(z.string()).describe('the steps to take, weakest component first'),
  weak_components: z.array(z.object({ component, value: z.number() })),
  weak_topics: z.array(z.object({ topic: z.string(), mastery_score: z.number(), weak_components: z.array(component), p_known: z.number() })),
  focus_topic: z.object({ topic: z.string(), p_known: z.number() }).nullable().describe('the least known topic'),
};

export const atRiskOutput = {
  as_of: z.string(),
  students_seen: z.number().int().describe('how many students the caller may see'),
  at_risk: z.number().int().describe('how many of them the forecast says need help (before the limit)'),
  students: z.array(
    z.object({
      student_id: z.string(),
      mastery_score: z.number(),
      level: z.enum(LEVELS),
      prediction: z.number().nullable(),
      trend: z.string().nullable(),
      forecast: z.object({ score_in_7_days: z.number(), low: z.number(), high: z.number() }),
    }),
  ),
};
