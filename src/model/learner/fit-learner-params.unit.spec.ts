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
    assert.throws(() => fitLearnerParams(sequences), (e: unknown) => e instanceof FitRefused && /at least 100 first-attempt answers; the log holds 80/.test(e.message));
    assert.throws(() => fitLearnerParams([]), FitRefused);
  });

  it('pools thin topics, drops thin items, and bounds a topic everyone gets right', () => {
    const { sequences } = simulate(5, 100, 20);
    const easy: StoredResponse[] = Array.from({ length: 200 }, (_, n) => ({ at: at(900_000 + n), event_id: `easy-${n}`, topic: 'always-right', item_id: `easy-${n % 4}`, correct: true }));
    const thin: StoredResponse[] = Array.from({ length: 5 }, (_, n) => ({ at: at(950_000 + n), event_id: `thin-${n}`, topic: 'thin', item_id: `thin-${n}`, correct: n % 2 === 0 }));
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
