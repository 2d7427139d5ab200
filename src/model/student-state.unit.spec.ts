import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepFreeze } from '../testing/deep-freeze.js';
import { asOfDaysArb, eventArb, mixArb, scenarioArb, TOPICS } from '../testing/event-arbitraries.js';
import { fc } from '../testing/property.js';
import { dayOfInstant } from './days.js';
import type { LearningEvent } from './learning-event.js';
import { dailyComponents, dailyHistory, learningPathAsOf, masteryAsOf, predictionAsOf, topicNames } from './mastery-as-of.js';
import { DEFAULT_MODEL_CONFIG } from './model-config.js';
import { instantKey } from './instant.js';
import { evolveAll } from './fast/evolve-all.js';
import { evolve, initialState, isLater, storedResponse, withAnswerTallies, type StudentState, type TopicState } from './student-state.js';
import { STUDENT, activityEvent, completionEvent, consistencyEvent, quizEvent, responseEvent, stateOf } from '../testing/event-builders.js';
import { INPUT_COMPONENTS } from './types.js';

// ---------------------------------------------------------------------------------------------
// Canonical form: Maps and object keys in sorted order, so two states compare equal exactly when
// they hold the same facts, whatever order the fold inserted them in.
// ---------------------------------------------------------------------------------------------
const byKey = <T>(entries: Array<[string, T]>) => entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function canonical(state: StudentState) {
  return {
    student_id: state.student_id,
    days: [...state.days],
    topics: byKey([...state.topics.entries()]).map(([name, topic]) => ({
      name,
      days: [...topic.days],
      inputs: INPUT_COMPONENTS.map((k) => {
        const daily = topic.inputs[k];
        return [k, daily === undefined ? null : byKey(Object.entries(daily))] as const;
      }),
    })),
  };
}

/** Everything a client can ask of a state, overall and per topic, as of each day. */
function observations(state: StudentState, asOfDays: readonly string[]) {
  const config = DEFAULT_MODEL_CONFIG;
  const scopes = [undefined, ...topicNames(state)];
  return asOfDays.flatMap((day) =>
    scopes.map((topic) => ({
      day,
      scope: topic ?? '(overall)',
      mastery: masteryAsOf(state, day, config, topic),
      prediction: predictionAsOf(state, day, config, topic),
      path: learningPathAsOf(state, day, config, topic),
      history: dailyHistory(state, config, { to: day }, topic),
    })),
  );
}

const RUNS = { numRuns: 200 };

// ---------------------------------------------------------------------------------------------

describe('student state: examples', () => {
  it('initial state knows nothing', () => {
    assert.deepStrictEqual(canonical(initialState(STUDENT)), { student_id: STUDENT, days: [], topics: [] });
  });

  it('every event marks its UTC day active, in the student and in its topic; days stay sorted and unique', () => {
    const state = stateOf([
      activityEvent('2026-01-14T23:30:00-05:00', { topic: 'a' }), // 2026-01-15 in UTC
      consistencyEvent('2026-01-03T08:00:00Z', { topic: 'b' }),
      quizEvent('2026-01-10T08:00:00Z', { total_questions: 4, correct_answers: 3 }, { topic: 'a' }),
      activityEvent('2026-01-10T09:00:00Z', { topic: 'a' }),
    ]);
    assert.deepEqual(state.days, ['2026-01-03', '2026-01-10', '2026-01-15']);
    assert.deepEqual(state.topics.get('a')?.days, ['2026-01-10', '2026-01-15']);
    assert.deepEqual(state.topics.get('b')?.days, ['2026-01-03']);
  });

  it('activity and consistency events record no input', () => {
    const state = stateOf([activityEvent('2026-01-14T10:00:00Z'), consistencyEvent('2026-01-14T11:00:00Z')]);
    assert.deepEqual(state.topics.get('general')?.inputs, {});
  });

  it("keeps each day's last report, not only the overall last (so past days can be recomputed)", () => {
    const state = stateOf([
      completionEvent('2026-01-01T10:00:00Z', { total_exercises: 10, completed_exercises: 1 }),
      completionEvent('2026-01-01T11:00:00Z', { total_exercises: 10, completed_exercises: 2 }),
      completionEvent('2026-01-02T10:00:00Z', { total_exercises: 10, completed_exercises: 3 }),
    ]);
    const daily = state.topics.get('general')?.inputs.completion ?? {};
    assert.deepEqual(
      Object.entries(daily)
        .map(([day, r]) => [day, r.input.completed_exercises])
        .sort(),
      [
        ['2026-01-01', 2],
        ['2026-01-02', 3],
      ],
    );
  });

  it('isLater: greater instant first, then greater event_id as a string', () => {
    const t1 = instantKey('2026-01-14T10:30:00Z');
    const t2 = instantKey('2026-01-14T10:30:01Z');
    assert.equal(isLater({ at: t2, event_id: 'a', input: 0 }, { at: t1, event_id: 'b', input: 0 }), true);
    assert.equal(isLater({ at: t1, event_id: 'b', input: 0 }, { at: t1, event_id: 'a', input: 0 }), true);
    assert.equal(isLater({ at: t1, event_id: 'a', input: 0 }, { at: t1, event_id: 'a', input: 0 }), false);
    assert.equal(isLater({ at: t1, event_id: 'a', input: 0 }, { at: t1, event_id: '9', input: 0 }), true);
  });

  it('the greater timestamp wins even when the two differ below a millisecond', () => {
    // RFC 3339 allows any number of fractional digits (Python's isoformat() writes microseconds).
    // §6: the event with the greatest timestamp wins; event_id only breaks real ties.
    const later = completionEvent(
      '2026-01-14T10:30:00.000900Z',
      { total_exercises: 10, completed_exercises: 9 },
      {
        event_id: '00000000-0000-4000-8000-000000000001',
      },
    );
    const earlier = completionEvent(
      '2026-01-14T10:30:00.000100Z',
      { total_exercises: 10, completed_exercises: 1 },
      {
        event_id: 'ffffffff-0000-4000-8000-000000000001',
      },
    );
    for (const events of [
      [earlier, later],
      [later, earlier],
    ]) {
      assert.equal(masteryAsOf(stateOf(events), '2026-01-14', DEFAULT_MODEL_CONFIG)?.components.completion, 0.9);
    }
  });
});

describe('student state: the fold laws (§6), as properties', () => {
  it('holds the last report per (topic, component, day) and the UTC days of all events', () => {
    fc.assert(
      fc.property(scenarioArb, ([events]) => {
        const state = evolveAll(initialState(STUDENT), events);
        const dayOf = (e: LearningEvent) => dayOfInstant(Date.parse(e.timestamp));
        assert.deepEqual(state.days, [...new Set(events.map(dayOf))].sort());
        for (const topic of TOPICS) {
          const ofTopic = events.filter((e) => e.topic === topic);
          assert.deepEqual(state.topics.get(topic)?.days ?? [], [...new Set(ofTopic.map(dayOf))].sort());
          for (const k of INPUT_COMPONENTS) {
            // reference: per day, the report with the greatest (instant, event_id)
            const expected = new Map<string, LearningEvent>();
            for (const e of ofTopic) {
              if (e.event_type !== 'mastery.calculation.requested' || e.component !== k) continue;
              const best = expected.get(dayOf(e));
              const at = Date.parse(e.timestamp);
              const bestAt = best === undefined ? -Infinity : Date.parse(best.timestamp);
              if (best === undefined || at > bestAt || (at === bestAt && e.event_id > best.event_id)) {
                expected.set(dayOf(e), e);
              }
            }
            const actual = state.topics.get(topic)?.inputs[k] ?? {};
            assert.deepEqual(byKey(Object.entries(actual).map(([day, r]) => [day, r.event_id])), byKey([...expected].map(([day, e]) => [day, e.event_id])));
          }
        }
      }),
      RUNS,
    );
  });

  it('any order with any redeliveries gives the same state', () => {
    fc.assert(
      fc.property(scenarioArb, ([events, delivered]) => {
        assert.deepStrictEqual(canonical(evolveAll(initialState(STUDENT), delivered)), canonical(stateOf(events)));
        assert.deepStrictEqual(canonical(delivered.reduce(evolve, initialState(STUDENT))), canonical(stateOf(events)), 'the plain fold too');
      }),
      RUNS,
    );
  });

  it('any order with any redeliveries gives the same mastery, prediction, path and history, overall and per topic', () => {
    fc.assert(
      fc.property(scenarioArb, asOfDaysArb, ([events, delivered], asOfDays) => {
        const inOrder = stateOf(events);
        const shuffled = evolveAll(initialState(STUDENT), delivered);
        assert.deepStrictEqual(topicNames(shuffled), topicNames(inOrder));
        assert.deepStrictEqual(observations(shuffled, asOfDays), observations(inOrder, asOfDays));
      }),
      RUNS,
    );
  });

  it('is idempotent: evolve(evolve(s, e), e) equals evolve(s, e)', () => {
    fc.assert(
      fc.property(scenarioArb, eventArb, fc.boolean(), ([events], fresh, reuse) => {
        const s = stateOf(events);
        const e = reuse ? structuredClone(events[0]!) : fresh;
        const once = evolve(s, e);
        assert.deepStrictEqual(canonical(evolve(once, e)), canonical(once));
      }),
      RUNS,
    );
  });

  it('never mutates the state it is given', () => {
    fc.assert(
      fc.property(scenarioArb, eventArb, ([events], e) => {
        const s = stateOf(events);
        const before = canonical(s);
        deepFreeze(s);
        evolve(s, e);
        assert.deepStrictEqual(canonical(s), before);
      }),
      RUNS,
    );
  });
});

describe('a history in one pass equals each day on its own', () => {
  it('dailyHistory (the fast path) equals masteryAsOf (the plain one) day by day, and its components equal dailyComponents', () => {
    fc.assert(
      fc.property(scenarioArb, asOfDaysArb, ([events], asOfDays) => {
        const state = stateOf(events);
        const config = DEFAULT_MODEL_CONFIG;
        for (const to of asOfDays) {
          for (const topic of [undefined, ...topicNames(state)]) {
            const history = dailyHistory(state, config, { to }, topic);
            assert.deepStrictEqual(
              history,
              history.map((d) => ({ date: d.date, result: masteryAsOf(state, d.date, config, topic)! })),
            );
          }
          // From the first active day, and from one in the middle (a write's touched days).
          for (const from of [state.days[0]!, state.days[Math.floor(state.days.length / 2)]!]) {
            assert.deepStrictEqual(
              dailyComponents(state, config, { from, to }),
              dailyHistory(state, config, { from, to }).map((d) => ({ date: d.date, components: d.result.components })),
            );
          }
        }
      }),
      RUNS,
    );
  });
});

describe("answers in the fold: the responses and each day's tally", () => {
  /** What the answers make of a state: the responses, and each topic's tallies in key order. */
  const answersOf = (state: StudentState) => ({
    responses: state.responses,
    tallies: byKey([...state.topics.entries()]).map(([name, t]) => [name, t.answers === undefined ? null : byKey(Object.entries(t.answers))]),
  });

  it('any split into batches, in any order, with redeliveries, gives the same answers and tallies', () => {
    fc.assert(
      fc.property(mixArb, fc.array(fc.nat(), { maxLength: 4 }), fc.integer(), (events, cuts, seed) => {
        const once = evolveAll(initialState(STUDENT), events);
        // Another order (a rotation and a reversal), every event sent twice, cut into batches.
        const k = Math.abs(seed) % events.length;
        const shuffled = [...events.slice(k), ...events.slice(0, k)].reverse();
        const sent = [...shuffled, ...events];
        const points = [...new Set(cuts.map((c) => c % sent.length))].sort((a, b) => a - b);
        let state = initialState(STUDENT);
        let from = 0;
        for (const to of [...points, sent.length]) {
          state = evolveAll(state, sent.slice(from, to));
          from = to;
        }
        assert.deepStrictEqual(answersOf(state), answersOf(once));
      }),
      RUNS,
    );
  });

  it("a day's tally counts its first attempts, and its last is the latest of them by (instant, event_id)", () => {
    const day = '2026-01-10';
    const early = responseEvent(
      `${day}T09:00:00Z`,
      { item_id: 'a', correct: true, seconds: 30 },
      { event_id: '00000000-0000-4000-8000-00000000000b', topic: 't' },
    );
    const late = responseEvent(`${day}T15:00:00Z`, { item_id: 'b', correct: false }, { event_id: '00000000-0000-4000-8000-00000000000a', topic: 't' });
    const sameInstant = responseEvent(
      `${day}T15:00:00Z`,
      { item_id: 'c', correct: true, seconds: 10 },
      { event_id: '00000000-0000-4000-8000-00000000000c', topic: 't' },
    );
    const retry = responseEvent(`${day}T16:00:00Z`, { item_id: 'a', correct: true, attempt: 2 }, { topic: 't' });
    for (const order of [
      [early, late, sameInstant, retry],
      [sameInstant, retry, late, early],
      [late, sameInstant, early, retry],
    ]) {
      const tally = evolveAll(initialState(STUDENT), order).topics.get('t')!.answers![day]!;
      assert.deepStrictEqual(tally, {
        total: 3,
        correct: 2,
        timed: 2,
        seconds: 40,
        last: { at: instantKey(sameInstant.timestamp), event_id: sameInstant.event_id },
      });
    }
  });

  it('answers folded in an earlier batch keep their tallies when the topic gets other events later', () => {
    const answer = responseEvent('2026-01-10T09:00:00Z', { item_id: 'a', correct: true }, { topic: 't' });
    const quiz = quizEvent('2026-01-11T09:00:00Z', { total_questions: 4, correct_answers: 3 }, { topic: 't' });
    const stepwise = evolveAll(evolveAll(initialState(STUDENT), [answer]), [quiz]);
    assert.deepStrictEqual(stepwise.topics.get('t')!.answers, evolveAll(initialState(STUDENT), [answer, quiz]).topics.get('t')!.answers);
    assert.equal(stepwise.topics.get('t')!.answers!['2026-01-10']!.total, 1);
  });

  it('withAnswerTallies derives the same tallies from the responses alone (stores that keep only those)', () => {
    fc.assert(
      fc.property(mixArb, (events) => {
        const folded = evolveAll(initialState(STUDENT), events);
        const stripped: StudentState = {
          ...folded,
          topics: new Map([...folded.topics].map(([name, { answers: _answers, ...t }]): [string, TopicState] => [name, t])),
        };
        assert.deepStrictEqual(answersOf(withAnswerTallies(stripped)), answersOf(folded));
        assert.deepStrictEqual(canonical(withAnswerTallies(stripped)), canonical(folded), 'and leaves the rest as it was');
      }),
      RUNS,
    );
    const none = stateOf([activityEvent('2026-01-10T09:00:00Z')]);
    assert.deepStrictEqual(withAnswerTallies(none), none, 'a state without answers is as it was');
  });

  it('an answer without seconds is stored without a seconds field', () => {
    const stored = storedResponse(responseEvent('2026-01-10T09:00:00Z', { item_id: 'a', correct: true }));
    assert.equal(Object.hasOwn(stored, 'seconds'), false);
    assert.equal(storedResponse(responseEvent('2026-01-10T09:00:00Z', { item_id: 'a', correct: true, seconds: 5 })).seconds, 5);
  });
});
