import { instantKeyMs, type KnowledgeTrace, type TopicTrace } from '../../model/learner/knowledge-trace.js';

/*
 * A student's knowledge trace as compact JSON for stores outside the process: the parameter
 * version, the last answer folded in, the ability, and per topic [name, theta, n, info, lastAt]
 * (a topic may be called `__proto__`: no topic becomes an object key).
 */
type TraceJson = {
  v: string;
  t: [at: string, event_id: string] | null;
  a: [theta: number, n: number, info: number];
  p: Array<[topic: string, theta: number, n: number, info: number, lastAt: string]>;
};

export function encodeTrace(trace: KnowledgeTrace): string {
  const json: TraceJson = {
    v: trace.version,
    t: trace.through && [trace.through.at, trace.through.event_id],
    a: [trace.ability.theta, trace.ability.n, trace.ability.info],
    p: [...trace.topics].map(([name, t]) => [name, t.theta, t.n, t.info, t.lastAt]),
  };
  return JSON.stringify(json);
}

export function decodeTrace(text: string): KnowledgeTrace {
  const json = JSON.parse(text) as TraceJson;
  const topics = new Map<string, TopicTrace>(json.p.map(([name, theta, n, info, lastAt]) => [name, { theta, n, info, lastAt, lastMs: instantKeyMs(lastAt) }]));
  return {
    version: json.v,
    through: json.t && { at: json.t[0], event_id: json.t[1] },
    ability: { theta: json.a[0], n: json.a[1], info: json.a[2] },
    topics,
  };
}
