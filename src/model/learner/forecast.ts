import { consistencyOf, streakOf } from '../consistency.js';
import { dayNumber, type Day } from '../days.js';
import { activeDays } from '../mastery-as-of.js';
import type { ModelConfig } from '../model-config.js';
import { clamp, round3 } from '../numbers.js';
import { dayNumbersOf } from '../fast/day-index.js';
import { scopesOver } from '../fast/scope-cursors.js';
import type { StudentState } from '../student-state.js';
import { COMPONENTS, type ComponentValues } from '../types.js';
import type { LearnerParams } from './learner-params.js';

/** The score expected 7 days ahead, with an 80 % interval (learner-model §4). */
export interface Forecast {
  score_in_7_days: number;
  low: number;
  high: number;
  needs_help: boolean;
  method: typeof FORECAST_METHOD;
  model_version: string;
}

export const FORECAST_METHOD = 'activity-paths';
const HORIZON_DAYS = 7;
const PATTERNS = 1 << HORIZON_DAYS;
/** How many active days each pattern has. */
const ACTIVE_DAYS = Uint8Array.from({ length: PATTERNS }, (_, p) => p.toString(2).replaceAll('0', '').length);
/** The outcomes of one forecast, reused: a forecast runs on every write, to its end, synchronously. */
const outcomes = new Float64Array(PATTERNS);

/**
 * The weighted quantiles `qs` (ascending) of outcomes sorted as forecastFrom packs them (score in
 * thousandths × PATTERNS + pattern): for each q, the score of the first outcome whose cumulative
 * weight reaches it.
 */
function quantiles<Q extends readonly number[]>(sorted: Float64Array, weightOf: (pattern: number) => number, qs: Q): { [K in keyof Q]: number } {
  const found: number[] = [];
  let cumulative = 0;
  for (const key of sorted) {
    cumulative += weightOf(key % PATTERNS);
    while (found.length < qs.length && cumulative >= qs[found.length]! - 1e-12) found.push(Math.floor(key / PATTERNS) / 1000);
  }
  while (found.length < qs.length) found.push(Math.floor(sorted[sorted.length - 1]! / PATTERNS) / 1000);
  return found as { [K in keyof Q]: number };
}
/** The seed's intervention threshold, and the best case a student needing help stays below. */
const HELP_SCORE = 0.5;
const HELP_HIGH = 0.6;

/**
 * The student's daily activity rate, a Beta posterior: (active days in the window + α) /
 * (window + α + β). The window ends on the as-of day.
 */
export function activityRate(params: LearnerParams, dayNumbers: readonly number[], asOf: number): number {
  const { alpha, beta } = params.forecast.activityPrior;
  const window = params.forecast.activityWindowDays;
  const active = dayNumbers.filter((n) => n > asOf - window && n <= asOf).length;
  return (active + alpha) / (window + alpha + beta);
}

/**
 * The 7-day forecast as of the end of `asOf`: every one of the 2^7 patterns of active and
 * inactive days ahead, each as likely as the student's own activity rate makes it, gives the
 * consistency reached on day 7 (§1.4: streaks grow on active days, decay by 0.9 a day
 * otherwise); the reported inputs stand as they are. `score_in_7_days` is the median score of
 * those outcomes, `low` and `high` its 10th and 90th percentiles. Undefined for a topic the
 * student has no event in.
 */
export function forecastAsOf(state: StudentState, asOf: Day, config: ModelConfig, params: LearnerParams, topic?: string): Forecast | undefined {
  const scope = scopesOver(state, [asOf], config, topic)?.[0];
  return scope && forecastFrom(scope.components, activeDays(state, topic), asOf, config, params);
}

/**
 * The forecast from the scope's raw component values as of the end of `asOf` and the scope's
 * active days (ascending; those after `asOf` are not looked at): what forecastAsOf computes,
 * for a caller that has the scope already. Every write computes one, so the 128 patterns are
 * walked on numbers alone.
 */
export function forecastFrom(components: ComponentValues, days: readonly Day[], asOf: Day, config: ModelConfig, params: LearnerParams): Forecast {
  const asOfNumber = dayNumber(asOf);
  const past: number[] = [];
  for (const n of dayNumbersOf(days)) {
    if (n > asOfNumber) break;
    past.push(n);
  }
  const r = activityRate(params, past, asOfNumber);
  const start = streakOf(past);
  let others = 0;
  for (const k of COMPONENTS) if (k !== 'consistency') others += clamp(components[k]) * config.weights[k];
  // Each outcome as one number, its score in thousandths then its pattern (scores are rounded to
  // 3 decimals), so that a plain numeric sort orders them with no comparator and no pairs.
  for (let pattern = 0; pattern < PATTERNS; pattern++) {
    let { last, current, max } = start;
    for (let i = 1; i <= HORIZON_DAYS; i++) {
      if ((pattern & (1 << (i - 1))) === 0) continue;
      const n = asOfNumber + i;
      current = n === last + 1 ? current + 1 : 1;
      if (current > max) max = current;
      last = n;
    }
    const consistency = consistencyOf(current, max, asOfNumber + HORIZON_DAYS - last);
    const score = round3(clamp(others + consistency * config.weights.consistency));
    outcomes[pattern] = Math.round(score * 1000) * PATTERNS + pattern;
  }
  outcomes.sort();
  // A pattern with k active days is as likely as r^k (1 − r)^(7 − k).
  const weights = Array.from({ length: HORIZON_DAYS + 1 }, (_, k) => r ** k * (1 - r) ** (HORIZON_DAYS - k));
  const [low, score, high] = quantiles(outcomes, (pattern) => weights[ACTIVE_DAYS[pattern]!]!, [0.1, 0.5, 0.9] as const);
  return {
    score_in_7_days: score,
    low,
    high,
    needs_help: score < HELP_SCORE || high < HELP_HIGH,
    method: FORECAST_METHOD,
    model_version: params.version,
  };
}
