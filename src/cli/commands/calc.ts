import { text } from 'node:stream/consumers';
import { loadConfig } from '../../config.js';
import { masteryResult } from '../../model/score.js';
import { validateComponentValues } from '../../validation/component-values.js';
import { parseFlags, wantsHelp } from '../parse-flags.js';
import { UsageError } from '../usage-error.js';

const USAGE = `usage: mastery calc --completion N --quiz N --quality N --consistency N
       echo '{"completion":0.8,"quiz":0.9,"quality":0.85,"consistency":0.82}' | mastery calc

The stateless calculator: four component values in [0, 1] in, the mastery score, breakdown,
level and recommendations out as JSON (weights from MASTERY_WEIGHTS).`;

const FLAGS = {
  completion: { type: 'string' },
  quiz: { type: 'string' },
  quality: { type: 'string' },
  consistency: { type: 'string' },
} as const;

async function readInput(values: Record<string, string | boolean | undefined>): Promise<unknown> {
  const given = Object.keys(FLAGS).filter((k) => values[k] !== undefined);
  if (given.length > 0) {
    return Object.fromEntries(given.map((k) => [k, Number(values[k])]));
  }
  if (process.stdin.isTTY) throw new UsageError(`give the four values as flags or as JSON on stdin\n\n${USAGE}`);
  const input = await text(process.stdin);
  try {
    return JSON.parse(input);
  } catch {
    throw new UsageError(`stdin is not JSON: ${input.slice(0, 80)}`);
  }
}

export async function calcCommand(args: string[]): Promise<void> {
  const flags = parseFlags(args, FLAGS, USAGE);
  if (wantsHelp(flags)) return;
  const config = loadConfig();
  const v = validateComponentValues(await readInput(flags.values));
  if (!v.ok) throw new UsageError(v.errors.map((e) => `${e.field} ${e.message}`).join('; '));
  process.stdout.write(`${JSON.stringify(masteryResult(v.values, config.model), null, 2)}\n`);
}
