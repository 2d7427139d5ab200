import { loadConfig } from '../../config.js';
import { rebuildState } from '../../pipeline/rebuild-state.js';
import { openEngine } from '../../runtime/engine.js';
import { createLogger } from '../../runtime/logger.js';
import { parseFlags, wantsHelp } from '../parse-flags.js';
import { progressBar } from '../progress-bar.js';

const USAGE = `usage: mastery rebuild

Recomputes every student's state, daily history and current result from the event log into
the state store: after a change of MASTERY_WEIGHTS, a lost Redis, or a new version of the model.
Running it twice gives the same records; it is safe while the service runs (a student the
service changes meanwhile is read again and rebuilt, never overwritten with an older picture).`;

export async function rebuildCommand(args: string[]): Promise<void> {
  if (wantsHelp(parseFlags(args, {}, USAGE))) return;
  const config = loadConfig();
  if (!config.redisUrl && !config.dapr) {
    process.stdout.write('the embedded state store lives in the service and is rebuilt from the log at every start: nothing to do\n');
    return;
  }
  const engine = await openEngine(config, createLogger('warn'));
  try {
    const { total } = await engine.deps.log.listStudents({ offset: 0, limit: 0 });
    const bar = progressBar(process.stderr, total, 'students');
    const done = await rebuildState(engine.deps, bar.update);
    bar.finish();
    process.stdout.write(`rebuilt ${done} students from the event log\n`);
  } finally {
    await engine.close();
  }
}
