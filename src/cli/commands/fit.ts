import { loadConfig } from '../../config.js';
import { fitModel } from '../../learner/fit-model.js';
import { openEngine } from '../../runtime/engine.js';
import { createLogger } from '../../runtime/logger.js';
import { parseFlags, wantsHelp } from '../parse-flags.js';

const USAGE = `usage: mastery fit

Fits the learner model's parameters (each topic's difficulty, each item's offset; thin topics
pooled) from every first-attempt answer in the event log, stores them as the newest version in
the event-log database and prints its summary. Every running instance takes it up within a
minute. A log with fewer than 100 answers is refused and changes nothing. See
docs/learner-model.md.`;

export async function fitCommand(args: string[]): Promise<void> {
  if (wantsHelp(parseFlags(args, {}, USAGE))) return;
  const engine = await openEngine(loadConfig(), createLogger('warn'));
  try {
    process.stdout.write(`${JSON.stringify(await fitModel(engine.deps), null, 2)}\n`);
  } finally {
    await engine.close();
  }
}
