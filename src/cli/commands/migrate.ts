import { loadConfig } from '../../config.js';
import { openEventLogDatabase } from '../../runtime/durable-stores.js';
import { createLogger } from '../../runtime/logger.js';
import { parseFlags, wantsHelp } from '../parse-flags.js';

const USAGE = `usage: mastery migrate

Applies the event log's migrations that the database has not seen (MASTERY_DATABASE_URL, or
the embedded PGlite log in MASTERY_DATA_DIR) and exits. serve runs them too at start-up.`;

export async function migrateCommand(args: string[]): Promise<void> {
  if (wantsHelp(parseFlags(args, {}, USAGE))) return;
  const config = loadConfig();
  const db = await openEventLogDatabase(config, createLogger('silent'));
  await db.close();
  process.stdout.write(`event log migrated (${config.databaseUrl ? 'PostgreSQL' : 'PGlite'})\n`);
}
