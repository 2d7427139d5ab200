/**
 * Property tests' events: valid events of every type over three weeks and three topics, the
 * model's specs draw them from here (src/model/*.unit.spec.ts and the fast path's).
 */
import { addDays } from '../model/days.js';
import type { LearningEvent } from '../model/learning-event.js';
import { DIFFICULTIES, type CompletionInput, type QualityInput, type QuizInput } from '../model/types.js';
import { activityEvent, completionEvent, consistencyEvent, qualityEvent, quizEvent, responseEvent } from './event-builders.js';
import { fc } from './property.js';

// Generators: valid events over three weeks and three topics. Times come from a small set in
// which some instants are written twice (07:00+07:00 is 00:00Z; 23:30−05:00 is 04:30Z the next
// day; 01:00+02:00 is 23:00Z the day before), and each scenario draws many of its timestamps from
// a small pool, so that equal timestamps for the same topic and component, where only the
// event_id decides, are common.
export const TOPICS = ['general', 'python.loops', 'python.lists'];
const TIMES = ['T00:00:00Z', 'T07:00:00+07:00', 'T04:30:00Z', 'T12:00:00Z', 'T12:00:00.500Z', 'T23:00:00Z', 'T23:30:00Z', 'T23:30:00-05:00', 'T01:00:00+02:00'];
export const FIRST_DAY = '2026-01-01';
export const SPAN_DAYS = 20;

export const timestampArb = fc.tuple(fc.integer({ min: 0, max: SPAN_DAYS }), fc.constantFrom(...TIMES)).map(([d, time]) => `${addDays(FIRST_DAY, d)}${time}`);
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
export const eventArb = eventWith(timestampArb);

export const scenarioArb = fc
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

export const asOfDaysArb = fc
  .uniqueArray(fc.integer({ min: -2, max: SPAN_DAYS + 2 }), { minLength: 1, maxLength: 3 })
  .map((ns) => ns.map((n) => addDays(FIRST_DAY, n)));

/** Answers (first attempts, some timed, some second attempts that count nothing) mixed with other events. */
export const answerArb = fc
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
export const mixArb = fc.uniqueArray(fc.oneof(answerArb, answerArb, eventArb), { selector: (e) => e.event_id, minLength: 1, maxLength: 30 });

/** Ascending as-of days, as a history asks for them. */
export const ascendingDaysArb = asOfDaysArb.map((days) => [...days].sort());
