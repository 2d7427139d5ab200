/** clamp(x, lo, hi): every computed value is held to [lo, hi] (mastery-model.md, preamble). */
export function clamp(x: number, lo = 0, hi = 1): number {
  return Math.min(hi, Math.max(lo, x));
}

/**
 * round3(x): half-up to 3 decimals, halves away from zero for negative values.
 *
 * Binary floating point stores 0.8425 as 0.84249999…, so a plain Math.round(x * 1000) would
 * round some decimal halves down. Reading x × 1000 to 12 significant digits first removes that
 * representation noise (far below the 3rd decimal) before the half-up step.
 */
export function round3(x: number): number {
  const scaled = Math.abs(Number((x * 1000).toPrecision(12)));
  return (Math.sign(x) * Math.floor(scaled + 0.5)) / 1000 + 0;
}

/** Mean of a non-empty list. */
export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
