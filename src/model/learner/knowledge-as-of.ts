import { round3 } from '../numbers.js';
import type { StoredResponse, StudentState } from '../student-state.js';
import { initialTrace, sigmoid, topicAt, traceAnswers, type KnowledgeTrace } from './knowledge-trace.js';
import { topicParams, type LearnerParams } from './learner-params.js';
import { normalCdf } from './normal.js';

/** What the engine knows of a student's knowledge of one topic (learner-model §2). */
export interface TopicKnowledge {
  topic: string;
  /** Probability the topic is known: that a typical item of it would be answered right at least `masteryBar` of the time. */
  p_known: number;
  /** Probability the next first-attempt answer on the topic is correct. */
  p_correct: number;
  /** How many first-attempt answers on the topic it rests on. */
  responses: number;
  last_response_at: string | null;
}

/**
 * Every CHECKPOINT answers of a replay, the trace up to there, kept in memory beside the trace it
 * led to (never stored: a store's trace is the last one alone). A late answer then replays from
 * the checkpoint before it rather than from the student's first answer.
 */
const CHECKPOINT = 32;
const checkpointsOf = new WeakMap<KnowledgeTrace, readonly KnowledgeTrace[]>();

/** Whether `trace` was made from exactly the first answers up to its `through`, which are still the state's first ones. */
function isPrefixOf(trace: KnowledgeTrace, answers: readonly StoredResponse[], end: number): boolean {
  const n = trace.ability.n;
  const last = answers[n - 1];
  return trace.through !== null && n <= end && last !== undefined && last.at === trace.through.at && last.event_id === trace.through.event_id;
}

/**
 * Folds answers [from, end) into `start` (made from the first `from`), leaving a checkpoint at
 * every multiple of CHECKPOINT on the way; `kept` are the checkpoints before `from`.
 */
function replay(
  params: LearnerParams,
  answers: readonly StoredResponse[],
  start: KnowledgeTrace,
  from: number,
  end: number,
  kept: readonly KnowledgeTrace[],
): KnowledgeTrace {
  if (from === end) return start;
  const checkpoints = [...kept];
  let trace = start;
  let i = from;
  for (let next = (Math.floor(i / CHECKPOINT) + 1) * CHECKPOINT; next < end; next += CHECKPOINT) {
    trace = traceAnswers(params, trace, answers.slice(i, next));
    checkpoints.push(trace);
    i = next;
  }
  trace = traceAnswers(params, trace, answers.slice(i, end));
  checkpointsOf.set(trace, checkpoints);
  return trace;
}

/**
 * The trace of the student's answers strictly before `beforeAt` (an instant key; every answer
 * when null). A stored trace is reused when it was made with these parameters from exactly the
 * answers up to one of these (its answer count says so: a late answer inserted before its end
 * makes it stale); what follows is folded on in O(1) per answer. Otherwise the answers are
 * replayed from the last checkpoint that still holds (another parameter version, or a trace
 * read back from a store, has none: every answer then).
 */
export function traceBefore(params: LearnerParams, state: StudentState, stored: KnowledgeTrace | null | undefined, beforeAt: string | null): KnowledgeTrace {
  const answers = state.responses;
  let end = answers.length;
  if (beforeAt !== null) while (end > 0 && answers[end - 1]!.at >= beforeAt) end--;
  if (end === 0) return initialTrace(params);
  if (stored == null || stored.version !== params.version) return replay(params, answers, initialTrace(params), 0, end, []);
  if (isPrefixOf(stored, answers, end)) {
    return stored.ability.n === end ? stored : replay(params, answers, stored, stored.ability.n, end, checkpointsOf.get(stored) ?? []);
  }
  const kept = checkpointsOf.get(stored) ?? [];
  let valid = kept.length;
  while (valid > 0 && !isPrefixOf(kept[valid - 1]!, answers, end)) valid--;
  const from = valid === 0 ? initialTrace(params) : kept[valid - 1]!;
  return replay(params, answers, from, from.ability.n, end, kept.slice(0, valid));
}

const logit = (p: number) => Math.log(p / (1 - p));

/**
 * p_correct = σ(ability + faded knowledge − difficulty) for a typical item of the topic;
 * p_known = Φ((ability + faded knowledge − difficulty − logit(bar)) / √v), with v the
 * variance left of the ability and of the topic's knowledge after the information gathered.
 */
export function topicKnowledge(params: LearnerParams, trace: KnowledgeTrace, topic: string, atMs: number): { p_known: number; p_correct: number } {
  const t = trace.topics.get(topic);
  const now = topicAt(params, t, atMs);
  const mean = trace.ability.theta + now.theta - topicParams(params, topic).difficulty;
  const variance = 1 / (1 / params.priorVariance.ability + trace.ability.info) + 1 / (1 / params.priorVariance.topic + now.info);
  return {
    p_known: round3(normalCdf((mean - logit(params.masteryBar)) / Math.sqrt(variance))),
    p_correct: round3(sigmoid(mean)),
  };
}

/**
 * Knowledge of each of `topics` as of the instant `asOfMs`, from the answers strictly before
 * it. A topic without answers gets its prior: the population's difficulty with the student's
 * ability, never 0.
 */
export function knowledgeAsOf(
  params: LearnerParams,
  state: StudentState,
  stored: KnowledgeTrace | null | undefined,
  asOfMs: number,
  topics: readonly string[],
): TopicKnowledge[] {
  const trace = traceBefore(params, state, stored, keyOfMs(asOfMs));
  return topics.map((topic) => {
    const t = trace.topics.get(topic);
    return { topic, ...topicKnowledge(params, trace, topic, asOfMs), responses: t?.n ?? 0, last_response_at: t === undefined ? null : isoOfKey(t.lastAt) };
  });
}

/** The instant key of an epoch ms. */
function keyOfMs(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000000Z`;
}

/** An instant key as RFC 3339 with as many fraction digits as it needs (none, 3, 6 or 9). */
export function isoOfKey(at: string): string {
  const fraction = at.slice(20, 29);
  const digits = fraction === '000000000' ? 0 : fraction.endsWith('000000') ? 3 : fraction.endsWith('000') ? 6 : 9;
  return digits === 0 ? `${at.slice(0, 19)}Z` : `${at.slice(0, 20)}${fraction.slice(0, digits)}Z`;
}
