import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../demo/seeded-random.js';
import type { StoredResponse } from '../student-state.js';
import { DEFAULT_FIT_OPTIONS, FitRefused, fitLearnerParams } from './fit-learner-params.js';
import { sigmoid } from './knowledge-trace.js';

/** A standard normal draw (Box–Muller) from a seeded uniform source. */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

const at = (minute: number) => `${new Date(Date.UTC(2026, 2, 1) + minute * 60_000).toISOString().slice(0, 23)}000000Z`;

/** Students of known ability answering items of known difficulty (a Rasch model: no learning). */
function simulate(seed: number, students: number, answersEach: number) {
  const random = seededRandom(seed);
  const topics = Array.from({ length: 8 }, (_, i) => ({ name: `t${i}`, difficulty: -1.5 + (3 * i) / 7 }));
  const items = topics.flatMap((t) => Array.from({ length: 6 }, (_, j) => ({ id: `${t.name}-i${j}`, topic: t, offset: 0.4 * normal(random) })));
  const sequences: StoredResponse[][] = [];
  for (let s = 0; s < students; s++) {
    const ability = normal(random);
    const answers: StoredResponse[] = [];
    for (let n = 0; n < answersEach; n++) {
      const item = items[Math.floor(random() * items.length)]!;
      const correct = random() < sigmoid(ability - item.topic.difficulty - item.offset);
      answers.push({ at: at(s * 1000 + n), event_id: `e-${s}-${n}`, topic: item.topic.name, item_id: item.id, correct });
    }
    sequences.push(answers);
  }
  return { topics, items, sequences };
}

function pearson(xs: number[], ys: number[]): number {
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

describe('fitting the learner model', () => {
  it('recovers the topic difficulties of simulated learners', () => {
    const { topics, sequences } = simulate(7, 400, 40);
    const fitted = fitLearnerParams(sequences);
    assert.equal(fitted.answers, 16_000);
    const truth = topics.map((t) => t.difficulty);
    const estimate = topics.map((t) => fitted.topics.get(t.name)!.difficulty);
    assert.ok(pearson(truth, estimate) > 0.98, `correlation ${pearson(truth, estimate)}`);
    // Up to the shift a logistic model cannot tell from the students' mean ability:
    const shift = estimate.reduce((a, b) => a + b) / 8 - truth.reduce((a, b) => a + b) / 8;
    for (let i = 0; i < 8; i++) assert.ok(Math.abs(estimate[i]! - shift - truth[i]!) < 0.35, `${topics[i]!.name}: ${estimate[i]} vs ${truth[i]}`);
  });

  it('recovers which items are harder than their topic', () => {
    const { items, sequences } = simulate(11, 400, 40);
    const fitted = fitLearnerParams(sequences);
    const truth = items.map((i) => i.offset);
    const estimate = items.map((i) => fitted.items.get(i.id)?.offset ?? 0);
    assert.ok(pearson(truth, estimate) > 0.8, `correlation ${pearson(truth, estimate)}`);
  });

  it('refuses a fit with too few answers, saying how many it needs and has', () => {
    const { sequences } = simulate(3, 2, 40);
    assert.throws(
      () => fitLearnerParams(sequences),
      (e: unknown) => e instanceof FitRefused && /at least 100 first-attempt answers; the log holds 80/.test(e.message),
    );
    assert.throws(() => fitLearnerParams([]), FitRefused);
  });

  it('pools thin topics, drops thin items, and bounds a topic everyone gets right', () => {
    const { sequences } = simulate(5, 100, 20);
    const easy: StoredResponse[] = Array.from({ length: 200 }, (_, n) => ({
      at: at(900_000 + n),
      event_id: `easy-${n}`,
      topic: 'always-right',
      item_id: `easy-${n % 4}`,
      correct: true,
    }));
    const thin: StoredResponse[] = Array.from({ length: 5 }, (_, n) => ({
      at: at(950_000 + n),
      event_id: `thin-${n}`,
      topic: 'thin',
      item_id: `thin-${n}`,
      correct: n % 2 === 0,
    }));
    const fitted = fitLearnerParams([...sequences, easy, thin]);
    assert.equal(fitted.topics.has('thin'), false, 'fewer answers than minTopicAnswers: pooled');
    assert.equal(fitted.items.has('thin-1'), false, 'one answer: no offset of its own');
    const d = fitted.topics.get('always-right')!.difficulty;
    assert.ok(Number.isFinite(d) && d >= -DEFAULT_FIT_OPTIONS.bound && d < fitted.pooled.difficulty);
    for (const t of fitted.topics.values()) assert.ok(Math.abs(t.difficulty) <= DEFAULT_FIT_OPTIONS.bound);
    for (const i of fitted.items.values()) assert.ok(Math.abs(i.offset) <= DEFAULT_FIT_OPTIONS.bound);
  });

  it('is deterministic: the same answers give the same parameters', () => {
    const { sequences } = simulate(13, 50, 30);
    assert.deepStrictEqual(fitLearnerParams(sequences), fitLearnerParams(structuredClone(sequences)));
  });
});

/** Every guardrail off: each topic and item keeps what the passes learned, unshrunk. */
const UNGUARDED = { ...DEFAULT_FIT_OPTIONS, minAnswers: 1, minTopicAnswers: 1, minItemAnswers: 1, itemShrinkage: 0, bound: 100 };

const answer = (n: number, topic: string, item: string, correct: boolean): StoredResponse => ({ at: at(n), event_id: `a-${n}`, topic, item_id: item, correct });

describe('fitting, setting by setting (docs/learner-model.md, "How a fit works" and "Guardrails")', () => {
  it('names its refusal, so that a log line says what kind of error it was', () => {
    assert.throws(
      () => fitLearnerParams([]),
      (e: unknown) => e instanceof Error && e.name === 'FitRefused' && String(e).startsWith('FitRefused: a fit needs'),
    );
  });

  it('fits from exactly the minimum number of answers (only fewer are refused)', () => {
    const { sequences } = simulate(17, 5, 20);
    assert.equal(fitLearnerParams(sequences).answers, DEFAULT_FIT_OPTIONS.minAnswers);
    assert.throws(() => fitLearnerParams([sequences.flat().slice(1)]), FitRefused);
  });

  it('runs the given number of passes, each moving the difficulties by K(n) · (p − y) from a fresh student', () => {
    // One right answer: topic and item take the same steps, d and δ alike, so p = σ(−2d); the
    // centring then moves the whole difficulty into the topic (2d) and leaves the item at 0.
    const K = (n: number) => 0.4 / (1 + 0.05 * n);
    for (const passes of [0, 1, 2, 3]) {
      let d = 0;
      for (let n = 0; n < passes; n++) d -= K(n) * (1 - sigmoid(-2 * d));
      const fitted = fitLearnerParams([[answer(0, 't', 'i', true)]], undefined, { ...UNGUARDED, passes });
      assert.ok(Math.abs(fitted.topics.get('t')!.difficulty - 2 * d) < 1e-12, `${passes} passes: ${fitted.topics.get('t')!.difficulty} vs ${2 * d}`);
      assert.ok(Math.abs(fitted.items.get('i')!.offset) < 1e-12);
    }
  });

  it("centres item offsets per topic (their answer-weighted mean is 0) and pools the answer-weighted mean of the topics' difficulties", () => {
    const { topics, sequences } = simulate(19, 60, 20);
    const fitted = fitLearnerParams(sequences, undefined, UNGUARDED);
    for (const t of topics) {
      let weighted = 0;
      for (const [id, item] of fitted.items) if (id.startsWith(`${t.name}-`)) weighted += item.offset * item.answers;
      assert.ok(Math.abs(weighted) < 1e-9, `${t.name}: Σ offset · answers = ${weighted}`);
    }
    let weighted = 0;
    for (const t of fitted.topics.values()) weighted += t.difficulty * t.answers;
    assert.ok(Math.abs(fitted.pooled.difficulty - weighted / fitted.answers) < 1e-12, `${fitted.pooled.difficulty} vs ${weighted / fitted.answers}`);
    assert.equal(fitted.pooled.answers, fitted.answers);
  });

  it('shrinks an offset by n / (n + itemShrinkage) towards its topic', () => {
    const { sequences } = simulate(23, 60, 20);
    const raw = fitLearnerParams(sequences, undefined, UNGUARDED);
    const shrunk = fitLearnerParams(sequences, undefined, { ...UNGUARDED, itemShrinkage: 3 });
    for (const [id, item] of raw.items) {
      const expected = (item.offset * item.answers) / (item.answers + 3);
      assert.ok(Math.abs(shrunk.items.get(id)!.offset - expected) < 1e-12, `${id}: ${shrunk.items.get(id)!.offset} vs ${expected}`);
    }
  });

  it("keeps an item's whole difficulty when its topic falls back to the pool", () => {
    const { sequences } = simulate(29, 60, 20);
    const own = fitLearnerParams(sequences, undefined, UNGUARDED);
    const pooled = fitLearnerParams(sequences, undefined, { ...UNGUARDED, minTopicAnswers: Number.POSITIVE_INFINITY });
    assert.equal(pooled.topics.size, 0);
    assert.ok(Math.abs(pooled.pooled.difficulty - own.pooled.difficulty) < 1e-12);
    for (const [id, item] of own.items) {
      const whole = own.topics.get(id.split('-')[0]!)!.difficulty + item.offset;
      assert.ok(Math.abs(pooled.pooled.difficulty + pooled.items.get(id)!.offset - whole) < 1e-9, `${id}`);
    }
  });

  it('gives a topic of exactly minTopicAnswers answers its own difficulty, and an item of exactly minItemAnswers its own offset', () => {
    const answers = [
      ...Array.from({ length: 30 }, (_, n) => answer(n, 'thirty', `thirty-${n % 15}`, n % 3 !== 0)),
      ...Array.from({ length: 29 }, (_, n) => answer(100 + n, 'twenty-nine', `other-${n}`, n % 2 === 0)),
      ...Array.from({ length: 41 }, (_, n) => answer(200 + n, 'filler', `filler-${n % 4}`, n % 4 !== 0)),
    ];
    const fitted = fitLearnerParams([answers]);
    assert.equal(fitted.topics.has('thirty'), true);
    assert.equal(fitted.topics.has('twenty-nine'), false);
    assert.equal(fitted.items.has('thirty-0'), true, 'two answers: an offset of its own');
    assert.equal(fitted.items.get('thirty-0')!.answers, 2);
    assert.equal(fitted.items.has('other-0'), false);
  });

  it('lists topics and items by name, whatever order they first appear in', () => {
    const names = ['m', 'c', 'x', 'a', 'q', 'b', 'z', 'k'];
    const answers = Array.from({ length: 240 }, (_, n) => answer(n, names[n % 8]!, `${names[(n * 3) % 8]}-${names[n % 8]}`, n % 5 !== 0));
    const fitted = fitLearnerParams([answers], undefined, UNGUARDED);
    assert.deepEqual([...fitted.topics.keys()], [...names].sort());
    const items = [...fitted.items.keys()];
    assert.equal(items.length, 8);
    assert.deepEqual(items, [...items].sort());
  });
});
