import { loadConfig } from '../../config.js';
import { purgeExpired } from '../../privacy/purge-expired.js';
import { openEngine } from '../../runtime/engine.js';
import { createLogger } from '../../runtime/logger.js';
import { parseFlags, wantsHelp } from '../parse-flags.js';

const USAGE = `usage: mastery purge

Removes from every store what is older than MASTERY_RETENTION_DAYS (events, the days they made,
audit entries) and what erased students left behind, then prints what it removed. serve does
the same every MASTERY_PURGE_INTERVAL_MINUTES.`;

export async function purgeCommand(args: string[]): Promise<void> {
  if (wantsHelp(parseFlags(args, {}, USAGE))) return;
  const config = loadConfig();
  const engine = await openEngine(config, createLogger('warn'));
  try {
    process.stdout.write(`${JSON.stringify(await purgeExpired(engine.deps))}\n`);
  } finally {
    await engine.close();
  }
}
