import { Errors } from '../errors.js';
import { dayOfInstant, type Day } from '../model/days.js';
import { instantKey } from '../model/instant.js';
import { evaluate, topicMeans, type EvaluationReport } from '../model/learner/evaluation.js';
import { FitRefused, fitLearnerParams } from '../model/learner/fit-learner-params.js';
import { DEFAULT_LEARNER_PARAMS, type LearnerParams } from '../model/learner/learner-params.js';
import type { StoredResponse, StudentState } from '../model/student-state.js';
import { stateFromEvents } from '../students/student-repository.js';
import type { EngineDeps } from '../engine-deps.js';

export interface EvaluationRun extends EvaluationReport {
  /** What was held out: the answers from this instant on. */
  split: string;
  train_answers: number;
  students: number;
}

/** Fits parameters to the answers given, without storing them (an evaluation changes no model). */
export function fitForEvaluation(training: ReadonlyArray<readonly StoredResponse[]>): LearnerParams {
  try {
    return { ...fitLearnerParams(training, DEFAULT_LEARNER_PARAMS), version: 'evaluation', fitted_at: null };
  } catch (error) {
    if (error instanceof FitRefused) throw Errors.fitRefused(`cannot evaluate: ${error.message} before the split`);
    throw error;
  }
}

/**
 * `mastery evaluate`: a time split of the event log. Parameters are fitted on the answers
 * before the split (default: the last 30 % of the log's time span is held out), then every
 * answer after it is predicted from everything before it, and the forecast is scored as of each
 * active day after the split whose 7th day after is still inside the log.
 */
export async function evaluateLog(deps: Pick<EngineDeps, 'log' | 'model'>, options: { split?: Day } = {}): Promise<EvaluationRun> {
  const states: StudentState[] = [];
  for await (const page of deps.log.scanStudents()) {
    for (const { studentId, events } of page) states.push(stateFromEvents(studentId, events));
  }
  const days = states.flatMap((s) => (s.days.length === 0 ? [] : [s.days[0]!, s.days[s.days.length - 1]!])).sort();
  if (days.length === 0) throw Errors.fitRefused('cannot evaluate: the event log holds no events');
  const firstMs = Date.parse(`${days[0]}T00:00:00Z`);
  const endMs = Date.parse(`${days[days.length - 1]}T00:00:00Z`) + 86_400_000;
  const splitMs = options.split === undefined ? firstMs + Math.round(0.7 * (endMs - firstMs)) : Date.parse(`${options.split}T00:00:00Z`);
  const splitKey = instantKey(new Date(splitMs).toISOString());
  const training = states.map((s) => s.responses.filter((r) => r.at < splitKey));
  const params = fitForEvaluation(training);
  const report = evaluate({
    states,
    params,
    config: deps.model,
    means: topicMeans(training),
    scored: (r) => r.at >= splitKey,
    forecastFrom: dayOfInstant(splitMs),
    lastDay: days[days.length - 1]!,
  });
  return { split: new Date(splitMs).toISOString(), train_answers: training.reduce((n, t) => n + t.length, 0), students: states.length, ...report };
}
