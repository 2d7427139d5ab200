import type { FittedParams } from '../../model/learner/fit-learner-params.js';
import type { LearnerParams } from '../../model/learner/learner-params.js';

/*
 * Fitted parameters as JSON for the event-log database. Topics and items travel as
 * [name, value, answers] triples: a topic may be called `__proto__`, which must never become an
 * object key, and triples keep a fit of thousands of items compact.
 */
interface ParamsJson {
  answers: number;
  pooled: { difficulty: number; answers: number };
  topics: Array<[string, number, number]>;
  items: Array<[string, number, number]>;
  rates: LearnerParams['rates'];
  forgettingHalfLifeDays: number;
  priorVariance: LearnerParams['priorVariance'];
  masteryBar: number;
  forecast: LearnerParams['forecast'];
}

export function encodeParams(p: FittedParams): string {
  const json: ParamsJson = {
    answers: p.answers,
    pooled: p.pooled,
    topics: [...p.topics].map(([name, t]) => [name, t.difficulty, t.answers]),
    items: [...p.items].map(([name, i]) => [name, i.offset, i.answers]),
    rates: p.rates,
    forgettingHalfLifeDays: p.forgettingHalfLifeDays,
    priorVariance: p.priorVariance,
    masteryBar: p.masteryBar,
    forecast: p.forecast,
  };
  return JSON.stringify(json);
}

export function decodeParams(text: string | object, version: string, fittedAt: string): LearnerParams {
  const json = (typeof text === 'string' ? JSON.parse(text) : text) as ParamsJson;
  return {
    version,
    fitted_at: fittedAt,
    answers: json.answers,
    pooled: json.pooled,
    topics: new Map(json.topics.map(([name, difficulty, answers]) => [name, { difficulty, answers }])),
    items: new Map(json.items.map(([name, offset, answers]) => [name, { offset, answers }])),
    rates: json.rates,
    forgettingHalfLifeDays: json.forgettingHalfLifeDays,
    priorVariance: json.priorVariance,
    masteryBar: json.masteryBar,
    forecast: json.forecast,
  };
}
