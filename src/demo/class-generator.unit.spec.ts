import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayOfInstant } from '../model/days.js';
import { validateEvent } from '../validation/validate-event.js';
import { DEMO_TOPICS, generateClass } from './class-generator.js';

const NOW = new Date('2026-11-26T10:37:00Z');
const options = { students: 30, days: 21, seed: 42, now: NOW };

describe('the demo class', () => {
  it('is the same class for the same seed and day, and another for another seed', () => {
    assert.deepEqual(generateClass(options), generateClass(options));
    assert.notDeepEqual(generateClass(options).events, generateClass({ ...options, seed: 7 }).events);
  });

  it('holds only events the engine accepts, none in the future, with unique ids', () => {
    const { events } = generateClass(options);
    for (const event of events) {
      const v = validateEvent(event, NOW.getTime());
      assert.equal(v.ok, true, JSON.stringify({ event, v }));
    }
    const ids = events.map((e) => (e as { event_id: string }).event_id);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('mixes strong, average, struggling and lapsing students over about three weeks and several topics', () => {
    const { students, events } = generateClass(options);
    assert.equal(students.length, 30);
    assert.deepEqual(new Set(students.map((s) => s.profile)), new Set(['strong', 'average', 'struggling', 'lapsing']));
    const days = new Set(events.map((e) => dayOfInstant(Date.parse((e as { timestamp: string }).timestamp))));
    assert.ok(days.size >= 18 && days.size <= 21, `${days.size} days`);
    const topics = new Set(events.map((e) => (e as { topic: string }).topic));
    assert.ok(topics.size >= 4 && [...topics].every((t) => (DEMO_TOPICS as readonly string[]).includes(t)));
    const components = new Set(events.map((e) => (e as { component?: string }).component ?? 'activity'));
    assert.deepEqual(components, new Set(['activity', 'completion', 'quiz', 'quality']));
  });

  it('lets lapsing students stop a week or more before the end', () => {
    const { students, events } = generateClass(options);
    const lastDay = dayOfInstant(NOW.getTime() - 3_600_000);
    for (const s of students.filter((x) => x.profile === 'lapsing')) {
      const theirs = events.filter((e) => (e as { student_id: string }).student_id === s.student_id);
      const latest = theirs.map((e) => (e as { timestamp: string }).timestamp).sort().at(-1)!;
      assert.ok(Date.parse(lastDay) - Date.parse(latest.slice(0, 10)) >= 7 * 86_400_000, `${s.student_id} last active ${latest}`);
    }
  });

  it('just after midnight still puts no event in the future', () => {
    const now = new Date('2026-11-26T00:00:30Z');
    for (const event of generateClass({ ...options, now }).events) {
      assert.ok(Date.parse((event as { timestamp: string }).timestamp) <= now.getTime());
    }
  });
});
