import { dayNumber } from '../days.js';
import type { StoredResponse } from '../student-state.js';
import { rate, topicParams, type LearnerParams } from './learner-params.js';

/*
 * Knowledge tracing, an Elo-style logistic model (docs/learner-model.md):
 *
 *   logit P(correct) = ability + knowledge[topic] × fade(days since its last answer)
 *                      − difficulty[topic] − offset[item]
 *
 * After each first-attempt answer y ∈ {0, 1} with predicted p:
 *   ability          += K_ability(n)        × (y − p)
 *   knowledge[topic] += K_topic(n_topic)    × (y − p)
 * where n counts the answers before it, and fade(d) = 2^(−d / half-life) lets a topic's own
 * knowledge return towards the student's ability when it is not practised.
 */

const DAY_MS = 86_400_000;

export interface AbilityTrace {
  readonly theta: number;
  readonly n: number;
  /** Fisher information gathered: Σ p(1 − p) over the answers. */
  readonly info: number;
}

export interface TopicTrace extends AbilityTrace {
  /** Epoch ms of the topic's last answer. */
  readonly lastMs: number;
  /** The instant key of the topic's last answer. */
  readonly lastAt: string;
}

/** Where a student's knowledge stands after some of their answers, in order. */
export interface KnowledgeTrace {
  /** The parameter version the trace was computed with. */
  readonly version: string;
  /** The last answer folded in; null before any. */
  readonly through: { readonly at: string; readonly event_id: string } | null;
  readonly ability: AbilityTrace;
  readonly topics: ReadonlyMap<string, TopicTrace>;
}

export function initialTrace(params: LearnerParams): KnowledgeTrace {
  return { version: params.version, through: null, ability: { theta: 0, n: 0, info: 0 }, topics: new Map() };
}

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;

/**
 * Epoch ms of an instant key (`2026-01-14T10:30:00.000000000Z`), to the millisecond: read from
 * its fixed-width digits (every answer traced parses one, and a late answer replays them all).
 */
export function instantKeyMs(at: string): number {
  const seconds = (digit(at, 11) * 10 + digit(at, 12)) * 3600 + (digit(at, 14) * 10 + digit(at, 15)) * 60 + digit(at, 17) * 10 + digit(at, 18);
  return dayNumber(at) * DAY_MS + seconds * 1000 + digit(at, 20) * 100 + digit(at, 21) * 10 + digit(at, 22);
}

/** fade(d) = 2^(−d / half-life): how much of a topic's own knowledge is left after d days. */
export function fade(params: LearnerParams, elapsedMs: number): number {
  return elapsedMs <= 0 ? 1 : 2 ** (-elapsedMs / DAY_MS / params.forgettingHalfLifeDays);
}

/** A topic's knowledge as of an instant: faded since its last answer, evidence faded alike. */
export function topicAt(params: LearnerParams, topic: TopicTrace | undefined, atMs: number): { theta: number; info: number } {
  if (topic === undefined) return { theta: 0, info: 0 };
  const f = fade(params, atMs - topic.lastMs);
  return { theta: topic.theta * f, info: topic.info * f };
}

type MutableTopics = Map<string, TopicTrace>;

/** Folds one answer into mutable topics, returning the new ability: O(1). */
function step(
  params: LearnerParams,
  ability: AbilityTrace,
  topics: MutableTopics,
  r: StoredResponse,
  predicted?: (p: number, r: StoredResponse) => void,
): AbilityTrace {
  const atMs = instantKeyMs(r.at);
  const before = topics.get(r.topic);
  const now = topicAt(params, before, atMs);
  const offset = params.items.get(r.item_id)?.offset ?? 0;
  const p = sigmoid(ability.theta + now.theta - topicParams(params, r.topic).difficulty - offset);
  predicted?.(p, r);
  const error = (r.correct ? 1 : 0) - p;
  const information = p * (1 - p);
  const n = before?.n ?? 0;
  topics.set(r.topic, { theta: now.theta + rate(params.rates.topic, n) * error, n: n + 1, info: now.info + information, lastMs: atMs, lastAt: r.at });
  return { theta: ability.theta + rate(params.rates.ability, ability.n) * error, n: ability.n + 1, info: ability.info + information };
}

/**
 * Folds answers (in order, each after the trace's last) into a trace: O(1) per answer.
 * `predicted` receives the probability the trace gave each answer before seeing it, which is
 * what an evaluation scores.
 */
export function traceAnswers(
  params: LearnerParams,
  trace: KnowledgeTrace,
  answers: Iterable<StoredResponse>,
  predicted?: (p: number, r: StoredResponse) => void,
): KnowledgeTrace {
  const topics: MutableTopics = new Map(trace.topics);
  let ability = trace.ability;
  let through = trace.through;
  for (const r of answers) {
    ability = step(params, ability, topics, r, predicted);
    through = r;
  }
  return { version: trace.version, through: through && { at: through.at, event_id: through.event_id }, ability, topics };
}
