import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Caller } from '../access/caller.js';
import { loadConfig } from '../config.js';
import { Errors } from '../errors.js';
import { dayOfInstant } from '../model/days.js';
import { evaluate, topicMeans, type EvaluationReport } from '../model/learner/evaluation.js';
import type { LearningEvent } from '../model/learning-event.js';
import { loadStudents } from '../students/student-repository.js';
import { fixedClock } from '../ports/clock.js';
import { openEngine, type Engine } from '../runtime/engine.js';
import { fitModel } from './fit-model.js';
import type { ModelSummary } from './model-summary.js';

/*
 * The public ASSISTments 2017 answers (a tab-separated file: user_id, item_id, timestamp,
 * correct, skill_id), loaded through the engine and evaluated the same way for everyone
 * (learner-model §5): two students in five are held out, the rest fit the parameters.
 */

export interface AssistmentsRow {
  user_id: number;
  item_id: number;
  /** Seconds since the data set's first answer. */
  seconds: number;
  correct: boolean;
  skill_id: number;
  /** The row's position among the data rows, from 0. */
  row: number;
}

const COLUMNS = ['user_id', 'item_id', 'timestamp', 'correct', 'skill_id'];
/** Absolute dates were removed upstream: answers are placed after this instant. */
const ORIGIN_MS = Date.parse('2010-01-01T00:00:00Z');

/** The file's rows; a header or a row that is not as described is an error that names its line. */
export function parseAssistments(text: string): AssistmentsRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift()?.trim().split('\t');
  if (header?.join(',') !== COLUMNS.join(',')) throw Errors.badRequest(`expected the header ${COLUMNS.join(' ')}, not ${header?.join(' ') ?? 'nothing'}`);
  return lines.map((line, row) => {
    const cells = line.trim().split('\t');
    const [user, item, seconds, correct, skill] = cells.map(Number);
    if (cells.length !== 5 || ![user, item, seconds, skill].every((n) => Number.isSafeInteger(n) && n! >= 0) || (correct !== 0 && correct !== 1)) {
      throw Errors.badRequest(`line ${row + 2} is not five whole numbers with correct 0 or 1: ${line.slice(0, 80)}`);
    }
    return { user_id: user!, item_id: item!, seconds: seconds!, correct: correct === 1, skill_id: skill!, row };
  });
}

/** A UUID (version 5 layout) of a name: the same row always gets the same event_id. */
function uuidOf(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A row as the engine's event (learner-model §5's mapping). */
export function assistmentsEvent(r: AssistmentsRow): LearningEvent {
  return {
    event_id: uuidOf(`${r.user_id}:${r.row}`),
    event_type: 'response.recorded',
    timestamp: new Date(ORIGIN_MS + r.seconds * 1000).toISOString().replace('.000Z', 'Z'),
    student_id: `a17-${r.user_id}`,
    topic: `s${r.skill_id}`,
    data: { item_id: `i${r.item_id}`, correct: r.correct },
  };
}

/** §5's split: students by user_id as numbers; positions 0 and 1 of every five are held out. */
export function splitStudents(rows: readonly AssistmentsRow[]): { train: number[]; test: number[] } {
  const users = [...new Set(rows.map((r) => r.user_id))].sort((a, b) => a - b);
  return { train: users.filter((_, i) => i % 5 > 1), test: users.filter((_, i) => i % 5 <= 1) };
}

const CALLER: Caller = { principal: { sub: 'evaluation', role: 'service', students: new Set() }, requestId: 'evaluation' };
const BATCH = 1000;

async function ingestAll(engine: Engine, events: readonly LearningEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += BATCH) {
    const report = await engine.ingest(events.slice(i, i + BATCH), CALLER);
    if (report.rejected > 0) {
      const first = report.results.find((r) => r.status === 'rejected');
      throw Errors.badRequest(`the engine refused ${report.rejected} answers, e.g. ${JSON.stringify(first)}`);
    }
  }
}

export interface AssistmentsEvaluation extends EvaluationReport {
  students: { train: number; test: number };
  answers: { train: number; test: number };
  fit: ModelSummary;
}

/**
 * `npm run eval`: loads the train students' answers through a new in-memory engine, fits the
 * model from its log, loads the test students, and scores every test answer from the answers
 * before it, with the parameters the train students alone gave.
 */
export async function evaluateAssistments(text: string, logger: Logger): Promise<AssistmentsEvaluation> {
  const rows = parseAssistments(text);
  const { train, test } = splitStudents(rows);
  const lastMs = ORIGIN_MS + Math.max(...rows.map((r) => r.seconds)) * 1000;
  const config = loadConfig({ MASTERY_DATA_DIR: ':memory:', MASTERY_JWT_SECRET: 'evaluation-only-secret-never-served-0123', MASTERY_RETENTION_DAYS: '36500' });
  const engine = await openEngine(config, logger, fixedClock(new Date(lastMs + 86_400_000)));
  try {
    const isTest = new Set(test);
    const trainEvents = rows.filter((r) => !isTest.has(r.user_id)).map(assistmentsEvent);
    const testEvents = rows.filter((r) => isTest.has(r.user_id)).map(assistmentsEvent);
    await ingestAll(engine, trainEvents);
    const fit = await fitModel(engine.deps);
    await ingestAll(engine, testEvents);
    const load = async (users: number[]) =>
      [
        ...(
          await loadStudents(
            engine.deps,
            users.map((u) => `a17-${u}`),
          )
        ).values(),
      ].map((b) => b.record.state);
    const report = evaluate({
      states: await load(test),
      params: engine.deps.learner.current(),
      config: engine.deps.model,
      means: topicMeans((await load(train)).map((s) => s.responses)),
      scored: () => true,
      forecastFrom: '0000-01-01',
      lastDay: dayOfInstant(lastMs),
    });
    return { students: { train: train.length, test: test.length }, answers: { train: trainEvents.length, test: testEvents.length }, fit, ...report };
  } finally {
    await engine.close();
  }
}
