/*
 * A report's input is the event's `data` object, whose keys come in the order its source gave
 * them: the producer's order when the event arrives, PostgreSQL's jsonb order (shortest key
 * first) when a student is rebuilt from the log. Stored with its keys sorted, the same report
 * is the same text however it reached the store, so a rebuild writes back exactly what ingest
 * wrote. Inputs are flat (the data schemas allow no nested objects).
 */
export function canonicalInput(input: unknown): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const record = input as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) sorted[key] = record[key];
  return sorted;
}
