import { isDay } from '../model/days.js';

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * The instant (epoch ms) of an RFC 3339 date-time with an offset, and its text with `T` and `Z`
 * in upper case; null when the text is not one (a missing offset, 2026-02-30, 24:00…).
 */
export function parseRfc3339(text: string): { epochMs: number; normalized: string } | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, date, hh, mm, ss, , , oh, om] = m;
  if (!isDay(date!) || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return null;
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) return null;
  const normalized = text.toUpperCase();
  const epochMs = Date.parse(normalized);
  return Number.isFinite(epochMs) ? { epochMs, normalized } : null;
}
