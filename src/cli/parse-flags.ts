import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

/** node's parseArgs, with its errors turned into usage errors that name the command. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string) {
  try {
    const parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
    return { values: parsed.values as { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string } & { help?: boolean }, usage };
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}

/** Prints the usage and reports that the command should stop, when --help was given. */
export function wantsHelp(flags: { values: { help?: boolean }; usage: string }): boolean {
  if (flags.values.help) process.stdout.write(`${flags.usage}\n`);
  return flags.values.help === true;
}
