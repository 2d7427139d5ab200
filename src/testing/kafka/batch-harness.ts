import { jsonCodec } from '../../adapters/kafka/message-codec.js';
import { createIngest, type Ingest } from '../../pipeline/ingest.js';
import { callers, memoryDeps } from '../memory-deps.js';
import { DEFAULT_XAPI_MAPPING } from '../../xapi/xapi-mapping.js';
import { handleBatch, type InboundMessage, type OutboundMessage } from '../../worker/handle-batch.js';

const NOW = '2026-01-14T12:00:00Z';

export interface HarnessOptions {
  /** The pipeline: an embedded engine's unless a spec needs one that fails. */
  ingest?: Ingest;
  onDeadLetter?: (entry: { event_id: string | null; reason: string }) => void;
  /** The dead-letter topic's write, when a spec must hold it back; else the messages are kept in `sent.dlq`. */
  deadLetter?: (messages: OutboundMessage[]) => Promise<void>;
}

/** The batch handler on the embedded engine, with its retry and dead-letter topics as lists. */
export function batchHarness(options: HarnessOptions = {}) {
  const deps = memoryDeps({ now: NOW });
  const sent = { retry: [] as OutboundMessage[], dlq: [] as OutboundMessage[] };
  const handle = (messages: InboundMessage[], xapi = DEFAULT_XAPI_MAPPING) =>
    handleBatch(messages, {
      ingest: options.ingest ?? createIngest(deps),
      caller: callers.service,
      codec: jsonCodec,
      sinks: { retry: async (m) => void sent.retry.push(...m), deadLetter: options.deadLetter ?? (async (m) => void sent.dlq.push(...m)) },
      now: () => new Date(NOW),
      maxRetries: 3,
      xapi: { ...xapi },
      ...(options.onDeadLetter ? { onDeadLetter: options.onDeadLetter } : {}),
    });
  return { deps, sent, handle };
}

/** A consumed message: a value as JSON (or as given, when bytes), keyed by a student. */
export const message = (value: unknown, key = 's1'): InboundMessage => ({
  key: Buffer.from(key),
  value: Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value)),
});

export const json = (m: OutboundMessage) => JSON.parse(m.value.toString()) as Record<string, unknown>;
