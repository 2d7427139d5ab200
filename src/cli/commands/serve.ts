import { createTokenVerifier } from '../../access/tokens.js';
import { createEventForwarder } from '../../adapters/kafka/forward-events.js';
import { loadConfig } from '../../config.js';
import { buildHttpService } from '../http-service.js';
import { createEngineMetrics } from '../../metrics/engine-metrics.js';
import { instrumentIngest } from '../../metrics/instrument-ingest.js';
import { createForwardingIngest } from '../../pipeline/ingest.js';
import { systemClock } from '../../ports/clock.js';
import { openEngine } from '../../runtime/engine.js';
import { resolveJwtSecret } from '../../runtime/jwt-secret.js';
import { createLogger } from '../../runtime/logger.js';
import { schedulePurge } from '../../runtime/purge-schedule.js';
import { parseFlags, wantsHelp } from '../parse-flags.js';

const USAGE = `usage: mastery serve

Starts the HTTP API on HOST:PORT with the pipeline, on the stores the environment configures
(by default the embedded ones in MASTERY_DATA_DIR); with MASTERY_HTTP_INGEST=forward, HTTP
events go to mastery.requests for the worker instead, and /v1/stream relays mastery.updated. Serves /metrics. Purges what is older than the retention
period every MASTERY_PURGE_INTERVAL_MINUTES. Stops cleanly on SIGINT or SIGTERM.`;

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
  // Forwarding is configured under the Kafka settings: the engine then holds a connection.
  const k = engine.kafka!;
  const ingest = forward ? createForwardingIngest(engine.deps, createEventForwarder(k.producer, k.config.topics.requests.name, k.codec)) : engine.ingest;
  const app = await buildHttpService({
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
