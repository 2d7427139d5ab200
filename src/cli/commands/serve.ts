import { hs256Verifier } from '../../access/tokens.js';
import { loadConfig } from '../../config.js';
import { buildApp } from '../../http/build-app.js';
import { openEngine } from '../../runtime/engine.js';
import { resolveJwtSecret } from '../../runtime/jwt-secret.js';
import { createLogger } from '../../runtime/logger.js';
import { parseFlags, wantsHelp } from '../parse-flags.js';

const USAGE = `usage: mastery serve

Starts the HTTP API on HOST:PORT with the pipeline, on the stores the environment configures
(by default the embedded ones in MASTERY_DATA_DIR). Stops cleanly on SIGINT or SIGTERM.`;

export async function serveCommand(args: string[]): Promise<void> {
  if (wantsHelp(parseFlags(args, {}, USAGE))) return;
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const engine = await openEngine(config, logger);
  const app = await buildApp({
    ingest: engine.ingest,
    queries: engine.queries,
    model: config.model,
    verifyToken: hs256Verifier(await resolveJwtSecret(config)),
    ready: engine.ready,
    logger,
  });
  app.addHook('onClose', () => engine.close());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      void app.close();
    });
  }
  await app.listen({ port: config.port, host: config.host });
}
