import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays } from '../days.js';
import { masteryAsOf } from '../mastery-as-of.js';
import { DEFAULT_MODEL_CONFIG } from '../model-config.js';
import { activeOn, completionEvent, qualityEvent, quizEvent, responseEvent, stateOf } from '../../testing/event-builders.js';
import type { TopicKnowledge } from './knowledge-as-of.js';
import { DEFAULT_LEARNER_PARAMS, type LearnerParams } from './learner-params.js';
import { endOfDayMs, knowledgeOfTopics, leastKnown, learnerPathAsOf, learnerResultAsOf, NEEDS_HELP_RECOMMENDATION } from './learner-view.js';

const config = DEFAULT_MODEL_CONFIG;
// B is hard for everyone (difficulty 3): answered right, it is still less known than A answered wrong twice.
const params: LearnerParams = { ...DEFAULT_LEARNER_PARAMS, topics: new Map([['B', { difficulty: 3, answers: 100 }]]) };
const learner = { params };
const state = stateOf([
  responseEvent('2026-03-01T10:00:00Z', { item_id: 'a1', correct: false }, { topic: 'A' }),
  responseEvent('2026-03-01T10:01:00Z', { item_id: 'a2', correct: false }, { topic: 'A' }),
  responseEvent('2026-03-01T10:02:00Z', { item_id: 'b1', correct: true }, { topic: 'B' }),
  responseEvent('2026-03-03T10:00:00Z', { item_id: 'c1', correct: true }, { topic: 'C' }),
]);
const day = '2026-03-02';
const known = (k: Partial<TopicKnowledge> & { topic: string; p_known: number }): TopicKnowledge => ({
  p_correct: 0.5,
  responses: 0,
  last_response_at: null,
  ...k,
});

describe('the learner view', () => {
  it('"as of a day" is everything before the next midnight UTC', () => {
    assert.equal(endOfDayMs('2026-03-02'), Date.parse('2026-03-03T00:00:00Z'));
  });

  it('the least known topic: the lowest p_known, ties by name; none without topics', () => {
    assert.equal(leastKnown([known({ topic: 'b', p_known: 0.4 }), known({ topic: 'a', p_known: 0.6 }), known({ topic: 'c', p_known: 0.2 })])!.topic, 'c');
    assert.equal(leastKnown([known({ topic: 'b', p_known: 0.3 }), known({ topic: 'a', p_known: 0.3 }), known({ topic: 'c', p_known: 0.3 })])!.topic, 'a');
    assert.equal(leastKnown([known({ topic: 'a', p_known: 0.3 }), known({ topic: 'b', p_known: 0.3 })])!.topic, 'a');
    assert.equal(leastKnown([]), null);
    // A name earlier in the alphabet decides only between equal p_known.
    assert.equal(leastKnown([known({ topic: 'b', p_known: 0.2 }), known({ topic: 'a', p_known: 0.5 })])!.topic, 'b');
  });

  it('knows the topics the student had begun by the end of the day, each from the answers before it', () => {
    assert.deepEqual(
      knowledgeOfTopics(state, day, learner).map((k) => [k.topic, k.responses]),
      [
        ['A', 2],
        ['B', 1],
      ],
    );
    assert.deepEqual(
      knowledgeOfTopics(state, '2026-03-03', learner).map((k) => [k.topic, k.responses]),
      [
        ['A', 2],
        ['B', 1],
        ['C', 1],
      ],
    );
    const [a, b] = knowledgeOfTopics(state, day, learner);
    assert.ok(b!.p_known < a!.p_known, 'the hard topic is the less known');
  });

  it('names the least known topic in the recommendations, and adds the forecast\'s "needs help" after the seed\'s', () => {
    const result = learnerResultAsOf(state, day, config, learner)!;
    assert.equal(result.forecast.needs_help, true);
    // The seed would name A (quiz 0 against B's 1) for review; the least known by p_known is B.
    assert.equal(result.recommendations.find((r) => r.action === 'review')!.topic, 'B');
    assert.deepEqual(result.recommendations.at(-1), { ...NEEDS_HELP_RECOMMENDATION, topic: 'B' });
    // docs/learner-model.md, "Recommendations and the learning path", spells it out.
    assert.deepEqual(result.recommendations.at(-1), { action: 'support', area: 'forecast: needs help', priority: 'high', topic: 'B' });
    const seed = masteryAsOf(state, day, config)!;
    assert.equal(result.recommendations.length, seed.recommendations.length + 1);
    assert.equal(result.mastery_score, seed.mastery_score);
  });

  it("a topic's own result, or a student with one topic, needs help without naming a topic; a topic never seen has no result", () => {
    assert.deepEqual(learnerResultAsOf(state, day, config, learner, 'A')!.recommendations.at(-1), { ...NEEDS_HELP_RECOMMENDATION });
    const single = stateOf([responseEvent('2026-03-01T10:00:00Z', { item_id: 'a1', correct: false }, { topic: 'A' })]);
    assert.deepEqual(learnerResultAsOf(single, day, config, learner)!.recommendations.at(-1), { ...NEEDS_HELP_RECOMMENDATION });
    assert.equal(learnerResultAsOf(state, day, config, learner, 'never'), undefined);
  });

  it("a student the forecast does not flag keeps the seed's recommendations as they are", () => {
    const asOf = '2026-03-01';
    const strong = stateOf([
      ...activeOn(Array.from({ length: 56 }, (_, i) => addDays(asOf, i - 55))),
      completionEvent(`${asOf}T13:00:00Z`, { total_exercises: 10, completed_exercises: 10 }),
      quizEvent(`${asOf}T13:00:00Z`, { total_questions: 10, correct_answers: 9 }),
      qualityEvent(`${asOf}T13:00:00Z`, { avg_code_quality: 90, correctness: 90, efficiency: 90 }),
    ]);
    const result = learnerResultAsOf(strong, asOf, config, learner)!;
    assert.equal(result.forecast.needs_help, false);
    assert.deepEqual(result.recommendations, masteryAsOf(strong, asOf, config)!.recommendations);
  });

  it("the learning path: the seed's, each weak topic with its p_known, and the least known topic to focus on", () => {
    const path = learnerPathAsOf(state, day, config, learner)!;
    const [a, b] = knowledgeOfTopics(state, day, learner);
    assert.deepEqual(
      path.weak_topics.map((t) => [t.topic, t.p_known]),
      [
        ['A', a!.p_known],
        ['B', b!.p_known],
      ],
    );
    assert.deepEqual(path.focus_topic, { topic: 'B', p_known: b!.p_known });
    assert.equal(learnerPathAsOf(state, day, config, learner, 'A')!.focus_topic, null, "a topic's own path has no focus");
    const single = stateOf([responseEvent('2026-03-01T10:00:00Z', { item_id: 'a1', correct: false }, { topic: 'A' })]);
    assert.equal(learnerPathAsOf(single, day, config, learner)!.focus_topic, null, 'one topic: nothing to choose');
    assert.equal(learnerPathAsOf(state, day, config, learner, 'never'), undefined);
  });
});
