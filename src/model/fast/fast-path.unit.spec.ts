/**
 * The fast path against the plain model it stands for: the batch fold against evolve applied
 * event by event, the cursors of a history against each day computed on its own. Every value
 * must be the same to the last bit (deepStrictEqual compares numbers with Object.is), for any
 * events, answers among them, in any order, with redeliveries.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepFreeze } from '../../testing/deep-freeze.js';
import { ascendingDaysArb, FIRST_DAY, mixArb, SPAN_DAYS } from '../../testing/event-arbitraries.js';
import { STUDENT } from '../../testing/event-builders.js';
import { fc } from '../../testing/property.js';
import { consistencyAsOf } from '../consistency.js';
import { addDays, dayNumber } from '../days.js';
import { DEFAULT_MODEL_CONFIG } from '../model-config.js';
import { scopeAsOf, type KnownTopics } from '../scopes.js';
import { evolve, initialState, type StudentState } from '../student-state.js';
import { evolveAll } from './evolve-all.js';
import { componentsOver, scopesOver } from './scope-cursors.js';
import { streakCursor } from './streak-cursor.js';

const RUNS = { numRuns: 200 };
const config = DEFAULT_MODEL_CONFIG;

/** A mix of events, and the same events again in another order with some sent twice. */
const deliveryArb = mixArb.chain((events) =>
  fc.tuple(fc.constant(events), fc.shuffledSubarray([...events, ...events.slice(0, 5).map((e) => structuredClone(e))], { minLength: events.length })),
);

/** Each topic's p_known, for some topics: what the learner model hands the roll-up. */
const knownArb = fc.option(
  fc
    .dictionary(fc.constantFrom('general', 'python.loops', 'python.lists'), fc.constantFrom(0.1, 0.5, 0.5, 0.9))
    .map((d) => new Map(Object.entries(d)) as KnownTopics),
  { nil: undefined },
);

const scopes = (state: StudentState) => [undefined, ...state.topics.keys()];

describe('fast/evolve-all: a batch folded at once is the plain fold, event by event', () => {
  it('from any state, for any batch with answers, duplicates and redeliveries; the state given stays as it was', () => {
    fc.assert(
      fc.property(mixArb, deliveryArb, (first, [, batch]) => {
        const base = first.reduce(evolve, initialState(STUDENT));
        const before = structuredClone(base);
        deepFreeze(base);
        assert.deepStrictEqual(evolveAll(base, batch), batch.reduce(evolve, base));
        assert.deepStrictEqual(base, before);
        assert.deepStrictEqual(evolveAll(base, []), base, 'an empty batch changes nothing');
      }),
      RUNS,
    );
  });
});

describe('fast/scope-cursors: a history in one pass is each day on its own', () => {
  it('scopesOver equals scopeAsOf on every day, overall (with and without p_known) and per topic', () => {
    fc.assert(
      fc.property(deliveryArb, ascendingDaysArb, knownArb, ([, delivered], days, known) => {
        const state = evolveAll(initialState(STUDENT), delivered);
        for (const topic of scopes(state)) {
          assert.deepStrictEqual(
            scopesOver(state, days, config, topic, known),
            days.map((day) => scopeAsOf(state, day, config, topic, known)),
          );
        }
        assert.equal(scopesOver(state, days, config, 'never seen'), undefined);
        assert.equal(scopeAsOf(state, days[0]!, config, 'never seen'), undefined);
      }),
      RUNS,
    );
  });

  it("componentsOver equals scopeAsOf's components on every day", () => {
    fc.assert(
      fc.property(deliveryArb, ascendingDaysArb, ([, delivered], days) => {
        const state = evolveAll(initialState(STUDENT), delivered);
        assert.deepStrictEqual(
          componentsOver(state, days, config),
          days.map((day) => scopeAsOf(state, day, config)!.components),
        );
      }),
      RUNS,
    );
  });
});

describe('fast/streak-cursor: consistency along a history is the formula on each day', () => {
  const dayListArb = fc
    .uniqueArray(fc.integer({ min: 0, max: SPAN_DAYS }), { maxLength: 15 })
    .map((ns) => ns.sort((a, b) => a - b).map((n) => addDays(FIRST_DAY, n)));

  it('at(day) equals consistencyAsOf, and started() says whether an active day came yet', () => {
    fc.assert(
      fc.property(dayListArb, ascendingDaysArb, (active, asOfDays) => {
        const cursor = streakCursor(active);
        for (const day of asOfDays) {
          assert.equal(cursor.at(dayNumber(day)), consistencyAsOf(active, day), day);
          assert.equal(
            cursor.started(),
            active.some((d) => d <= day),
            day,
          );
        }
      }),
      RUNS,
    );
  });

  it('started() is false with no active day at all, and turns true at the first one', () => {
    const none = streakCursor([]);
    none.at(dayNumber('2026-01-14'));
    assert.equal(none.started(), false);
    const cursor = streakCursor(['2026-01-10', '2026-01-11']);
    assert.equal(cursor.at(dayNumber('2026-01-09')), 0);
    assert.equal(cursor.started(), false, 'the active days are all after the as-of day');
    cursor.at(dayNumber('2026-01-10'));
    assert.equal(cursor.started(), true);
    cursor.at(dayNumber('2026-01-20'));
    assert.equal(cursor.started(), true);
  });
});
