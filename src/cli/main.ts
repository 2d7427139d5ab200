#!/usr/bin/env -S node --max-semi-space-size=64
// First: V8 settings that must hold before anything else allocates.
import './v8-flags.js';
import { ConfigError } from '../config.js';
import { EngineError } from '../errors.js';
import { calcCommand } from './commands/calc.js';
import { demoCommand } from './commands/demo.js';
import { evaluateCommand } from './commands/evaluate.js';
import { fitCommand } from './commands/fit.js';
import { mcpCommand } from './commands/mcp.js';
import { migrateCommand } from './commands/migrate.js';
import { purgeCommand } from './commands/purge.js';
import { rebuildCommand } from './commands/rebuild.js';
import { serveCommand } from './commands/serve.js';
import { studentsCommand } from './commands/students.js';
import { tokenCommand } from './commands/token.js';
import { workerCommand } from './commands/worker.js';
import { UsageError } from './usage-error.js';

const COMMANDS: Record<string, { run: (args: string[]) => Promise<void>; summary: string }> = {
  serve: { run: serveCommand, summary: 'the HTTP API, with the pipeline, on the configured stores' },
  worker: { run: workerCommand, summary: 'the Kafka consumer: mastery.requests in, mastery.updated out' },
  mcp: { run: mcpCommand, summary: 'the MCP server over stdio, for AI tutors (MASTERY_MCP_TOKEN)' },
  calc: { run: calcCommand, summary: 'the stateless calculator: four component values in, the result out' },
  token: { run: tokenCommand, summary: 'sign a development token for a role, subject and class' },
  demo: { run: demoCommand, summary: 'feed a realistic class of students to a running service' },
  students: { run: studentsCommand, summary: 'the students a token may see, or only those who need help, as a table' },
  migrate: { run: migrateCommand, summary: "apply the event log's database migrations and exit" },
  rebuild: { run: rebuildCommand, summary: 'recompute the state store from the event log' },
  purge: { run: purgeCommand, summary: 'remove what is older than the retention period, and what erased students left' },
  fit: { run: fitCommand, summary: "fit the learner model's parameters from the event log" },
  evaluate: { run: evaluateCommand, summary: 'measure the learner model on held-out answers (AUC, RMSE, forecast error)' },
};

function help(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return ['usage: mastery <command> [options]', '', 'commands:', ...lines, '', 'mastery <command> --help tells more.'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`mastery: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  try {
    await command.run(args);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof EngineError) {
      process.stderr.write(`mastery ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
