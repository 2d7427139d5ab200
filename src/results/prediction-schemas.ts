import Type from 'typebox';
import { Unit } from './mastery-result-schema.js';

/** The 7-day prediction and the learner model's forecast beside it (mastery-model.md §7, learner-model.md §4). */

export const Trend = Type.Enum(['improving', 'declining', 'stable']);

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

/** A prediction's fields when there is history enough for one. */
export const PredictionFields = {
  current: Unit,
  prediction: Unit,
  trend: Trend,
  trend_per_day: Type.Number(),
  confidence: Unit,
  intervention_needed: Type.Boolean({ description: 'prediction < 0.5' }),
  forecast: Forecast,
};

export const PredictionResult = Type.Union([
  Type.Object({ prediction: Type.Null(), confidence: Type.Number(), forecast: Forecast }, { description: 'fewer than 3 days of history' }),
  Type.Object(PredictionFields),
]);
