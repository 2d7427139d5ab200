/** clamp(x, lo, hi): every computed value is held to [lo, hi] (mastery-model.md, preamble). */
export function clamp(x: number, lo = 0, hi = 1): number {
  return Math.min(hi, Math.max(lo, x));
}

/**
 * round3(x): half-up to 3 decimals, halves away from zero for negative values.
 *
 * Binary floating point stores 0.8425 as 0.84249999…, so a plain Math.round(x * 1000) would
 * round some decimal halves down. Reading x × 1000 to 12 significant digits first removes that
 * representation noise (far below the 3rd decimal) before the half-up step. That reading goes
 * through a string, so it is kept for values whose fraction lies near a half, the only ones it
 * can change: below 10,000 the noise is under 1e-8, far inside the 1e-6 margin used here.
 */
export function round3(x: number): number {
  const scaled = Math.abs(x * 1000);
  const whole = Math.floor(scaled);
  const fraction = scaled - whole;
  if (scaled < 10_000 && Math.abs(fraction - 0.5) > 1e-6) {
    return (Math.sign(x) * (fraction > 0.5 ? whole + 1 : whole)) / 1000 + 0;
  }
  const precise = Math.abs(Number((x * 1000).toPrecision(12)));
  return (Math.sign(x) * Math.floor(precise + 0.5)) / 1000 + 0;
}

/** Mean of a non-empty list. */
export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
