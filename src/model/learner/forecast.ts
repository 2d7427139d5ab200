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

/** The consistency run as of a day: the state §1.4 needs to go on day by day. */
interface Streak {
  last: number;
  current: number;
  max: number;
}

/** The run after one more active day `n` (after every day of `s`). */
function extended(s: Streak | null, n: number): Streak {
  const current = s !== null && n === s.last + 1 ? s.current + 1 : 1;
  return { last: n, current, max: Math.max(s?.max ?? 0, current) };
}

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
  if (scope === undefined) return undefined;
  const asOfNumber = dayNumber(asOf);
  const days = activeDays(state, topic)
    .map(dayNumber)
    .filter((n) => n <= asOfNumber);
  const r = activityRate(params, days, asOfNumber);
  const streak = days.reduce<Streak | null>(extended, null);
  const raw: ComponentValues = { ...scope.components };
  let others = 0;
  for (const k of COMPONENTS) if (k !== 'consistency') others += clamp(raw[k]) * config.weights[k];
  const outcomes: Array<[number, number]> = [];
  for (let pattern = 0; pattern < 1 << HORIZON_DAYS; pattern++) {
    let s = streak;
    let active = 0;
    for (let i = 1; i <= HORIZON_DAYS; i++) {
      if ((pattern & (1 << (i - 1))) === 0) continue;
      active++;
      s = extended(s, asOfNumber + i);
    }
    const consistency = s === null ? 0 : (s.current / s.max) * 0.9 ** (asOfNumber + HORIZON_DAYS - s.last);
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
