import { createHash } from 'node:crypto';
import { pattern as durationPattern, parse as parseDuration, toSeconds } from 'iso8601-duration';
import { ITEM_ID_PATTERN } from '../validation/event-schema.js';
import { isObject, type Reading } from './statement-reading.js';

const ITEM_ID = new RegExp(ITEM_ID_PATTERN);
const WHOLE_DURATION = new RegExp(`^${durationPattern.source}$`);

/**
 * The engine's item id for an activity id: the IRI itself where an item id may be it
 * (`urn:quiz:q17`), else `xapi:` and the first 32 hex digits of its SHA-256: one item per IRI,
 * whatever characters the IRI holds.
 */
export function itemIdOf(activityId: string): string {
  if (ITEM_ID.test(activityId)) return activityId;
  return `xapi:${createHash('sha256').update(activityId, 'utf8').digest('hex').slice(0, 32)}`;
}

/**
 * result.duration in seconds. Years and months, which have no fixed length, count from the
 * Unix epoch: the same statement gives the same seconds on any day it is read.
 */
export function secondsOf(duration: unknown): Reading<number> {
  if (typeof duration !== 'string' || !WHOLE_DURATION.test(duration) || !/\d/.test(duration)) {
    return { field: 'result.duration', message: 'must be an ISO 8601 duration such as PT42.5S' };
  }
  return { value: toSeconds(parseDuration(duration), new Date(0)), field: 'result.duration' };
}

export interface QuizCounts {
  total_questions: number;
  correct_answers: number;
}

/** A scaled score without counts becomes thousandths: the quiz component then is the score to 3 decimals. */
export const SHARE_RESOLUTION = 1000;

const number = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * A quiz report from result.score: raw of max when they are counts (whole numbers, min 0 or
 * absent) that agree with scaled; else the share — scaled, or (raw − min) / (max − min) — in
 * thousandths, a negative score counting as none right. Null when the statement has no score.
 */
export function quizOf(score: unknown): Reading<QuizCounts> | null {
  if (score === undefined) return null;
  if (!isObject(score)) return { field: 'result.score', message: 'must be an object: { scaled?, raw?, min?, max? }' };
  for (const key of ['scaled', 'raw', 'min', 'max'] as const) {
    if (score[key] !== undefined && !number(score[key])) return { field: `result.score.${key}`, message: 'must be a number' };
  }
  const { scaled, raw, min, max } = score as { scaled?: number; raw?: number; min?: number; max?: number };
  if (scaled !== undefined && (scaled < -1 || scaled > 1)) return { field: 'result.score.scaled', message: 'must be from -1 to 1' };
  const low = min ?? 0;
  if (raw !== undefined && max !== undefined) {
    if (max <= low) return { field: 'result.score.max', message: `must be greater than result.score.min (${low})` };
    if (raw < low || raw > max) return { field: 'result.score.raw', message: `must lie between result.score.min (${low}) and result.score.max (${max})` };
    const counts = low === 0 && Number.isInteger(raw) && Number.isInteger(max);
    if (counts && (scaled === undefined || Math.abs(raw / max - scaled) < 0.5 / SHARE_RESOLUTION)) {
      return { value: { total_questions: max, correct_answers: raw }, field: 'result.score' };
    }
  }
  const share = scaled ?? (raw !== undefined && max !== undefined ? (raw - low) / (max - low) : undefined);
  if (share === undefined) {
    return { field: 'result.score', message: 'has neither scaled nor raw with max: there is no share of the score to report' };
  }
  const correct = Math.round(Math.max(0, share) * SHARE_RESOLUTION);
  return { value: { total_questions: SHARE_RESOLUTION, correct_answers: correct }, field: 'result.score' };
}
