import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../../testing/property.js';
import { instantKey } from '../instant.js';
import { stateOf, responseEvent } from '../../testing/event-builders.js';
import { evolveAll } from '../fast/evolve-all.js';
import { initialState, type StoredResponse } from '../student-state.js';
import { isoOfKey, knowledgeAsOf, traceBefore } from './knowledge-as-of.js';
import { fade, initialTrace, instantKeyMs, traceAnswers } from './knowledge-trace.js';
import { DEFAULT_LEARNER_PARAMS, type LearnerParams } from './learner-params.js';

const P = DEFAULT_LEARNER_PARAMS;
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ms = (t: string) => Date.parse(t);

// Three answers: A right on day 0; A wrong and B right at the same instant on day 1 (the id orders them).
const sequence = [
  responseEvent('2026-03-01T10:00:00Z', { item_id: 'a1', correct: true }, { topic: 'A', event_id: id(1) }),
  responseEvent('2026-03-02T10:00:00Z', { item_id: 'b1', correct: true }, { topic: 'B', event_id: id(3) }),
  responseEvent('2026-03-02T10:00:00Z', { item_id: 'a2', correct: false }, { topic: 'A', event_id: id(2) }),
];

describe('knowledge tracing against a hand-computed sequence (default parameters)', () => {
  it('predicts each answer from the ones before it and moves ability and topic by K × (y − p)', () => {
    const predicted: number[] = [];
    const state = stateOf(sequence);
    const trace = traceAnswers(P, initialTrace(P), state.responses, (p) => predicted.push(p));
    // 1: all zero, p = σ(0) = 0.5; ability += 0.3 × 0.5, A += 0.6 × 0.5.
    // 2: A faded a day: 0.3 × 2^(−1/30); p = σ(0.15 + 0.293148) = 0.609009; ability −= 0.3/1.01 × p, A −= 0.6/1.1 × p.
    // 3: B new: p = σ(ability) = 0.492277; ability += 0.3/1.02 × (1 − p), B += 0.6 × (1 − p).
    const expected = [0.5, 0.6090088777083421, 0.492277182712993];
    for (const [i, p] of predicted.entries()) assert.ok(Math.abs(p - expected[i]!) < 1e-12, `answer ${i + 1}: ${p}`);
    assert.ok(Math.abs(trace.ability.theta - 0.11843651432654867) < 1e-12);
    assert.ok(Math.abs(trace.topics.get('A')!.theta - -0.03903867003791284) < 1e-12);
    assert.ok(Math.abs(trace.topics.get('B')!.theta - 0.30463369037220417) < 1e-12);
    assert.equal(trace.ability.n, 3);
    assert.deepEqual(trace.through, { at: instantKey('2026-03-02T10:00:00Z'), event_id: id(3) });
  });

  it('reports p_correct = σ(ability + faded knowledge − difficulty) and p_known = Φ((… − logit 0.7) / √v), rounded', () => {
    const state = stateOf(sequence);
    const k = knowledgeAsOf(P, state, null, ms('2026-03-12T10:00:00Z'), ['A', 'B', 'C']);
    // Ten days after the last answers, each topic's own knowledge has faded by 2^(−10/30).
    assert.deepEqual(k, [
      { topic: 'A', p_known: 0.223, p_correct: 0.522, responses: 2, last_response_at: '2026-03-02T10:00:00Z' },
      { topic: 'B', p_known: 0.316, p_correct: 0.589, responses: 1, last_response_at: '2026-03-02T10:00:00Z' },
      // Never answered: the prior, with the student's ability.
      { topic: 'C', p_known: 0.241, p_correct: 0.53, responses: 0, last_response_at: null },
    ]);
  });

  it('a topic never answered, for a student never seen, gets the population prior, never 0', () => {
    const params: LearnerParams = { ...P, pooled: { difficulty: 0.4, answers: 1000 }, topics: new Map([['hard', { difficulty: 1.5, answers: 400 }]]) };
    const [hard, unknown] = knowledgeAsOf(params, initialState('s'), null, ms('2026-03-12T00:00:00Z'), ['hard', 'never-fitted']);
    assert.equal(hard!.p_correct, 0.182); // σ(−1.5)
    assert.equal(unknown!.p_correct, 0.401); // σ(−0.4): the pooled difficulty
    assert.ok(hard!.p_known > 0 && hard!.p_known < unknown!.p_known);
  });

  it('as of an instant uses only the answers strictly before it', () => {
    const state = stateOf(sequence);
    const atSecond = knowledgeAsOf(P, state, null, ms('2026-03-02T10:00:00Z'), ['A', 'B']);
    assert.deepEqual(
      atSecond.map((k) => k.responses),
      [1, 0],
    );
    const justAfter = knowledgeAsOf(P, state, null, ms('2026-03-02T10:00:00.001Z'), ['A', 'B']);
    assert.deepEqual(
      justAfter.map((k) => k.responses),
      [2, 1],
    );
  });
});

// Random answer streams over four topics and five items, with equal instants.
const answerArb = fc.record({
  event_id: fc.uuid().map((u) => u.toLowerCase()),
  day: fc.integer({ min: 1, max: 20 }),
  hour: fc.constantFrom('08', '08', '13', '21'),
  topic: fc.constantFrom('t1', 't2', 't3', 't4'),
  item: fc.constantFrom('i1', 'i2', 'i3', 'i4', 'i5'),
  correct: fc.boolean(),
});
const answersArb = fc.uniqueArray(answerArb, { selector: (a) => a.event_id, minLength: 1, maxLength: 60 });
const toEvent = (a: { event_id: string; day: number; hour: string; topic: string; item: string; correct: boolean }) =>
  responseEvent(
    `2026-03-${String(a.day).padStart(2, '0')}T${a.hour}:00:00Z`,
    { item_id: a.item, correct: a.correct },
    { topic: a.topic, event_id: a.event_id },
  );
const fitted: LearnerParams = {
  ...P,
  version: 'v9',
  pooled: { difficulty: 0.3, answers: 500 },
  topics: new Map([
    ['t1', { difficulty: -0.5, answers: 100 }],
    ['t2', { difficulty: 1, answers: 100 }],
  ]),
  items: new Map([
    ['i1', { offset: 0.7, answers: 40 }],
    ['i3', { offset: -0.4, answers: 40 }],
  ]),
};

describe('knowledge tracing: laws', () => {
  it("an answer's instant key reads back as its epoch milliseconds (the digits, not Date.parse)", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('1900-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }), (ms) => {
        assert.equal(instantKeyMs(instantKey(new Date(ms).toISOString())), ms);
      }),
      { numRuns: 2000 },
    );
    assert.equal(
      instantKeyMs(instantKey('2026-01-14T12:30:00.1239+02:00')),
      Date.parse('2026-01-14T10:30:00.123Z'),
      'an offset is UTC in the key; sub-ms digits dropped',
    );
  });

  it("fade halves a topic's own knowledge every half-life, is 1 at no time elapsed and never above 1", () => {
    const day = 86_400_000;
    assert.equal(fade(P, 0), 1);
    assert.equal(fade(P, 30 * day), 0.5);
    assert.equal(fade({ ...P, forgettingHalfLifeDays: 10 }, 30 * day), 0.125);
    // Not reached by the engine (answers are folded in order, knowledge read after them), but a
    // clock read backwards must not grow knowledge: fade stays 1.
    assert.equal(fade(P, -day), 1);
    fc.assert(
      fc.property(fc.integer({ min: -10 * day, max: 400 * day }), fc.integer({ min: 0, max: 400 * day }), (a, b) => {
        assert.ok(fade(P, a) > 0 && fade(P, a) <= 1);
        if (a <= b) assert.ok(fade(P, a) >= fade(P, b), 'never grows with time');
      }),
    );
  });

  it('an instant key reads back as RFC 3339 with as many fraction digits as it needs', () => {
    assert.equal(isoOfKey(instantKey('2026-03-02T10:00:00Z')), '2026-03-02T10:00:00Z');
    assert.equal(isoOfKey(instantKey('2026-03-02T10:00:00.120Z')), '2026-03-02T10:00:00.120Z');
    assert.equal(isoOfKey(instantKey('2026-03-02T10:00:00.000450Z')), '2026-03-02T10:00:00.000450Z');
    assert.equal(isoOfKey(instantKey('2026-03-02T10:00:00.000000007Z')), '2026-03-02T10:00:00.000000007Z');
    assert.equal(isoOfKey(instantKey('2026-03-02T10:00:00.1234567Z')), '2026-03-02T10:00:00.123456700Z');
  });

  it('a stored trace folded on with new answers equals replaying them all, in order or late', () => {
    fc.assert(
      fc.property(answersArb, fc.nat(), (answers, cut) => {
        const events = answers.map(toEvent);
        const k = cut % events.length;
        const before = evolveAll(initialState('s'), events.slice(0, k));
        const stored = traceBefore(fitted, before, null, null);
        const after = evolveAll(before, events.slice(k));
        const extended = traceBefore(fitted, after, stored, null);
        const replayed = traceBefore(fitted, after, null, null);
        assert.deepStrictEqual(extended, replayed);
      }),
      { numRuns: 200 },
    );
  });

  it('a stream written batch by batch, in any order, keeps the trace of a full replay at every write', () => {
    const longAnswers = fc.uniqueArray(answerArb, { selector: (a) => a.event_id, minLength: 40, maxLength: 200 });
    fc.assert(
      fc.property(longAnswers, fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), (answers, cuts) => {
        const events = answers.map(toEvent);
        const bounds = [...new Set([0, ...cuts.map((c) => c % events.length), events.length])].sort((a, b) => a - b);
        let state = initialState('s');
        let trace = traceBefore(fitted, state, null, null);
        for (let b = 1; b < bounds.length; b++) {
          state = evolveAll(state, events.slice(bounds[b - 1], bounds[b]));
          trace = traceBefore(fitted, state, trace, null);
          assert.deepStrictEqual(trace, traceBefore(fitted, state, null, null));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a late answer replays from the checkpoint before it, not from the first answer', () => {
    let steps = 0;
    const items = new Map(fitted.items);
    const counting: LearnerParams = { ...fitted, items: Object.assign(items, { get: (k: string) => (steps++, Map.prototype.get.call(items, k)) }) };
    const at = (i: number) => `2026-03-${String(1 + Math.floor(i / 60)).padStart(2, '0')}T10:${String(i % 60).padStart(2, '0')}:00Z`;
    const events = Array.from({ length: 100 }, (_, i) =>
      responseEvent(at(i), { item_id: 'i1', correct: i % 3 === 0 }, { topic: 't1', event_id: id(1000 + i) }),
    );
    const late = events.splice(90, 1)[0]!;
    const before = evolveAll(initialState('s'), events);
    const stored = traceBefore(counting, before, null, null);
    steps = 0;
    const after = evolveAll(before, [late]);
    const replayed = traceBefore(counting, after, stored, null);
    // Checkpoints after 32, 64 and 96 answers: the one at 64 still holds, so answers 65–100 are replayed.
    assert.equal(steps, 100 - 64);
    assert.deepStrictEqual(replayed, traceBefore(fitted, after, null, null));
  });

  it('an answer in order costs one step: a stored trace is extended, not replayed', () => {
    let steps = 0;
    const items = new Map(fitted.items);
    const counting: LearnerParams = { ...fitted, items: Object.assign(items, { get: (k: string) => (steps++, Map.prototype.get.call(items, k)) }) };
    const events = Array.from({ length: 50 }, (_, i) =>
      responseEvent(`2026-03-01T10:${String(i).padStart(2, '0')}:00Z`, { item_id: 'i1', correct: i % 3 === 0 }, { topic: 't1' }),
    );
    const before = evolveAll(initialState('s'), events.slice(0, 49));
    const stored = traceBefore(counting, before, null, null);
    assert.equal(traceBefore(counting, before, stored, null), stored, 'nothing new: the stored trace itself');
    steps = 0;
    traceBefore(counting, evolveAll(before, events.slice(49)), stored, null);
    assert.equal(steps, 1);
  });

  it('a trace of other parameters, or one a late answer went before, is replayed, not reused', () => {
    const state = stateOf(sequence);
    const stale = traceBefore(P, stateOf(sequence.slice(0, 2)), null, null);
    const late = traceBefore(fitted, state, { ...stale, version: fitted.version }, null);
    assert.deepStrictEqual(late, traceBefore(fitted, state, null, null));
    const other = traceBefore(fitted, state, traceBefore(P, state, null, null), null);
    assert.equal(other.version, 'v9');
    assert.deepStrictEqual(other, traceBefore(fitted, state, null, null));
  });

  it('every probability is in [0, 1] with at most 3 decimals, whatever the answers', () => {
    fc.assert(
      fc.property(answersArb, (answers) => {
        const state = evolveAll(initialState('s'), answers.map(toEvent));
        for (const k of knowledgeAsOf(fitted, state, null, ms('2026-04-01T00:00:00Z'), ['t1', 't2', 't3', 't4', 'never'])) {
          for (const p of [k.p_known, k.p_correct]) {
            assert.ok(p >= 0 && p <= 1);
            assert.equal(Math.round(p * 1000) / 1000, p);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a right answer never lowers, a wrong one never raises, the topic p_correct', () => {
    fc.assert(
      fc.property(answersArb, fc.boolean(), (answers, correct) => {
        const state = evolveAll(initialState('s'), answers.map(toEvent));
        const last = state.responses[state.responses.length - 1]! as StoredResponse;
        const next = toEvent({ event_id: '99999999-9999-4999-8999-999999999999', day: 28, hour: '08', topic: last.topic, item: 'i2', correct });
        const at = ms('2026-03-28T08:00:00.001Z');
        const [before] = knowledgeAsOf(fitted, state, null, at, [last.topic]);
        const [after] = knowledgeAsOf(fitted, evolveAll(state, [next]), null, at, [last.topic]);
        if (correct) assert.ok(after!.p_correct >= before!.p_correct);
        else assert.ok(after!.p_correct <= before!.p_correct);
      }),
      { numRuns: 100 },
    );
  });
});

describe('knowledge tracing: stored traces and checkpoints', () => {
  /** The fitted parameters, counting the steps of every fold (one item look-up per answer). */
  const counting = () => {
    const counter = { steps: 0 };
    const items = new Map(fitted.items);
    const params: LearnerParams = { ...fitted, items: Object.assign(items, { get: (k: string) => (counter.steps++, Map.prototype.get.call(items, k)) }) };
    return { counter, params };
  };
  const at = (i: number) => `2026-03-${String(1 + Math.floor(i / 60)).padStart(2, '0')}T10:${String(i % 60).padStart(2, '0')}:00Z`;
  const answerAt = (i: number, n: number) =>
    responseEvent(at(i), { item_id: n % 2 === 0 ? 'i1' : 'i3', correct: n % 3 === 0 }, { topic: n % 4 === 0 ? 't2' : 't1', event_id: id(2000 + n) });

  it('a stored trace of later answers is not used for an earlier instant', () => {
    const state = evolveAll(
      initialState('s'),
      Array.from({ length: 40 }, (_, i) => answerAt(i, i)),
    );
    const stored = traceBefore(fitted, state, null, null);
    const asOf = ms(at(20));
    const fromStored = knowledgeAsOf(fitted, state, stored, asOf, ['t1', 't2']);
    assert.deepStrictEqual(fromStored, knowledgeAsOf(fitted, state, null, asOf, ['t1', 't2']));
    assert.equal(fromStored[0]!.responses + fromStored[1]!.responses, 20);
  });

  it('keeps its checkpoints when a trace is extended in order, so that a later late answer still replays from one', () => {
    const events = Array.from({ length: 100 }, (_, i) => answerAt(2 * i, i));
    for (const [lateAt, checkpoint] of [
      [101, 32],
      [141, 64],
    ] as const) {
      const { counter, params } = counting();
      // A trace of the first 40 answers (a checkpoint after 32), extended in order to 100 (checkpoints after 64 and 96).
      const first = evolveAll(initialState('s'), events.slice(0, 40));
      const all = evolveAll(first, events.slice(40));
      const extended = traceBefore(params, all, traceBefore(params, first, null, null), null);
      // A late answer between the 50th and 51st (or the 70th and 71st) answer.
      const after = evolveAll(all, [responseEvent(at(lateAt), { item_id: 'i1', correct: true }, { topic: 't1', event_id: id(9000 + lateAt) })]);
      counter.steps = 0;
      const replayed = traceBefore(params, after, extended, null);
      assert.equal(counter.steps, 101 - checkpoint, `late at ${lateAt}`);
      assert.deepStrictEqual(replayed, traceBefore(fitted, after, null, null));
    }
  });

  it('a trace read back from a store (no checkpoints) is extended in order and then replayed whole for a late answer', () => {
    const events = Array.from({ length: 50 }, (_, i) => answerAt(2 * i, i));
    const first = evolveAll(initialState('s'), events.slice(0, 45));
    const all = evolveAll(first, events.slice(45));
    const read = structuredClone(traceBefore(fitted, first, null, null));
    const extended = traceBefore(fitted, all, read, null);
    assert.deepStrictEqual(extended, traceBefore(fitted, all, null, null));
    const after = evolveAll(all, [responseEvent(at(11), { item_id: 'i3', correct: false }, { topic: 't2', event_id: id(9999) })]);
    assert.deepStrictEqual(traceBefore(fitted, after, extended, null), traceBefore(fitted, after, null, null));
  });

  it("takes the prior variances from the parameters: a student never seen has v = the ability's + the topic's", () => {
    const params: LearnerParams = { ...P, priorVariance: { ability: 4, topic: 0.5 } };
    const [k] = knowledgeAsOf(params, initialState('s'), null, ms('2026-03-12T00:00:00Z'), ['A']);
    // Φ((0 − logit 0.7) / √4.5) = Φ(−0.39943) = 0.3448
    assert.equal(k!.p_known, 0.345);
  });

  it('before any fit the parameters are version `default`, and a trace names it', () => {
    assert.equal(P.version, 'default');
    assert.equal(traceBefore(P, stateOf(sequence), null, null).version, 'default');
  });
});
