import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayOfInstant } from '../model/days.js';
import { validateEvent } from '../validation/validate-event.js';
import { DEMO_TOPICS, demoItemId, generateClass, type DemoStudent } from './class-generator.js';

const NOW = new Date('2026-11-26T10:37:00Z');
const options = { students: 30, days: 21, seed: 42, now: NOW };

interface Answer {
  student_id: string;
  topic: string;
  timestamp: string;
  data: { item_id: string; correct: boolean; attempt: number; seconds: number };
}

const answersOf = (events: object[]) => events.filter((e) => (e as { event_type: string }).event_type === 'response.recorded') as Answer[];
const firstAttempts = (events: object[]) => answersOf(events).filter((a) => a.data.attempt === 1);
const rightShare = (answers: readonly Answer[]) => answers.filter((a) => a.data.correct).length / answers.length;

// Map.groupBy is not in Node 20.
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** The share of first attempts answered right, over the students of one profile. */
function rightShareOf(students: readonly DemoStudent[], events: object[], profile: DemoStudent['profile']): number {
  const ids = new Set(students.filter((s) => s.profile === profile).map((s) => s.student_id));
  return rightShare(firstAttempts(events).filter((a) => ids.has(a.student_id)));
}

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
    const kinds = new Set((events as Array<{ component?: string; event_type: string }>).map((e) => e.component ?? e.event_type));
    assert.deepEqual(kinds, new Set(['activity.recorded', 'response.recorded', 'completion', 'quiz', 'quality']));
  });

  it('gives every student answers to items of the topics they work on, on the days they are active', () => {
    const { students, events } = generateClass(options);
    for (const s of students) {
      const theirs = events.filter((e) => (e as { student_id: string }).student_id === s.student_id) as Array<{
        event_type: string;
        topic: string;
        timestamp: string;
      }>;
      const answers = answersOf(theirs);
      assert.ok(answers.length >= 10, `${s.student_id} answered ${answers.length} items`);
      const activeDays = new Set(theirs.filter((e) => e.event_type === 'activity.recorded').map((e) => `${e.topic}|${e.timestamp.slice(0, 10)}`));
      const answerDays = new Set(answers.map((a) => `${a.topic}|${a.timestamp.slice(0, 10)}`));
      assert.deepEqual(answerDays, activeDays, `${s.student_id} answers on the topic and days they work on`);
      const bank = new Set(DEMO_TOPICS.flatMap((t) => Array.from({ length: 12 }, (_, i) => demoItemId(t, i))));
      for (const a of answers) assert.ok(bank.has(a.data.item_id) && a.data.item_id.startsWith(`${a.topic}:`), a.data.item_id);
    }
    // A second attempt follows a wrong first attempt at the same item, never a right one.
    const answers = answersOf(events);
    const retries = answers.filter((a) => a.data.attempt === 2);
    assert.ok(retries.length > 0);
    for (const r of retries) {
      const first = answers[answers.indexOf(r) - 1]!;
      assert.deepEqual([first.student_id, first.data.item_id, first.data.attempt, first.data.correct], [r.student_id, r.data.item_id, 1, false]);
    }
  });

  it('lets the profile show in how often first attempts are right', () => {
    const { students, events } = generateClass(options);
    const strong = rightShareOf(students, events, 'strong');
    const average = rightShareOf(students, events, 'average');
    const struggling = rightShareOf(students, events, 'struggling');
    assert.ok(strong >= 0.85, `strong students right ${strong}`);
    assert.ok(strong > average && average > struggling, JSON.stringify({ strong, average, struggling }));
    assert.ok(struggling < 0.6, `struggling students right ${struggling}`);
  });

  it('lets practice on a topic raise the share of right answers', () => {
    const { events } = generateClass({ ...options, students: 200 });
    const byTopic = groupBy(firstAttempts(events), (a) => `${a.student_id}|${a.topic}`);
    const early = [...byTopic.values()].flatMap((list) => list.slice(0, 3));
    const late = [...byTopic.values()].flatMap((list) => list.slice(8));
    assert.ok(rightShare(late) > rightShare(early) + 0.05, JSON.stringify({ early: rightShare(early), late: rightShare(late) }));
  });

  it('lets lapsing students stop a week or more before the end', () => {
    const { students, events } = generateClass(options);
    const lastDay = dayOfInstant(NOW.getTime() - 3_600_000);
    for (const s of students.filter((x) => x.profile === 'lapsing')) {
      const theirs = events.filter((e) => (e as { student_id: string }).student_id === s.student_id);
      const latest = theirs
        .map((e) => (e as { timestamp: string }).timestamp)
        .sort()
        .at(-1)!;
      assert.ok(Date.parse(lastDay) - Date.parse(latest.slice(0, 10)) >= 7 * 86_400_000, `${s.student_id} last active ${latest}`);
    }
  });

  it('lets lapsing students answer worse in their last active days before they stop', () => {
    const { students, events } = generateClass({ ...options, students: 200 });
    const lapsing = students.filter((s) => s.profile === 'lapsing');
    const byStudent = groupBy(firstAttempts(events), (a) => a.student_id);
    const earlier: Answer[] = [];
    const last: Answer[] = [];
    for (const s of lapsing) {
      const theirs = byStudent.get(s.student_id)!;
      const lastDay = theirs.at(-1)!.timestamp.slice(0, 10);
      const cut = new Date(Date.parse(lastDay) - 3 * 86_400_000).toISOString().slice(0, 10);
      for (const a of theirs) (a.timestamp.slice(0, 10) > cut ? last : earlier).push(a);
    }
    assert.ok(lapsing.length >= 15 && last.length >= 50, `${lapsing.length} lapsing students, ${last.length} late answers`);
    assert.ok(rightShare(last) < rightShare(earlier) - 0.15, JSON.stringify({ earlier: rightShare(earlier), last: rightShare(last) }));
  });

  it('just after midnight still puts no event in the future', () => {
    const now = new Date('2026-11-26T00:00:30Z');
    for (const event of generateClass({ ...options, now }).events) {
      assert.ok(Date.parse((event as { timestamp: string }).timestamp) <= now.getTime());
    }
  });
});
