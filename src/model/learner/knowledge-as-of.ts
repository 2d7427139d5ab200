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

/** The index of the answer a trace ends on, searched from the end (where it usually is); −1 if absent. */
function indexOfThrough(answers: readonly StoredResponse[], end: number, through: { at: string; event_id: string }): number {
  for (let i = end - 1; i >= 0; i--) {
    const r = answers[i]!;
    if (r.at === through.at && r.event_id === through.event_id) return i;
    if (r.at < through.at) return -1;
  }
  return -1;
}

/**
 * The trace of the student's answers strictly before `beforeAt` (an instant key; every answer
 * when null). A stored trace is reused when it was made with these parameters from exactly the
 * answers up to one of these (its answer count says so: a late answer inserted before its end
 * makes it stale); what follows is folded on in O(1) per answer. Otherwise every answer is
 * replayed: another parameter version, a late answer, an as-of before the trace's end.
 */
export function traceBefore(params: LearnerParams, state: StudentState, stored: KnowledgeTrace | null | undefined, beforeAt: string | null): KnowledgeTrace {
  let end = state.responses.length;
  if (beforeAt !== null) while (end > 0 && state.responses[end - 1]!.at >= beforeAt) end--;
  if (end === 0) return initialTrace(params);
  if (stored != null && stored.version === params.version && stored.through !== null) {
    const i = indexOfThrough(state.responses, end, stored.through);
    if (i >= 0 && stored.ability.n === i + 1) {
      return i === end - 1 ? stored : traceAnswers(params, stored, state.responses.slice(i + 1, end));
    }
  }
  return traceAnswers(params, initialTrace(params), state.responses.slice(0, end));
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
