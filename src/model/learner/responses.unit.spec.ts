import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../../testing/property.js';
import { addDays } from '../days.js';
import type { LearningEvent } from '../learning-event.js';
import { masteryAsOf } from '../mastery-as-of.js';
import { DEFAULT_MODEL_CONFIG } from '../model-config.js';
import { evolveAll } from '../fast/evolve-all.js';
import { initialState, type StudentState } from '../student-state.js';
import { STUDENT, activityEvent, quizEvent, responseEvent, stateOf } from '../../testing/event-builders.js';
import { DEFAULT_LEARNER_PARAMS } from './learner-params.js';
import { knowledgeOfTopics, learnerResultAsOf } from './learner-view.js';

const quizOf = (state: StudentState, day: string, topic?: string) => masteryAsOf(state, day, DEFAULT_MODEL_CONFIG, topic)!.components.quiz;
const item = (n: number) => `q${n}`;

describe('response.recorded: the day quiz input its answers form (learner-model §1)', () => {
  it('a day of first attempts is a quiz report of their count and correct ones', () => {
    const state = stateOf([
      responseEvent('2026-03-02T10:00:00Z', { item_id: item(1), correct: true }, { topic: 'loops' }),
      responseEvent('2026-03-02T10:01:00Z', { item_id: item(2), correct: false }, { topic: 'loops' }),
      responseEvent('2026-03-02T10:02:00Z', { item_id: item(3), correct: true }, { topic: 'loops' }),
    ]);
    // 2 of 3, no times, no attempts: 0.667
    assert.equal(quizOf(state, '2026-03-02', 'loops'), 0.667);
  });

  it('takes the mean time when every answer has one (8 s: partly guessed, × 0.8), none when one lacks it', () => {
    const timed = stateOf([
      responseEvent('2026-03-02T10:00:00Z', { item_id: item(1), correct: true, seconds: 6 }),
      responseEvent('2026-03-02T10:01:00Z', { item_id: item(2), correct: true, seconds: 10 }),
    ]);
    assert.equal(quizOf(timed, '2026-03-02'), 0.8);
    const partly = stateOf([
      responseEvent('2026-03-02T10:00:00Z', { item_id: item(1), correct: true, seconds: 6 }),
      responseEvent('2026-03-02T10:01:00Z', { item_id: item(2), correct: true }),
    ]);
    assert.equal(quizOf(partly, '2026-03-02'), 1);
  });

  it('later attempts count as activity, not as answers', () => {
    const state = stateOf([
      responseEvent('2026-03-02T10:00:00Z', { item_id: item(1), correct: false }),
      responseEvent('2026-03-02T10:00:30Z', { item_id: item(1), correct: true, attempt: 2 }),
      responseEvent('2026-03-03T10:00:30Z', { item_id: item(2), correct: true, attempt: 3 }),
    ]);
    assert.equal(state.responses.length, 1);
    assert.deepEqual(state.days, ['2026-03-02', '2026-03-03']);
    assert.equal(quizOf(state, '2026-03-03'), 0);
  });

  it('a quiz event later the same day wins over the answers; an earlier one loses', () => {
    const answers = [
      responseEvent('2026-03-02T10:00:00Z', { item_id: item(1), correct: true }),
      responseEvent('2026-03-02T11:00:00Z', { item_id: item(2), correct: true }),
    ];
    const later = stateOf([...answers, quizEvent('2026-03-02T12:00:00Z', { total_questions: 4, correct_answers: 1 })]);
    assert.equal(quizOf(later, '2026-03-02'), 0.25);
    const earlier = stateOf([quizEvent('2026-03-02T10:30:00Z', { total_questions: 4, correct_answers: 1 }), ...answers]);
    assert.equal(quizOf(earlier, '2026-03-02'), 1);
  });

  it("a day's answers stand on later days until a newer report, like any quiz input", () => {
    const state = stateOf([
      responseEvent('2026-03-02T10:00:00Z', { item_id: item(1), correct: false }),
      responseEvent('2026-03-04T10:00:00Z', { item_id: item(2), correct: true }),
    ]);
    assert.equal(quizOf(state, '2026-03-03'), 0);
    assert.equal(quizOf(state, '2026-03-05'), 1);
  });

  it('without answers nothing changes: a quiz report alone gives the seed quiz value', () => {
    const state = stateOf([quizEvent('2026-01-14T10:30:00Z', { total_questions: 20, correct_answers: 18, avg_time_seconds: 8, attempts: 2 })]);
    assert.equal(quizOf(state, '2026-01-14'), 0.612);
  });
});

// Answers and quiz reports on three topics over a week, with equal instants common.
const TOPICS = ['general', 'loops', 'lists'];
const timestampArb = fc
  .tuple(fc.integer({ min: 0, max: 6 }), fc.constantFrom('T08:00:00Z', 'T08:00:00Z', 'T12:30:00.250Z', 'T23:59:59Z', 'T01:00:00+02:00'))
  .map(([d, t]) => `${addDays('2026-03-01', d)}${t}`);
const eventArb: fc.Arbitrary<LearningEvent> = fc
  .record({ event_id: fc.uuid().map((id) => id.toLowerCase()), timestamp: timestampArb, topic: fc.constantFrom(...TOPICS) })
  .chain(({ timestamp, ...options }) =>
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc
          .record({
            item: fc.integer({ min: 1, max: 6 }),
            correct: fc.boolean(),
            attempt: fc.constantFrom(1, 1, 1, 2),
            seconds: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
          })
          .map((r) =>
            responseEvent(
              timestamp,
              { item_id: item(r.item), correct: r.correct, attempt: r.attempt, ...(r.seconds === undefined ? {} : { seconds: r.seconds }) },
              options,
            ),
          ),
      },
      {
        weight: 1,
        arbitrary: fc.integer({ min: 1, max: 5 }).map((total) => quizEvent(timestamp, { total_questions: total, correct_answers: total - 1 }, options)),
      },
      { weight: 1, arbitrary: fc.constant(activityEvent(timestamp, options)) },
    ),
  );
const scenarioArb = fc.uniqueArray(eventArb, { selector: (e) => e.event_id, minLength: 1, maxLength: 40 }).chain((events) =>
  fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 10 }).chain((again) => {
    const delivered = [...events, ...again.map((i) => structuredClone(events[i]!))];
    return fc.tuple(fc.constant(events), fc.shuffledSubarray(delivered, { minLength: delivered.length }));
  }),
);

/** What a client can ask of the learner model and the seed, each day of the week. */
function observations(state: StudentState) {
  const learner = { params: DEFAULT_LEARNER_PARAMS };
  return [0, 2, 4, 6, 8]
    .map((d) => addDays('2026-03-01', d))
    .map((day) => ({
      responses: state.responses,
      knowledge: knowledgeOfTopics(state, day, learner),
      result: learnerResultAsOf(state, day, DEFAULT_MODEL_CONFIG, learner),
      perTopic: TOPICS.map((t) => learnerResultAsOf(state, day, DEFAULT_MODEL_CONFIG, learner, t)),
    }));
}

describe('response.recorded: the fold laws hold with answers', () => {
  it('any order, with redeliveries, gives the same answers, quiz inputs, knowledge and forecast', () => {
    fc.assert(
      fc.property(scenarioArb, ([events, delivered]) => {
        assert.deepStrictEqual(observations(evolveAll(initialState(STUDENT), delivered)), observations(stateOf(events)));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps each first-attempt answer once, in (instant, event_id) order', () => {
    fc.assert(
      fc.property(scenarioArb, ([events, delivered]) => {
        const state = evolveAll(initialState(STUDENT), delivered);
        const firsts = events.filter((e) => e.event_type === 'response.recorded' && (e.data.attempt ?? 1) === 1);
        assert.equal(state.responses.length, firsts.length);
        for (let i = 1; i < state.responses.length; i++) {
          const [a, b] = [state.responses[i - 1]!, state.responses[i]!];
          assert.ok(a.at < b.at || (a.at === b.at && a.event_id < b.event_id), 'ordered by (at, event_id)');
        }
      }),
      { numRuns: 150 },
    );
  });
});
