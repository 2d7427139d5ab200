/**
 * The EventLog contract: one suite that every adapter of the port must pass (memory, PGlite,
 * PostgreSQL…). It assumes nothing of the backend: each test opens a log, closes it when done,
 * and names its students with a prefix of its own, so the suite also holds on a log that other
 * tests (or earlier runs) have already written to.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import type { LearningEvent } from '../../model/learning-event.js';
import type { EventLog } from '../../ports/event-log.js';

// ---------------------------------------------------------------------------------------------
// Valid learning events (events.md), one builder per shape.
// ---------------------------------------------------------------------------------------------

interface Envelope {
  topic?: string;
  metadata?: Record<string, string>;
  retry_count?: number;
  event_id?: string;
}

function envelope(studentId: string, timestamp: string, options: Envelope) {
  const { topic = 'general', event_id = randomUUID(), ...optional } = options;
  return { event_id, timestamp, student_id: studentId, topic, ...optional };
}

const completion = (studentId: string, timestamp: string, options: Envelope = {}): LearningEvent => ({
  ...envelope(studentId, timestamp, options),
  event_type: 'mastery.calculation.requested',
  component: 'completion',
  data: { total_exercises: 25, completed_exercises: 20, difficulty: 'intermediate' },
});

const quiz = (studentId: string, timestamp: string, options: Envelope = {}): LearningEvent => ({
  ...envelope(studentId, timestamp, options),
  event_type: 'mastery.calculation.requested',
  component: 'quiz',
  data: { total_questions: 10, correct_answers: 7, avg_time_seconds: 42.5, attempts: 2 },
});

const quality = (studentId: string, timestamp: string, options: Envelope = {}): LearningEvent => ({
  ...envelope(studentId, timestamp, options),
  event_type: 'mastery.calculation.requested',
  component: 'quality',
  data: { avg_code_quality: 0.85, correctness: 1 / 3, efficiency: 0 },
});

const consistency = (studentId: string, timestamp: string, options: Envelope = {}): LearningEvent => ({
  ...envelope(studentId, timestamp, options),
  event_type: 'mastery.calculation.requested',
  component: 'consistency',
  data: {},
});

const activity = (studentId: string, timestamp: string, options: Envelope = {}): LearningEvent => ({
  ...envelope(studentId, timestamp, options),
  event_type: 'activity.recorded',
  data: {},
});

/** A completion report without its optional `difficulty`, and a quiz without its optional fields. */
const bareCompletion = (studentId: string, timestamp: string): LearningEvent => ({
  ...envelope(studentId, timestamp, {}),
  event_type: 'mastery.calculation.requested',
  component: 'completion',
  data: { total_exercises: 1, completed_exercises: 0 },
});

const bareQuiz = (studentId: string, timestamp: string): LearningEvent => ({
  ...envelope(studentId, timestamp, {}),
  event_type: 'mastery.calculation.requested',
  component: 'quiz',
  data: { total_questions: 3, correct_answers: 3 },
});

const BUILDERS = [completion, quiz, quality, consistency, activity] as const;

/** Every shape of event once, with and without the optional fields, over two topics and days. */
function everyShape(studentId: string): LearningEvent[] {
  return [
    completion(studentId, '2026-01-12T09:00:00Z', { topic: 'python.loops', metadata: { source: 'exercise-agent', version: '1.0' } }),
    bareCompletion(studentId, '2026-01-12T09:30:00Z'),
    quiz(studentId, '2026-01-12T10:00:00.250Z', { topic: 'python.lists', metadata: { source: 'quiz-agent' } }),
    bareQuiz(studentId, '2026-01-13T08:00:00Z'),
    quality(studentId, '2026-01-13T11:15:00Z', { topic: 'python.loops' }),
    consistency(studentId, '2026-01-14T00:00:00Z', { retry_count: 2 }),
    activity(studentId, '2026-01-14T23:59:59Z', { topic: 'python.lists', metadata: {} }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** A student-id prefix no other test (nor an earlier run against the same database) uses. */
const freshPrefix = () => `c${randomUUID().replaceAll('-', '').slice(0, 16)}`;

/** Code-unit order, the order of student ids everywhere in the engine (JS sort, SQL `COLLATE "C"`). */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Oldest first, ties by event_id: the order readStudent promises (for millisecond timestamps). */
const oldestFirst = (a: LearningEvent, b: LearningEvent) => Date.parse(a.timestamp) - Date.parse(b.timestamp) || byCodeUnit(a.event_id, b.event_id);

const ids = (events: readonly LearningEvent[]) => new Set(events.map((e) => e.event_id));

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const all: T[][] = [];
  for await (const page of pages) all.push(page);
  return all;
}

/** `n` fresh event ids, ascending, for tests about ties broken by event_id. */
function ascendingIds(n: number): string[] {
  return Array.from({ length: n }, () => randomUUID()).sort(byCodeUnit);
}

// ---------------------------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------------------------

export function eventLogContract(name: string, open: () => Promise<EventLog>): void {
  /** Opens a log for one test and closes it when the test ends, whatever its outcome. */
  async function openLog(t: TestContext): Promise<EventLog> {
    const log = await open();
    t.after(() => log.close());
    return log;
  }

  describe(name, () => {
    describe('append', () => {
      it('stores new events and returns exactly the ids it stored', async (t) => {
        const log = await openLog(t);
        const student = freshPrefix();
        const events = everyShape(student);

        const { stored } = await log.append(events);

        assert.deepEqual(stored, ids(events));
        assert.deepEqual(ids(await log.readStudent(student)), ids(events));
      });

      it('returns only the new ids of a batch that repeats stored ones, and stores nothing twice', async (t) => {
        const log = await openLog(t);
        const student = freshPrefix();
        const [a, b, c] = [completion(student, '2026-01-10T10:00:00Z'), quiz(student, '2026-01-11T10:00:00Z'), activity(student, '2026-01-12T10:00:00Z')];
        assert.deepEqual((await log.append([a, b, c])).stored, ids([a, b, c]));

        // A resent event whose content differs must not replace the stored one: the id decides.
        const resentA: LearningEvent = { ...quality(student, '2026-01-20T10:00:00Z'), event_id: a.event_id };
        const d = consistency(student, '2026-01-13T10:00:00Z');
        const e = quiz(student, '2026-01-09T10:00:00Z', { topic: 'python.loops' });

        const { stored } = await log.append([b, d, resentA, e, c]);

        assert.deepEqual(stored, ids([d, e]));
        assert.deepEqual(await log.readStudent(student), [e, a, b, c, d]);

        assert.deepEqual((await log.append([a, b, c, d, e])).stored, new Set(), 'a batch of stored ids stores nothing');
        assert.deepEqual(await log.readStudent(student), [e, a, b, c, d]);
      });

      it('stores an id that appears twice in one batch once, and returns it once', async (t) => {
        const log = await openLog(t);
        const student = freshPrefix();
        const a = completion(student, '2026-01-10T10:00:00Z');
        const b = activity(student, '2026-01-11T10:00:00Z');

        const { stored } = await log.append([a, b, a]);

        assert.deepEqual(stored, ids([a, b]));
        assert.deepEqual(await log.readStudent(student), [a, b]);
      });

      it('names the students whose first events it stored, and no student the log already held', async (t) => {
        const log = await openLog(t);
        const prefix = freshPrefix();
        const [known, fresh, twice] = [`${prefix}-known`, `${prefix}-fresh`, `${prefix}-twice`];
        const first = activity(known, '2026-01-10T10:00:00Z');
        assert.deepEqual((await log.append([first])).newStudents, new Set([known]));

        const batch = [
          completion(known, '2026-01-11T10:00:00Z'),
          quiz(fresh, '2026-01-09T10:00:00Z'),
          activity(twice, '2026-01-12T10:00:00Z'),
          quality(twice, '2026-01-08T10:00:00Z'),
        ];
        const appended = await log.append(batch);

        assert.deepEqual(appended.stored, ids(batch));
        assert.deepEqual(appended.newStudents, new Set([fresh, twice]), 'two events of one new student name it once');
        assert.deepEqual((await log.append(batch)).newStudents, new Set(), 'a batch sent again names nobody');
        assert.deepEqual(
          (await log.append([first, activity(fresh, '2026-01-13T10:00:00Z')])).newStudents,
          new Set(),
          'nor does a new event of a known student',
        );
      });

      it('names a student again once every event of it was erased or purged', async (t) => {
        const log = await openLog(t);
        const prefix = freshPrefix();
        const [erased, purged] = [`${prefix}-erased`, `${prefix}-purged`];
        await log.append([activity(erased, '2026-01-10T10:00:00Z'), activity(purged, '1985-01-10T10:00:00Z')]);
        await log.eraseStudent(erased);
        // The 1980s: no other test's events (purgeBefore's own keep to the 1990s).
        await log.purgeBefore('1986-01-01T00:00:00Z');

        const appended = await log.append([activity(erased, '2026-01-11T10:00:00Z'), activity(purged, '2026-01-11T10:00:00Z')]);

        assert.deepEqual(appended.newStudents, new Set([erased, purged]));
      });

      it('returns an empty set for an empty batch and stores nothing', async (t) => {
        const log = await openLog(t);
        const student = freshPrefix();
        const a = activity(student, '2026-01-10T10:00:00Z');
        await log.append([a]);

        const { stored } = await log.append([]);

        assert.ok(stored instanceof Set, 'append returns a Set');
        assert.equal(stored.size, 0);
        assert.deepEqual(await log.readStudent(student), [a]);
      });

      it('appends a batch of 1,000 events in one call, and every one comes back', async (t) => {
        const log = await openLog(t);
        const prefix = freshPrefix();
        const students = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`];
        const events = Array.from({ length: 1000 }, (_, i) => {
          const build = BUILDERS[i % BUILDERS.length]!;
          const student = students[i % students.length]!;
          // 40 distinct instants over 20 days: many events share a timestamp.
          const day = String(1 + (i % 20)).padStart(2, '0');
          const hour = i % 40 < 20 ? '08' : '17';
          return build(student, `2026-01-${day}T${hour}:00:00Z`, { topic: `topic.${i % 4}` });
        });

        const { stored } = await log.append(events);

        assert.equal(stored.size, 1000);
        assert.deepEqual(stored, ids(events));
        for (const student of students) {
          const expected = events.filter((e) => e.student_id === student);
          const read = await log.readStudent(student);
          assert.equal(read.length, expected.length, `${student}: number of events`);
          assert.deepEqual(read, [...expected].sort(oldestFirst), `${student}: the same events, oldest first`);
        }
      });
    });

    describe('readStudent', () => {
      it('returns each event deep-equal to what was appended: every field, optional ones included', async (t) => {
        const log = await openLog(t);
        const student = freshPrefix();
        const events = everyShape(student);
        // Appended newest first, so that reading them back oldest first is not a coincidence.
        await log.append([...events].reverse());

        assert.deepEqual(await log.readStudent(student), events);
      });

      it("returns only that student's events", async (t) => {
        const log = await openLog(t);
        const prefix = freshPrefix();
        const mine = [activity(`${prefix}-me`, '2026-01-10T10:00:00Z'), quiz(`${prefix}-me`, '2026-01-11T10:00:00Z')];
        const theirs = [
          activity(`${prefix}-other`, '2026-01-10T11:00:00Z'),
          completion(`${prefix}-me2`, '2026-01-10T12:00:00Z'),
          quality(`${prefix}-m`, '2026-01-10T12:00:00Z'),
        ];
        await log.append([theirs[0]!, mine[0]!, theirs[1]!, theirs[2]!, mine[1]!]);

        assert.deepEqual(await log.readStudent(`${prefix}-me`), mine);
      });

      it('returns events oldest first by timestamp, ties broken by event_id, across batches', async (t) => {
        const log = await openLog(t);
        const student = freshPrefix();
        const [id1, id2, id3] = ascendingIds(3);
        const at = '2026-01-12T10:00:00Z';
        const expected = [
          completion(student, '2026-01-11T23:59:59.999Z'),
          quiz(student, at, { event_id: id1! }),
          activity(student, at, { event_id: id2! }),
          quality(student, at, { event_id: id3! }),
          consistency(student, '2026-01-12T10:00:00.001Z'),
          activity(student, '2026-02-01T00:00:00Z'),
        ];
        const [e0, e1, e2, e3, e4, e5] = expected;
        await log.append([e5!, e3!]);
        await log.append([e2!, e4!, e0!]);
        await log.append([e1!]);

        assert.deepEqual(await log.readStudent(student), expected);
      });

      it('orders by instant, not by text, when timestamps carry offsets', async (t) => {
        const log = await openLog(t);
        const student = freshPrefix();
        // 10:30+02:00 is 08:30Z, before 09:00Z though its text sorts after it; 23:00-05:00 is 04:00Z
        // the next day, after 03:00+00:00 though its text sorts before it.
        const first = activity(student, '2026-01-14T10:30:00+02:00');
        const second = quiz(student, '2026-01-14T09:00:00Z');
        const third = quality(student, '2026-01-15T03:00:00+00:00');
        const fourth = completion(student, '2026-01-14T23:00:00-05:00');
        await log.append([third, second, fourth, first]);

        // Deep equality also shows that each timestamp comes back as it was sent, offset included.
        assert.deepEqual(await log.readStudent(student), [first, second, third, fourth]);
      });

      it('keeps metadata strings with quotes, backslashes, control characters and non-ASCII text', async (t) => {
        const log = await openLog(t);
        const student = freshPrefix();
        const event = activity(student, '2026-01-10T10:00:00Z', {
          metadata: { source: 'say "hi" \\ bye', note: 'line\nbreak\ttab\u0001', lang: 'élève 学生 😀', empty: '' },
        });
        await log.append([event]);

        assert.deepEqual(await log.readStudent(student), [event]);
      });

      it('returns [] for a student it has never seen', async (t) => {
        const log = await openLog(t);
        const prefix = freshPrefix();
        await log.append([activity(`${prefix}-known`, '2026-01-10T10:00:00Z')]);

        assert.deepEqual(await log.readStudent(`${prefix}-unknown`), []);
        assert.deepEqual(await log.readStudent(`${prefix}-know`), [], 'a prefix of a known id is another student');
      });
    });

    describe('readStudents', () => {
      it('returns each asked-for student with all its events, oldest first, and leaves out unknown ones', async (t) => {
        const log = await openLog(t);
        const prefix = freshPrefix();
        const a = [completion(`${prefix}-a`, '2026-01-12T10:00:00Z'), quiz(`${prefix}-a`, '2026-01-10T10:00:00Z')];
        const b = [activity(`${prefix}-b`, '2026-01-11T10:00:00Z')];
        await log.append([...a, ...b]);

        const found = await log.readStudents([`${prefix}-a`, `${prefix}-unknown`, `${prefix}-b`]);

        assert.deepEqual(new Set(found.keys()), new Set([`${prefix}-a`, `${prefix}-b`]));
        assert.deepEqual(found.get(`${prefix}-a`), [...a].sort(oldestFirst));
        assert.deepEqual(found.get(`${prefix}-b`), b);
        assert.equal((await log.readStudents([])).size, 0);
      });
    });

    describe('readEvents', () => {
      it('returns the stored copy of each known id, and nothing for unknown ids', async (t) => {
        const log = await openLog(t);
        const student = `${freshPrefix()}-s`;
        const first = completion(student, '2026-01-12T10:00:00Z');
        await log.append([first]);
        // A second event under the same id is a duplicate: the log keeps the first copy.
        await log.append([{ ...quiz(student, '2026-01-13T10:00:00Z'), event_id: first.event_id }]);

        assert.deepEqual(await log.readEvents([first.event_id, randomUUID()]), [first]);
        assert.deepEqual(await log.readEvents([]), []);
      });
    });

    describe('readLatest', () => {
      it('returns the events logged last, newest first, and no more than asked', async (t) => {
        const log = await openLog(t);
        const student = `${freshPrefix()}-s`;
        const first = [activity(student, '2026-01-12T10:00:00Z'), activity(student, '2026-01-10T10:00:00Z')];
        await log.append(first);
        // Arrival order, not event time, decides: these are older events that arrived later.
        await new Promise((resolve) => setTimeout(resolve, 5));
        const later = [quiz(student, '2026-01-01T10:00:00Z')];
        await log.append(later);

        const latest = await log.readLatest(2);
        assert.equal(latest.length, 2);
        assert.deepEqual(latest[0], later[0]);
        assert.ok(first.some((e) => e.event_id === latest[1]!.event_id));
      });
    });

    describe('listStudents', () => {
      it('lists student ids in code-point order, a page at a time, with the total', async (t) => {
        const log = await openLog(t);
        const prefix = freshPrefix();
        const before = await log.listStudents({ offset: 0, limit: 1_000_000 });
        const ours = ['m', 'B', 'a', 'Z', 'a-b', 'a.b', 'a_b', 'a0', '9'].map((x) => `${prefix}${x}`);
        // Two events for one student: listed once.
        await log.append([...ours.map((id) => activity(id, '2026-01-10T10:00:00Z')), activity(ours[0]!, '2026-01-11T10:00:00Z')]);

        const expected = [...before.studentIds, ...ours].sort(byCodeUnit);
        const total = expected.length;
        const pages: string[] = [];
        for (let offset = 0; offset < total; offset += 4) {
          const page = await log.listStudents({ offset, limit: 4 });
          assert.equal(page.total, total, 'every page reports the total');
          pages.push(...page.studentIds);
        }
        assert.deepEqual(pages, expected);
        assert.deepEqual(await log.listStudents({ offset: total, limit: 5 }), { studentIds: [], total }, 'past the end');
      });
    });

    describe('scanStudents', () => {
      it('yields every student exactly once, in ascending id order, across pages, each with all its events', async (t) => {
        const log = await openLog(t);
        const prefix = freshPrefix();
        const names = ['g', 'c', 'e', 'a', 'f', 'b', 'd'];
        const byStudent = new Map<string, LearningEvent[]>();
        names.forEach((n, i) => {
          const student = `${prefix}-${n}`;
          byStudent.set(
            student,
            Array.from({ length: 1 + (i % 3) }, (_, k) =>
              BUILDERS[(i + k) % BUILDERS.length]!(student, `2026-01-${String(10 + k).padStart(2, '0')}T10:00:00Z`),
            ),
          );
        });
        const all = [...byStudent.values()].flat();
        // Two batches, each touching several students, in no particular order.
        await log.append(all.filter((_, i) => i % 2 === 1));
        await log.append(all.filter((_, i) => i % 2 === 0));

        const pages = await collect(log.scanStudents(3));

        for (const page of pages) {
          assert.ok(page.length >= 1 && page.length <= 3, `a page holds 1 to 3 students, not ${page.length}`);
        }
        assert.ok(pages.length >= 3, `7 students in pages of 3 take at least 3 pages, not ${pages.length}`);
        const scanned = pages.flat();
        const scannedIds = scanned.map((s) => s.studentId);
        assert.deepEqual(scannedIds, [...new Set(scannedIds)].sort(byCodeUnit), 'ascending, each student once');

        const mine = scanned.filter((s) => s.studentId.startsWith(`${prefix}-`));
        assert.deepEqual(
          mine.map((s) => s.studentId),
          [...byStudent.keys()].sort(byCodeUnit),
        );
        for (const { studentId, events } of mine) {
          const expected = byStudent.get(studentId)!;
          const byId = (a: LearningEvent, b: LearningEvent) => byCodeUnit(a.event_id, b.event_id);
          assert.deepEqual([...events].sort(byId), [...expected].sort(byId), `${studentId}: all its events`);
        }
      });

      it('orders ids by code unit: digits, then upper case, then lower case, punctuation by its code', async (t) => {
        const log = await openLog(t);
        const prefix = freshPrefix();
        const suffixes = ['b', 'B', 'a', 'A', 'a-b', 'a.b', 'a_b', 'a0', 'ab', '9', '-z', '_z', '.z', 'Z'];
        const students = suffixes.map((s) => `${prefix}${s}`);
        await log.append(students.map((s, i) => activity(s, `2026-01-10T10:${String(i).padStart(2, '0')}:00Z`)));

        const scanned = (await collect(log.scanStudents(4))).flat().map((s) => s.studentId);
        const mine = scanned.filter((id) => id.startsWith(prefix));

        assert.deepEqual(mine, [...students].sort(byCodeUnit));
      });

      it('yields every student with the default page size too', async (t) => {
        const log = await openLog(t);
        const prefix = freshPrefix();
        const events = [
          activity(`${prefix}-2`, '2026-01-10T10:00:00Z'),
          quiz(`${prefix}-1`, '2026-01-10T10:00:00Z'),
          completion(`${prefix}-1`, '2026-01-09T10:00:00Z'),
        ];
        await log.append(events);

        const mine = (await collect(log.scanStudents())).flat().filter((s) => s.studentId.startsWith(`${prefix}-`));

        assert.deepEqual(
          mine.map((s) => s.studentId),
          [`${prefix}-1`, `${prefix}-2`],
        );
        assert.deepEqual(ids(mine[0]!.events), ids([events[1]!, events[2]!]));
        assert.deepEqual(mine[1]!.events, [events[0]!]);
      });
    });

    describe('eraseStudent', () => {
      it('deletes every event of the student and returns their ids; other students keep theirs', async (t) => {
        const log = await openLog(t);
        const prefix = freshPrefix();
        const student = `${prefix}-me`;
        const mine = everyShape(student);
        // Neighbours, one of them an id that extends the erased one.
        const theirs = [activity(`${prefix}-other`, '2026-01-12T09:00:00Z'), quiz(`${student}2`, '2026-01-12T09:00:00Z')];
        await log.append([mine[0]!, theirs[0]!, ...mine.slice(1, 4)]);
        await log.append([...mine.slice(4), theirs[1]!]);

        const erased = await log.eraseStudent(student);

        assert.ok(Array.isArray(erased), 'eraseStudent returns an array');
        assert.equal(erased.length, mine.length, 'each erased id once');
        assert.deepEqual(new Set(erased), ids(mine));
        assert.deepEqual(await log.readStudent(student), []);
        assert.deepEqual(await log.readEvents(mine.map((e) => e.event_id)), [], 'no erased event can be read by id');
        assert.deepEqual(await log.readStudent(`${prefix}-other`), [theirs[0]]);
        assert.deepEqual(await log.readStudent(`${student}2`), [theirs[1]]);
      });

      it('returns [] on a second call, and for a student it never held', async (t) => {
        const log = await openLog(t);
        const prefix = freshPrefix();
        const events = [activity(`${prefix}-s`, '2026-01-10T10:00:00Z'), quiz(`${prefix}-s`, '2026-01-11T10:00:00Z')];
        await log.append(events);

        assert.deepEqual(new Set(await log.eraseStudent(`${prefix}-s`)), ids(events));
        assert.deepEqual(await log.eraseStudent(`${prefix}-s`), []);
        assert.deepEqual(await log.eraseStudent(`${prefix}-never`), []);
      });

      it('leaves the student out of every read: readStudents, listStudents, scanStudents, readLatest', async (t) => {
        const log = await openLog(t);
        const prefix = freshPrefix();
        const kept = [activity(`${prefix}-a`, '2026-01-10T10:00:00Z')];
        await log.append(kept);
        // The erased student's events arrive last: a log that kept them would show them first.
        await new Promise((resolve) => setTimeout(resolve, 5));
        const gone = [quiz(`${prefix}-b`, '2026-01-10T10:00:00Z'), completion(`${prefix}-b`, '2026-01-11T10:00:00Z')];
        await log.append(gone);

        await log.eraseStudent(`${prefix}-b`);

        const found = await log.readStudents([`${prefix}-a`, `${prefix}-b`]);
        assert.deepEqual([...found.keys()], [`${prefix}-a`], 'readStudents');
        const listed = await log.listStudents({ offset: 0, limit: 1_000_000 });
        assert.ok(listed.studentIds.includes(`${prefix}-a`), 'listStudents still lists the other student');
        assert.ok(!listed.studentIds.includes(`${prefix}-b`), 'listStudents');
        assert.equal(listed.total, listed.studentIds.length, 'the total counts the students listed');
        const scanned = (await collect(log.scanStudents())).flat().map((s) => s.studentId);
        assert.deepEqual(
          scanned.filter((id) => id.startsWith(prefix)),
          [`${prefix}-a`],
          'scanStudents',
        );
        const latest = await log.readLatest(3);
        const erasedIds = ids(gone);
        assert.ok(!latest.some((e) => erasedIds.has(e.event_id)), 'readLatest');
        assert.deepEqual(latest[0], kept[0], "the latest event left is the other student's");
      });

      it('forgets the erased ids: the same events appended again are new', async (t) => {
        const log = await openLog(t);
        const student = `${freshPrefix()}-s`;
        const events = [activity(student, '2026-01-10T10:00:00Z'), quiz(student, '2026-01-11T10:00:00Z')];
        await log.append(events);
        await log.eraseStudent(student);

        assert.deepEqual((await log.append(events)).stored, ids(events));
        assert.deepEqual(await log.readStudent(student), events);
      });
    });

    describe('purgeBefore', () => {
      /*
       * purgeBefore deletes across the whole log, so these tests put their events in a day of the
       * 1990s of their own, and first purge what an earlier run may have left before it: what they
       * then find purged is theirs. Other tests' events (2026) are far after every instant here.
       */
      async function freshDay(log: EventLog): Promise<string> {
        const day = new Date(Date.parse('1990-01-01T00:00:00Z') + Math.floor(Math.random() * 3650) * 86_400_000).toISOString().slice(0, 10);
        await log.purgeBefore(`${day}T00:00:00Z`);
        return day;
      }

      /** The purged ids of this test's students, each student's ids as a sorted list. */
      function ours(purged: Map<string, string[]>, prefix: string): Map<string, string[]> {
        assert.ok(purged instanceof Map, 'purgeBefore returns a Map');
        const mine = new Map<string, string[]>();
        for (const [student, eventIds] of purged) {
          assert.ok(eventIds.length > 0, `${student} is listed with the ids purged, not with none`);
          if (student.startsWith(prefix)) mine.set(student, [...eventIds].sort(byCodeUnit));
        }
        return mine;
      }

      const sortedIds = (events: readonly LearningEvent[]) => events.map((e) => e.event_id).sort(byCodeUnit);

      it('deletes exactly the events before the instant, across students, and says whose they were', async (t) => {
        const log = await openLog(t);
        const prefix = freshPrefix();
        const day = await freshDay(log);
        const cutoff = `${day}T12:00:00.000Z`;
        const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((x) => `${prefix}-${x}`) as [string, string, string, string];
        const before = {
          a: [activity(a, `${day}T00:00:00Z`), quiz(a, `${day}T11:59:59.999Z`)],
          b: [completion(b, `${day}T06:00:00Z`)],
          c: [quality(c, `${day}T11:00:00Z`)],
        };
        const after = {
          // Exactly at the instant: kept.
          a: [consistency(a, cutoff), activity(a, `${day}T12:00:00.001Z`)],
          b: [quiz(b, `${day}T23:59:59Z`)],
          d: [activity(d, `${day}T12:00:00Z`), completion(d, `${day}T18:00:00Z`)],
        };
        const all = [...Object.values(before), ...Object.values(after)].flat();
        await log.append(all.filter((_, i) => i % 2 === 0));
        await log.append(all.filter((_, i) => i % 2 === 1));

        const purged = ours(await log.purgeBefore(cutoff), prefix);

        assert.deepEqual(
          purged,
          new Map([
            [a, sortedIds(before.a)],
            [b, sortedIds(before.b)],
            [c, sortedIds(before.c)],
          ]),
          'each student with purged events, with exactly their ids; d lost nothing and is not listed',
        );
        assert.deepEqual(await log.readStudent(a), after.a);
        assert.deepEqual(await log.readStudent(b), after.b);
        assert.deepEqual(await log.readStudent(c), [], 'c had only older events');
        assert.deepEqual(await log.readStudent(d), after.d);
        assert.deepEqual(await log.readEvents(sortedIds(Object.values(before).flat())), [], 'no purged event can be read by id');
        assert.deepEqual(ours(await log.purgeBefore(cutoff), prefix), new Map(), 'a second purge finds nothing more');
      });

      it('compares instants, not text: offsets on the events and on the instant', async (t) => {
        const log = await openLog(t);
        const student = `${freshPrefix()}-s`;
        const day = await freshDay(log);
        const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
        // The instant is 12:00Z, written as 14:00+02:00.
        const cutoff = `${day}T14:00:00+02:00`;
        // 13:30+02:00 is 11:30Z (before), though its text sorts after 12:00; 07:30-05:00 is 12:30Z
        // (after), though its text sorts before; 00:00+12:00 the next day is 12:00Z: at the instant.
        const purgedEvents = [activity(student, `${day}T13:30:00+02:00`), quiz(student, `${day}T11:59:59.999Z`)];
        const keptEvents = [
          quality(student, `${next}T00:00:00+12:00`),
          completion(student, `${day}T07:30:00-05:00`),
          activity(student, `${day}T12:00:00.001Z`),
        ];
        await log.append([...keptEvents, ...purgedEvents]);

        const purged = await log.purgeBefore(cutoff);

        assert.deepEqual([...(purged.get(student) ?? [])].sort(byCodeUnit), sortedIds(purgedEvents));
        assert.deepEqual(ids(await log.readStudent(student)), ids(keptEvents));
      });

      it('deletes an event a fraction of a microsecond before the instant (timestamps go to the nanosecond)', async (t) => {
        const log = await openLog(t);
        const student = `${freshPrefix()}-s`;
        const day = await freshDay(log);
        const cutoff = `${day}T12:00:00Z`;
        const justBefore = activity(student, `${day}T11:59:59.9999999Z`);
        const justAfter = quiz(student, `${day}T12:00:00.0000001Z`);
        await log.append([justBefore, justAfter]);

        const purged = await log.purgeBefore(cutoff);

        assert.deepEqual(purged.get(student), [justBefore.event_id], '100 ns before the instant is before it');
        assert.deepEqual(await log.readStudent(student), [justAfter]);
      });

      it('answers an empty map when nothing is that old', async (t) => {
        const log = await openLog(t);
        const student = `${freshPrefix()}-s`;
        const day = await freshDay(log);
        const events = [activity(student, `${day}T00:00:00Z`)];
        await log.append(events);

        assert.equal((await log.purgeBefore(`${day}T00:00:00Z`)).size, 0, 'an event at the instant is not before it');
        assert.deepEqual(await log.readStudent(student), events);
      });
    });

    it('ping resolves', async (t) => {
      const log = await openLog(t);
      await assert.doesNotReject(log.ping());
    });
  });
}
