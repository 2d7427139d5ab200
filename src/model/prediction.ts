import { dayNumber, type Day } from './days.js';
import { clamp, round3 } from './numbers.js';
import type { Prediction, Trend } from './types.js';

export interface HistoryPoint {
  day: Day;
  /** The rounded mastery score as of the end of that day. */
  score: number;
}

const HORIZON_DAYS = 7;
const FIT_POINTS = 7;
const MIN_POINTS = 3;
const TREND_DEADBAND = 0.001;

/** Least-squares slope of score against day number (§4). */
function slopePerDay(points: readonly HistoryPoint[]): number {
  const xs = points.map((p) => dayNumber(p.day));
  const n = points.length;
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = points.reduce((a, p) => a + p.score, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - meanX;
    sxy += dx * (points[i]!.score - meanY);
    sxx += dx * dx;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

function trendOf(roundedSlope: number): Trend {
  if (roundedSlope > TREND_DEADBAND) return 'improving';
  if (roundedSlope < -TREND_DEADBAND) return 'declining';
  return 'stable';
}

/**
 * The 7-day prediction (§4): prediction = round3(clamp(current + 7 × trend_per_day)) with the
 * slope fitted to the most recent up-to-7 history points (oldest first, one per day);
 * confidence = min(0.9, 0.1 × number of history points); intervention when prediction < 0.5.
 */
export function predict(history: readonly HistoryPoint[], current: number): Prediction {
  if (history.length < MIN_POINTS) return { prediction: null, confidence: 0 };
  const slope = slopePerDay(history.slice(-FIT_POINTS));
  const trendPerDay = round3(slope);
  const prediction = round3(clamp(current + HORIZON_DAYS * slope));
  return {
    current,
    prediction,
    trend: trendOf(trendPerDay),
    trend_per_day: trendPerDay,
    confidence: round3(Math.min(0.9, 0.1 * history.length)),
    intervention_needed: prediction < 0.5,
  };
}
