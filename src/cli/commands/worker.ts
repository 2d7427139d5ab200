import { loadConfig } from '../../config.js';
import { Errors } from '../../errors.js';
import { buildOpsApp } from '../../http/build-ops-app.js';
import { createEngineMetrics } from '../../metrics/engine-metrics.js';
import { openEngine, type Engine } from '../../runtime/engine.js';
import { createLogger } from '../../runtime/logger.js';
import { runWorker } from '../../worker/run-worker.js';
import { parseFlags, wantsHelp } from '../parse-flags.js';
import { UsageError } from '../usage-error.js';

const USAGE = `usage: mastery worker

Consumes mastery.requests and mastery.retry (MASTERY_KAFKA_BROKERS, group MASTERY_KAFKA_GROUP_ID)
through the pipeline, publishes mastery.updated, and sends what fails to the retry and
dead-letter topics. Serves /healthz, /readyz and /metrics on HOST:PORT. On SIGTERM it finishes
the batch in hand, commits its offsets and exits.`;

export async function workerCommand(args: string[]): Promise<void> {
  if (wantsHelp(parseFlags(args, {}, USAGE))) return;
  const config = loadConfig();
  if (!config.kafka) throw new UsageError('the worker needs MASTERY_KAFKA_BROKERS');
  const logger = createLogger(config.logLevel);
  const stopRequested = new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  const metrics = createEngineMetrics();
  // The probes answer from the start: reaching the brokers and joining the consumer group can
  // take as long as the session timeout after a crash, and an orchestrator must see the process
  // alive meanwhile (and not yet ready).
  let engine: Engine | undefined;
  let consuming = false;
  const ready = async () => {
    if (engine === undefined || !consuming) throw Errors.notReady('the worker has not joined its consumer group yet');
    await engine.ready();
  };
  const ops = buildOpsApp({ ready, registry: metrics.registry, logger });
  await ops.listen({ port: config.port, host: config.host });
  let worker: Awaited<ReturnType<typeof runWorker>>;
  try {
    engine = await openEngine(config, logger);
    worker = await runWorker(engine, metrics, logger, config.xapi);
  } catch (error) {
    await ops.close();
    await engine?.close();
    throw error;
  }
  consuming = true;
  await stopRequested;
  logger.info('stopping: finishing the batch in hand');
  await worker.stop();
  await ops.close();
  await engine.close();
}
