import { dayNumber, type Day } from '../days.js';
import { activeDays } from '../mastery-as-of.js';
import type { ModelConfig } from '../model-config.js';
import { clamp, round3 } from '../numbers.js';
import { scopesOver } from '../scopes.js';
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

/** The weighted quantile q of (value, weight) pairs sorted by value: the first whose cumulative weight reaches q. */
function quantile(outcomes: ReadonlyArray<readonly [number, number]>, q: number): number {
  let cumulative = 0;
  for (const [value, weight] of outcomes) {
    cumulative += weight;
    if (cumulative >= q - 1e-12) return value;
  }
  return outcomes[outcomes.length - 1]![0];
}

/** The consistency run (§1.4) over active day numbers, ascending: the state a forecast goes on from. */
function streakOf(dayNumbers: readonly number[]): { last: number; current: number; max: number } {
  let last = Number.NaN;
  let current = 0;
  let max = 0;
  for (const n of dayNumbers) {
    current = n === last + 1 ? current + 1 : 1;
    if (current > max) max = current;
    last = n;
  }
  return { last, current, max };
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
  for (const d of days) {
    const n = dayNumber(d);
    if (n > asOfNumber) break;
    past.push(n);
  }
  const r = activityRate(params, past, asOfNumber);
  const start = streakOf(past);
  let others = 0;
  for (const k of COMPONENTS) if (k !== 'consistency') others += clamp(components[k]) * config.weights[k];
  const outcomes: Array<[number, number]> = [];
  for (let pattern = 0; pattern < 1 << HORIZON_DAYS; pattern++) {
    let { last, current, max } = start;
    let active = 0;
    for (let i = 1; i <= HORIZON_DAYS; i++) {
      if ((pattern & (1 << (i - 1))) === 0) continue;
      active++;
      const n = asOfNumber + i;
      current = n === last + 1 ? current + 1 : 1;
      if (current > max) max = current;
      last = n;
    }
    const consistency = max === 0 ? 0 : (current / max) * 0.9 ** (asOfNumber + HORIZON_DAYS - last);
    const weight = r ** active * (1 - r) ** (HORIZON_DAYS - active);
    outcomes.push([round3(clamp(others + consistency * config.weights.consistency)), weight]);
  }
  outcomes.sort((a, b) => a[0] - b[0]);
  const score = quantile(outcomes, 0.5);
  const high = quantile(outcomes, 0.9);
  return {
    score_in_7_days: score,
    low: quantile(outcomes, 0.1),
    high,
    needs_help: score < HELP_SCORE || high < HELP_HIGH,
    method: FORECAST_METHOD,
    model_version: params.version,
  };
}
