import type { StoredResponse } from '../student-state.js';
import { initialTrace, traceAnswers } from './knowledge-trace.js';
import { DEFAULT_LEARNER_PARAMS, rate, type ItemParams, type LearnerParams, type RateSchedule, type TopicParams } from './learner-params.js';

/** The guardrails and settings of a fit (docs/learner-model.md, "Fitting"). */
export interface FitOptions {
  /** Passes over the answers: each starts every student afresh, with the difficulties so far. */
  passes: number;
  /** A fit needs at least this many first-attempt answers, or it is refused. */
  minAnswers: number;
  /** A topic with fewer answers gets the pooled difficulty. */
  minTopicAnswers: number;
  /** An item with fewer answers gets no offset of its own. */
  minItemAnswers: number;
  /** An item's offset is shrunk by answers / (answers + this) towards its topic. */
  itemShrinkage: number;
  /** How fast difficulties move with their n-th answer. */
  difficultyRate: RateSchedule;
  /** Difficulties and offsets are held to [−bound, bound] logits. */
  bound: number;
}

export const DEFAULT_FIT_OPTIONS: FitOptions = Object.freeze({
  passes: 3,
  minAnswers: 100,
  minTopicAnswers: 30,
  minItemAnswers: 2,
  itemShrinkage: 3,
  difficultyRate: Object.freeze({ initial: 0.4, decay: 0.05 }),
  bound: 6,
});

/** A fit that cannot be made from the data given: what is missing, in a sentence. */
export class FitRefused extends Error {
  override readonly name = 'FitRefused';
}

/** What a fit learned, before the event-log database gives it a version. */
export type FittedParams = Omit<LearnerParams, 'version' | 'fitted_at'>;

const clampTo = (bound: number, x: number) => Math.min(bound, Math.max(-bound, x));

/**
 * Fits topic difficulties and item offsets to students' first-attempt answers (each student's
 * in order) by Elo-style passes: every answer moves the difficulties of its topic and item by
 * K(n) × (p − y) while the student's ability moves as it does in the engine. Thin
 * topics are pooled, thin items dropped, offsets shrunk, everything bounded. The settings of
 * `base` (rates, forgetting, priors, bar, forecast) are kept as they are.
 */
export function fitLearnerParams(
  students: ReadonlyArray<readonly StoredResponse[]>,
  base: LearnerParams = DEFAULT_LEARNER_PARAMS,
  options: FitOptions = DEFAULT_FIT_OPTIONS,
): FittedParams {
  const answers = students.reduce((n, s) => n + s.length, 0);
  if (answers < options.minAnswers) {
    throw new FitRefused(`a fit needs at least ${options.minAnswers} first-attempt answers; the log holds ${answers}`);
  }
  const difficulty = new Map<string, { value: number; updates: number; answers: number }>();
  const offset = new Map<string, { value: number; updates: number; answers: number; topic: string }>();
  for (const student of students) {
    for (const r of student) {
      const t = difficulty.get(r.topic) ?? { value: 0, updates: 0, answers: 0 };
      t.answers++;
      difficulty.set(r.topic, t);
      const i = offset.get(r.item_id) ?? { value: 0, updates: 0, answers: 0, topic: r.topic };
      i.answers++;
      offset.set(r.item_id, i);
    }
  }
  // The tracker reads these maps as they are updated: each answer is predicted with the
  // difficulties learned up to it.
  const topics = new Map<string, TopicParams>();
  const items = new Map<string, ItemParams>();
  // Students' topic-specific knowledge is held at 0 while fitting: it would otherwise soak up
  // part of each topic's difficulty (every student "weak" at a hard topic), which belongs to the
  // population. The engine learns each student's deviation from it, answer by answer.
  const working: LearnerParams = { ...base, topics, items, rates: { ...base.rates, topic: { initial: 0, decay: 0 } } };
  const sync = (topic: string, item: string) => {
    const t = difficulty.get(topic)!;
    topics.set(topic, { difficulty: t.value, answers: t.answers });
    const i = offset.get(item)!;
    items.set(item, { offset: i.value, answers: i.answers });
  };
  for (const [topic] of difficulty) topics.set(topic, { difficulty: 0, answers: difficulty.get(topic)!.answers });
  for (const [item] of offset) items.set(item, { offset: 0, answers: offset.get(item)!.answers });
  for (let pass = 0; pass < options.passes; pass++) {
    for (const student of students) {
      traceAnswers(working, initialTrace(working), student, (p, r) => {
        const error = (r.correct ? 1 : 0) - p;
        const t = difficulty.get(r.topic)!;
        t.value = clampTo(options.bound, t.value - rate(options.difficultyRate, t.updates++) * error);
        const i = offset.get(r.item_id)!;
        i.value = clampTo(options.bound, i.value - rate(options.difficultyRate, i.updates++) * error);
        sync(r.topic, r.item_id);
      });
    }
  }
  // Topic and item both took each answer's error: only their sum is identified. Offsets are
  // centred per topic (answer-weighted mean 0), so that a topic's difficulty is its own.
  const mean = new Map<string, { sum: number; answers: number }>();
  for (const i of offset.values()) {
    const m = mean.get(i.topic) ?? { sum: 0, answers: 0 };
    m.sum += i.value * i.answers;
    m.answers += i.answers;
    mean.set(i.topic, m);
  }
  for (const [topic, m] of mean) difficulty.get(topic)!.value += m.sum / m.answers;
  for (const i of offset.values()) {
    const m = mean.get(i.topic)!;
    i.value -= m.sum / m.answers;
  }
  let weighted = 0;
  for (const t of difficulty.values()) weighted += t.value * t.answers;
  const pooled: TopicParams = { difficulty: clampTo(options.bound, weighted / answers), answers };
  const fittedTopics = new Map<string, TopicParams>();
  for (const [name, t] of [...difficulty].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (t.answers >= options.minTopicAnswers) fittedTopics.set(name, { difficulty: clampTo(options.bound, t.value), answers: t.answers });
  }
  const fittedItems = new Map<string, ItemParams>();
  for (const [name, i] of [...offset].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (i.answers < options.minItemAnswers) continue;
    // A pooled topic's own difficulty moves into its items, so that an item keeps its whole
    // difficulty when its topic falls back to the pool.
    const topicShift = fittedTopics.has(i.topic) ? 0 : difficulty.get(i.topic)!.value - pooled.difficulty;
    const value = clampTo(options.bound, ((i.value + topicShift) * i.answers) / (i.answers + options.itemShrinkage));
    fittedItems.set(name, { offset: value, answers: i.answers });
  }
  return { ...base, answers, pooled, topics: fittedTopics, items: fittedItems };
}
