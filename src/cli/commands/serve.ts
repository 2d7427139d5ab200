import { createTokenVerifier } from '../../access/tokens.js';
import { loadConfig } from '../../config.js';
import { buildApp } from '../../http/build-app.js';
import { createEngineMetrics } from '../../metrics/engine-metrics.js';
import { instrumentIngest } from '../../metrics/instrument-ingest.js';
import { createForwardingIngest } from '../../pipeline/ingest.js';
import { systemClock } from '../../ports/clock.js';
import { openEngine, type Engine } from '../../runtime/engine.js';
import { resolveJwtSecret } from '../../runtime/jwt-secret.js';
import { createLogger } from '../../runtime/logger.js';
import { schedulePurge } from '../../runtime/purge-schedule.js';
import { parseFlags, wantsHelp } from '../parse-flags.js';

const USAGE = `usage: mastery serve

Starts the HTTP API on HOST:PORT with the pipeline, on the stores the environment configures
(by default the embedded ones in MASTERY_DATA_DIR); with MASTERY_HTTP_INGEST=forward, HTTP
events go to mastery.requests for the worker instead, and /v1/stream relays mastery.updated. Serves /metrics. Purges what is older than the retention
period every MASTERY_PURGE_INTERVAL_MINUTES. Stops cleanly on SIGINT or SIGTERM.`;

/** HTTP events go to mastery.requests, keyed by student, for the worker to apply. */
function forwardingIngest(engine: Engine) {
  const k = engine.kafka!;
  return createForwardingIngest(engine.deps, async (events) => {
    if (events.length === 0) return;
    await k.producer.send({
      topic: k.config.topics.requests.name,
      messages: events.map((e) => ({ key: e.student_id, value: k.codec.encodeEvent(e) })),
    });
  });
}

export async function serveCommand(args: string[]): Promise<void> {
  if (wantsHelp(parseFlags(args, {}, USAGE))) return;
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const forward = config.kafka?.httpIngest === 'forward';
  // Forwarded events are applied by the worker: the live stream hears its updates from Kafka.
  const engine = await openEngine(config, logger, systemClock, { updatesFromTopic: forward });
  // With only an identity provider configured there is no shared secret to find or make.
  const secret = config.tokens.jwksUrl && !config.jwtSecret ? undefined : await resolveJwtSecret(config);
  const metrics = createEngineMetrics();
  const ingest = forward ? forwardingIngest(engine) : engine.ingest;
  const app = await buildApp({
    engine: engine.deps,
    ingest: instrumentIngest(ingest, metrics),
    registry: metrics.registry,
    queries: engine.queries,
    verifyToken: createTokenVerifier({ secret, ...config.tokens }),
    ready: engine.ready,
    logger,
    limits: config.limits,
    xapi: config.xapi,
  });
  const stopPurge = schedulePurge(engine.deps, config.privacy.purgeIntervalMinutes, logger);
  app.addHook('onClose', async () => {
    stopPurge();
    await engine.close();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      void app.close();
    });
  }
  await app.listen({ port: config.port, host: config.host });
}
