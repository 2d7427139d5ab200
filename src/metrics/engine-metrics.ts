import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type EventOutcomeLabel = 'accepted' | 'duplicate' | 'invalid' | 'retried' | 'dead_lettered';

/** What a batch did, from HTTP or from Kafka. */
export interface BatchCounts {
  accepted: number;
  duplicate: number;
  invalid: number;
  retried?: number;
  deadLettered?: number;
}

/**
 * The engine's Prometheus metrics (prom-client), one registry per process: events by outcome,
 * batch latency, and for the worker the consumer lag per partition.
 */
export function createEngineMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const events = new Counter({
    name: 'mastery_events_total',
    help: 'Events by outcome: accepted, duplicate, invalid, retried, dead_lettered',
    labelNames: ['source', 'outcome'] as const,
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'mastery_batch_duration_seconds',
    help: 'Time to take one batch through the pipeline',
    labelNames: ['source'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'mastery_consumer_lag',
    help: 'Messages behind the end of each partition, as of the last batch',
    labelNames: ['topic', 'partition'] as const,
    registers: [registry],
  });
  return {
    registry,
    recordBatch(source: 'http' | 'kafka', counts: BatchCounts, seconds: number) {
      const add = (outcome: EventOutcomeLabel, n = 0) => n > 0 && events.inc({ source, outcome }, n);
      add('accepted', counts.accepted);
      add('duplicate', counts.duplicate);
      add('invalid', counts.invalid);
      add('retried', counts.retried);
      add('dead_lettered', counts.deadLettered);
      batchSeconds.observe({ source }, seconds);
    },
    recordLag(topic: string, partition: number, behind: number) {
      lag.set({ topic, partition: String(partition) }, behind);
    },
  };
}

export type EngineMetrics = ReturnType<typeof createEngineMetrics>;
