import { addDays, dayOfInstant, type Day } from '../days.js';
import { masteryAsOf } from '../mastery-as-of.js';
import type { ModelConfig } from '../model-config.js';
import { scopesOver } from '../fast/scope-cursors.js';
import type { StoredResponse, StudentState } from '../student-state.js';
import { calibration, scores, type CalibrationBin, type Scores } from './evaluation-metrics.js';
import { forecastAsOf } from './forecast.js';
import { initialTrace, instantKeyMs, traceAnswers } from './knowledge-trace.js';
import type { LearnerParams } from './learner-params.js';

/*
 * An evaluation of the learner model on held-out answers (learner-model §5). Nothing scored
 * was seen before it was predicted: each answer's probability comes from the answers before it
 * and from parameters fitted without it; the references see no more than the model does.
 */

/** The first reference: each topic's rate of right answers in the training answers. */
export interface TopicMeans {
  byTopic: ReadonlyMap<string, number>;
  overall: number;
}

export function topicMeans(training: ReadonlyArray<readonly StoredResponse[]>): TopicMeans {
  const tally = new Map<string, { right: number; all: number }>();
  let right = 0;
  let all = 0;
  for (const answers of training) {
    for (const r of answers) {
      const t = tally.get(r.topic) ?? { right: 0, all: 0 };
      t.all++;
      all++;
      if (r.correct) {
        t.right++;
        right++;
      }
      tally.set(r.topic, t);
    }
  }
  return { byTopic: new Map([...tally].map(([topic, t]) => [topic, t.right / t.all])), overall: all === 0 ? 0.5 : right / all };
}

export interface ForecastEvaluation {
  /** (student, day) pairs: each active day with a score 7 days later inside the data. */
  points: number;
  mean_absolute_error: number;
  /** "No change": the score 7 days later predicted to be today's. */
  no_change_mean_absolute_error: number;
  /** How often the score reached lay inside [low, high], the forecast's 80 % interval. */
  interval_coverage: number;
}

export interface EvaluationReport {
  model: Scores & { calibration: CalibrationBin[] };
  references: { topic_mean: Scores; seed_quiz: Scores };
  forecast: ForecastEvaluation;
}

export interface EvaluationInput {
  /** The students whose answers are scored (each from everything before it). */
  states: readonly StudentState[];
  /** Fitted without any scored answer. */
  params: LearnerParams;
  config: ModelConfig;
  means: TopicMeans;
  /** Whether an answer is scored: after the split, or a test student's. */
  scored: (r: StoredResponse) => boolean;
  /** Forecasts are scored as of each active day from this day on, while 7 days later is inside the data. */
  forecastFrom: Day;
  lastDay: Day;
}

const DAY_MS = 86_400_000;

/** The seed's quiz component of the answer's topic as of the day before it (0 for a topic not yet seen). */
function seedQuizBefore(state: StudentState, answers: readonly StoredResponse[], config: ModelConfig): number[] {
  const byTopic = new Map<string, number[]>();
  answers.forEach((r, i) => {
    const list = byTopic.get(r.topic) ?? [];
    list.push(i);
    byTopic.set(r.topic, list);
  });
  const out = new Array<number>(answers.length).fill(0);
  for (const [topic, indices] of byTopic) {
    const days = [...new Set(indices.map((i) => dayOfInstant(instantKeyMs(answers[i]!.at) - DAY_MS)))].sort();
    const scopes = scopesOver(state, days, config, topic);
    if (scopes === undefined) continue;
    const quiz = new Map(days.map((d, i) => [d, scopes[i]!.components.quiz]));
    for (const i of indices) out[i] = quiz.get(dayOfInstant(instantKeyMs(answers[i]!.at) - DAY_MS))!;
  }
  return out;
}

/** Scores the model, the references and the forecast on the held-out answers and days. */
export function evaluate(input: EvaluationInput): EvaluationReport {
  const model: number[] = [];
  const topicMean: number[] = [];
  const seedQuiz: number[] = [];
  const outcomes: number[] = [];
  let points = 0;
  let error = 0;
  let noChange = 0;
  let covered = 0;
  for (const state of input.states) {
    const scoredAnswers: StoredResponse[] = [];
    traceAnswers(input.params, initialTrace(input.params), state.responses, (p, r) => {
      if (!input.scored(r)) return;
      model.push(p);
      outcomes.push(r.correct ? 1 : 0);
      topicMean.push(input.means.byTopic.get(r.topic) ?? input.means.overall);
      scoredAnswers.push(r);
    });
    seedQuiz.push(...seedQuizBefore(state, scoredAnswers, input.config));
    for (const day of state.days) {
      const later = addDays(day, 7);
      if (day < input.forecastFrom || later > input.lastDay) continue;
      const forecast = forecastAsOf(state, day, input.config, input.params)!;
      const now = masteryAsOf(state, day, input.config)!.mastery_score;
      const reached = masteryAsOf(state, later, input.config)!.mastery_score;
      points++;
      error += Math.abs(forecast.score_in_7_days - reached);
      noChange += Math.abs(now - reached);
      if (reached >= forecast.low && reached <= forecast.high) covered++;
    }
  }
  return {
    model: { ...scores(model, outcomes), calibration: calibration(model, outcomes) },
    references: { topic_mean: scores(topicMean, outcomes), seed_quiz: scores(seedQuiz, outcomes) },
    forecast: {
      points,
      mean_absolute_error: points === 0 ? Number.NaN : error / points,
      no_change_mean_absolute_error: points === 0 ? Number.NaN : noChange / points,
      interval_coverage: points === 0 ? Number.NaN : covered / points,
    },
  };
}
