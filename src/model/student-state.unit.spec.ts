import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../testing/property.js';
import { addDays, dayOfInstant } from './days.js';
import type { LearningEvent } from './learning-event.js';
import { dailyComponents, dailyHistory, learningPathAsOf, masteryAsOf, predictionAsOf, topicNames } from './mastery-as-of.js';
import { DEFAULT_MODEL_CONFIG } from './model-config.js';
import { instantKey } from './instant.js';
import { evolve, evolveAll, initialState, isLater, storedResponse, withAnswerTallies, type StudentState, type TopicState } from './student-state.js';
import { STUDENT, activityEvent, completionEvent, consistencyEvent, qualityEvent, quizEvent, responseEvent, stateOf } from '../testing/event-builders.js';
import { DIFFICULTIES, INPUT_COMPONENTS, type CompletionInput, type QualityInput, type QuizInput } from './types.js';

// ---------------------------------------------------------------------------------------------
// Canonical form: Maps and object keys in sorted order, so two states compare equal exactly when
// they hold the same facts, whatever order the fold inserted them in.
// ---------------------------------------------------------------------------------------------
const byKey = <T>(entries: Array<[string, T]>) => entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function canonical(state: StudentState) {
  return {
    v: state.v,
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

/** Freezes a state all the way down; a frozen Map also refuses set, delete and clear. */
function deepFreeze<T>(value: T): T {
  if (value instanceof Map) {
    for (const method of ['set', 'delete', 'clear']) {
      Object.defineProperty(value, method, { value: () => assert.fail(`Map.${method} on a frozen state`) });
    }
    for (const v of value.values()) deepFreeze(v);
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return typeof value === 'object' && value !== null ? Object.freeze(value) : value;
}

// ---------------------------------------------------------------------------------------------
// Generators: valid events over three weeks and three topics. Times come from a small set in
// which some instants are written twice (07:00+07:00 is 00:00Z; 23:30−05:00 is 04:30Z the next
// day; 01:00+02:00 is 23:00Z the day before), and each scenario draws many of its timestamps from
// a small pool, so that equal timestamps for the same topic and component, where only the
// event_id decides, are common.
// ---------------------------------------------------------------------------------------------
const TOPICS = ['general', 'python.loops', 'python.lists'];
const TIMES = ['T00:00:00Z', 'T07:00:00+07:00', 'T04:30:00Z', 'T12:00:00Z', 'T12:00:00.500Z', 'T23:00:00Z', 'T23:30:00Z', 'T23:30:00-05:00', 'T01:00:00+02:00'];
const FIRST_DAY = '2026-01-01';
const SPAN_DAYS = 20;

const timestampArb = fc.tuple(fc.integer({ min: 0, max: SPAN_DAYS }), fc.constantFrom(...TIMES)).map(([d, time]) => `${addDays(FIRST_DAY, d)}${time}`);
const ratioArb = fc.integer({ min: 0, max: 100 }).map((n) => n / 100);

const completionArb: fc.Arbitrary<CompletionInput> = fc.integer({ min: 1, max: 30 }).chain((total) =>
  fc.tuple(fc.integer({ min: 0, max: total }), fc.option(fc.constantFrom(...DIFFICULTIES), { nil: undefined })).map(
    ([completed, difficulty]): CompletionInput => ({
      total_exercises: total,
      completed_exercises: completed,
      ...(difficulty === undefined ? {} : { difficulty }),
    }),
  ),
);

const quizArb: fc.Arbitrary<QuizInput> = fc.integer({ min: 1, max: 30 }).chain((total) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: total }),
      fc.option(
        fc.integer({ min: 0, max: 40 }).map((n) => n / 2),
        { nil: undefined },
      ),
      fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    )
    .map(
      ([correct, avg, attempts]): QuizInput => ({
        total_questions: total,
        correct_answers: correct,
        ...(avg === undefined ? {} : { avg_time_seconds: avg }),
        ...(attempts === undefined ? {} : { attempts }),
      }),
    ),
);

const qualityArb: fc.Arbitrary<QualityInput> = fc
  .tuple(ratioArb, ratioArb, ratioArb)
  .map(([avg_code_quality, correctness, efficiency]) => ({ avg_code_quality, correctness, efficiency }));

const eventWith = (timestamps: fc.Arbitrary<string>): fc.Arbitrary<LearningEvent> =>
  fc
    .record({ event_id: fc.uuid().map((id) => id.toLowerCase()), timestamp: timestamps, topic: fc.constantFrom(...TOPICS) })
    .chain(({ timestamp, ...options }) =>
      fc.oneof(
        completionArb.map((data) => completionEvent(timestamp, data, options)),
        quizArb.map((data) => quizEvent(timestamp, data, options)),
        qualityArb.map((data) => qualityEvent(timestamp, data, options)),
        fc.constant(consistencyEvent(timestamp, options)),
        fc.constant(activityEvent(timestamp, options)),
      ),
    );

/** Distinct events (unique ids), and the same events again in another order with redeliveries. */
const eventArb = eventWith(timestampArb);

const scenarioArb = fc
  .uniqueArray(timestampArb, { minLength: 1, maxLength: 6 })
  .chain((pool) => {
    const timestamps = fc.oneof(fc.constantFrom(...pool), timestampArb);
    return fc.uniqueArray(eventWith(timestamps), { selector: (e) => e.event_id, minLength: 1, maxLength: 25 });
  })
  .chain((events) =>
    fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 10 }).chain((redelivered) => {
      const delivered = [...events, ...redelivered.map((i) => structuredClone(events[i]!))];
      return fc.tuple(fc.constant(events), fc.shuffledSubarray(delivered, { minLength: delivered.length }));
    }),
  );

const asOfDaysArb = fc
  .uniqueArray(fc.integer({ min: -2, max: SPAN_DAYS + 2 }), { minLength: 1, maxLength: 3 })
  .map((ns) => ns.map((n) => addDays(FIRST_DAY, n)));

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
    assert.deepStrictEqual(canonical(initialState(STUDENT)), { v: 1, student_id: STUDENT, days: [], topics: [] });
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

describe('one pass equals one step at a time', () => {
  it('evolveAll over a list equals evolve applied event by event, and mutates neither', () => {
    fc.assert(
      fc.property(scenarioArb, scenarioArb, ([first], [, second]) => {
        const base = stateOf(first);
        const before = canonical(base);
        deepFreeze(base);
        const stepwise = second.reduce((s, e) => evolve(s, e), base);
        assert.deepStrictEqual(canonical(evolveAll(base, second)), canonical(stepwise));
        assert.deepStrictEqual(canonical(base), before);
      }),
      RUNS,
    );
  });

  it('a history computed in one pass equals each day computed on its own, and its components equal dailyComponents', () => {
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
  /** Answers (first attempts, some timed, some second attempts that count nothing) mixed with other events. */
  const answerArb = fc
    .record({
      event_id: fc.uuid().map((id) => id.toLowerCase()),
      timestamp: timestampArb,
      topic: fc.constantFrom(...TOPICS),
      item: fc.integer({ min: 1, max: 4 }),
      correct: fc.boolean(),
      seconds: fc.option(fc.integer({ min: 1, max: 90 }), { nil: undefined }),
      attempt: fc.constantFrom(1, 1, 1, 2),
    })
    .map(({ event_id, timestamp, topic, item, correct, seconds, attempt }) =>
      responseEvent(timestamp, { item_id: `i${item}`, correct, attempt, ...(seconds === undefined ? {} : { seconds }) }, { event_id, topic }),
    );
  const mixArb = fc.uniqueArray(fc.oneof(answerArb, answerArb, eventArb), { selector: (e) => e.event_id, minLength: 1, maxLength: 30 });

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
