import type { Ingest } from '../pipeline/ingest.js';
import type { EngineMetrics } from './engine-metrics.js';

/** The HTTP pipeline, counted and timed: a decorator, so the use case knows nothing of metrics. */
export function instrumentIngest(ingest: Ingest, metrics: EngineMetrics): Ingest {
  return async (events, caller, options) => {
    const started = process.hrtime.bigint();
    const report = await ingest(events, caller, options);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.recordBatch('http', { accepted: report.accepted, duplicate: report.duplicate, invalid: report.rejected }, seconds);
    return report;
  };
}
