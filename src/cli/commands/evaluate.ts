import { readFile } from 'node:fs/promises';
import { loadConfig } from '../../config.js';
import { evaluateAssistments } from '../../learner/assistments.js';
import { evaluateLog } from '../../learner/evaluate-log.js';
import { evaluationTable } from '../../learner/evaluation-table.js';
import { isDay } from '../../model/days.js';
import { openEngine } from '../../runtime/engine.js';
import { createLogger } from '../../runtime/logger.js';
import { parseFlags, wantsHelp } from '../parse-flags.js';
import { UsageError } from '../usage-error.js';

const USAGE = `usage: mastery evaluate [--split YYYY-MM-DD] [--json]
       mastery evaluate --assistments FILE [--json]

Measures the learner model on answers it has not seen, and changes nothing.

On the event log: parameters are fitted on the answers before the split (default: the last 30 %
of the log's time span is held out); every answer after it is predicted from everything before
it. Prints AUC, RMSE and log loss beside two references (each topic's mean before the split;
the seed's topic quiz component as of the day before), a 10-bin calibration table, and the
7-day forecast's mean absolute error beside "no change".

--assistments FILE: the ASSISTments 2017 answers (npm run eval), loaded into an engine of their
own: two students in five are held out, the others fit the parameters (docs/learner-model.md).`;

export async function evaluateCommand(args: string[]): Promise<void> {
  const flags = parseFlags(args, { split: { type: 'string' }, json: { type: 'boolean' }, assistments: { type: 'string' } }, USAGE);
  if (wantsHelp(flags)) return;
  const { split, json, assistments } = flags.values;
  if (split !== undefined && !isDay(split)) throw new UsageError(`--split must be a date (YYYY-MM-DD), not "${split}"`);
  if (split !== undefined && assistments !== undefined) throw new UsageError('--split applies to the event log; --assistments has a split of its own');
  const logger = createLogger('warn');
  if (assistments !== undefined) {
    const text = await readFile(assistments, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${assistments}: ${error.code ?? error.message}`);
    });
    const report = await evaluateAssistments(text, logger);
    const title = `ASSISTments 2017: ${report.students.train} students fit (${report.answers.train} answers), ${report.students.test} held out (${report.answers.test} answers); model ${report.fit.model_version}`;
    process.stdout.write(`${json ? JSON.stringify(report, null, 2) : evaluationTable(title, report)}\n`);
    return;
  }
  const engine = await openEngine(loadConfig(), logger);
  try {
    const report = await evaluateLog(engine.deps, split === undefined ? {} : { split });
    const title = `event log of ${report.students} students: split at ${report.split} (${report.train_answers} answers before it)`;
    process.stdout.write(`${json ? JSON.stringify(report, null, 2) : evaluationTable(title, report)}\n`);
  } finally {
    await engine.close();
  }
}
