import type { LearnerParams } from '../model/learner/learner-params.js';

/** What GET /v1/model and a fit answer: the version in use and what it rests on (learner-model §3). */
export interface ModelSummary {
  model_version: string;
  fitted_at: string | null;
  /** How many first-attempt answers the version was fitted from (0 for the defaults). */
  answers: number;
  pooled: { difficulty: number; answers: number };
  /** How many topics and items have parameters of their own (the others use the pooled ones). */
  topics_with_own_parameters: number;
  items_with_own_parameters: number;
  settings: {
    rates: LearnerParams['rates'];
    forgetting_half_life_days: number;
    prior_variance: LearnerParams['priorVariance'];
    mastery_bar: number;
    forecast: LearnerParams['forecast'];
  };
}

export function modelSummary(params: LearnerParams): ModelSummary {
  return {
    model_version: params.version,
    fitted_at: params.fitted_at,
    answers: params.answers,
    pooled: params.pooled,
    topics_with_own_parameters: params.topics.size,
    items_with_own_parameters: params.items.size,
    settings: {
      rates: params.rates,
      forgetting_half_life_days: params.forgettingHalfLifeDays,
      prior_variance: params.priorVariance,
      mastery_bar: params.masteryBar,
      forecast: params.forecast,
    },
  };
}
