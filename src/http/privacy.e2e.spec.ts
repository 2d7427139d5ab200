/**
 * Privacy through the front door (api.md, "Access rule" and "Privacy"): GDPR export as JSON and
 * CSV, erasure with its tombstone, consent, retention and the sweep of in-flight events, the
 * audit trail and its filters, and the per-token rate limit. Every request a test makes about a
 * student is checked against the audit entries it leaves (actor, role, student, action,
 * outcome, request id).
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { LightMyRequestResponse as Response } from 'fastify';
import type { Role } from '../access/principal.js';
import type { LearningEvent } from '../model/learning-event.js';
import { applyEvents } from '../pipeline/apply-events.js';
import type { AuditAction, AuditEntry, AuditOutcome } from '../ports/audit-trail.js';
import { fixedClock } from '../ports/clock.js';
import { purgeExpired } from '../privacy/purge-expired.js';
import { EXAMPLE_B_DAYS, TEST_NOW, errorOf, testApp, wire, workedExampleB, type TestApp, type TestAppOptions, type WireEvent } from '../testing/test-app.js';

// ---------------------------------------------------------------------------------------------
// Response bodies as these tests read them.

interface Components {
  completion: number;
  quiz: number;
  quality: number;
  consistency: number;
}

interface Result {
  mastery_score: number;
  level: string;
  components: Components;
  breakdown: Components;
  recommendations: Array<{ action: string; area: string; priority: string; topic?: string }>;
}

interface Mastery extends Result {
  student_id: string;
  as_of: string;
}

interface History {
  days: Array<{ date: string } & Result>;
}

interface Export {
  student_id: string;
  exported_at: string;
  consent: { granted: boolean | null; updated_at: string | null };
  current: (Result & { as_of: string }) | null;
  history: Array<{ date: string } & Result>;
  events: Array<Record<string, unknown> & { event_id: string; student_id: string }>;
  audit: AuditEntry[];
}

interface Report {
  accepted: number;
  duplicate: number;
  rejected: number;
  results: Array<{ index: number; event_id?: string; status: string; errors?: Array<{ field: string; message: string }> }>;
}

interface StudentList {
  total: number;
  students: Array<{ student_id: string }>;
}

interface AuditPage {
  entries: AuditEntry[];
  next: string | null;
}

// ---------------------------------------------------------------------------------------------
// Callers, requests and the audit entries they must leave.

interface Person {
  sub: string;
  role: Role;
  token: string;
}

interface Given extends TestApp {
  admin: Person;
  service: Person;
  person(role: Role, sub: string, students?: readonly string[]): Promise<Person>;
}

const ADA = 'stu-ada';
const BO = 'stu-bo';
const NOW_ISO = new Date(TEST_NOW).toISOString();
const READS = ['mastery', 'history', 'prediction', 'path'] as const;
const READ_ACTION = { mastery: 'mastery.read', history: 'history.read', prediction: 'prediction.read', path: 'path.read' } as const;

async function given(t: TestContext, options: TestAppOptions = {}): Promise<Given> {
  const h = await testApp(options);
  t.after(() => h.app.close());
  const person = async (role: Role, sub: string, students?: readonly string[]): Promise<Person> => ({
    sub,
    role,
    token: await h.token(role, sub, students),
  });
  return { ...h, person, admin: await person('admin', 'root'), service: await person('service', 'exercise-agent') };
}

type Expected = Pick<AuditEntry, 'actor' | 'role' | 'student_id' | 'action' | 'outcome'>;

/** The audit entry a person's request about a student must leave. */
const by = (p: Person, studentId: string | null, action: AuditAction, outcome: AuditOutcome): Expected => ({
  actor: p.sub,
  role: p.role,
  student_id: studentId,
  action,
  outcome,
});

/** The whole audit trail, oldest first. */
async function trail(h: TestApp): Promise<AuditEntry[]> {
  return (await h.deps.audit.query({ limit: 1_000_000 })).entries.reverse();
}

/**
 * Runs one request and checks the audit entries it added: exactly `expected` (actor, role,
 * student, action, outcome, in order), all stamped with the clock and one request id that no
 * earlier entry carries. Returns the response and the added entries.
 */
async function audited(h: TestApp, expected: readonly Expected[], request: () => Promise<Response>): Promise<{ res: Response; added: AuditEntry[] }> {
  const before = await trail(h);
  const res = await request();
  const added = (await trail(h)).slice(before.length);
  assert.deepEqual(
    added.map(({ actor, role, student_id, action, outcome }) => ({ actor, role, student_id, action, outcome })),
    expected,
    `the audit entries of this request (it answered ${res.statusCode} ${res.body.slice(0, 300)})`,
  );
  const ids = new Set(added.map((e) => e.request_id));
  if (added.length > 0) {
    assert.equal(ids.size, 1, 'the entries of one request carry one request id');
    const [id] = [...ids];
    assert.ok(typeof id === 'string' && id.length > 0, 'the request id is set');
    assert.ok(!before.some((e) => e.request_id === id), `request id ${id} was already used by an earlier request`);
    for (const e of added) assert.equal(e.at, h.deps.clock.now().toISOString(), 'stamped with the clock');
  }
  return { res, added };
}

const put = (h: TestApp, url: string, body: unknown, token: string) =>
  h.app.inject({
    method: 'PUT',
    url,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

const del = (h: TestApp, url: string, token: string) => h.app.inject({ method: 'DELETE', url, headers: { authorization: `Bearer ${token}` } });

function json<T>(res: Response, status = 200): T {
  assert.equal(res.statusCode, status, res.body);
  return res.json() as T;
}

/** Posts events as the service; every one must be accepted, each student audited once. */
async function feed(h: Given, events: readonly WireEvent[]): Promise<void> {
  const students = [...new Set(events.map((e) => e.student_id))];
  const { res } = await audited(
    h,
    students.map((s) => by(h.service, s, 'events.ingest', 'allowed')),
    () => h.post('/v1/events', events, h.service.token),
  );
  assert.equal(json<Report>(res).accepted, events.length, res.body);
}

function twenty(student: string, at: string, topic?: string): WireEvent {
  return wire.completion(student, at, { total_exercises: 25, completed_exercises: 20 }, topic);
}

/** A minimal RFC 4180 reader (quoted fields, doubled quotes, line breaks inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------

describe('GET /v1/students/{id}/export (GDPR access)', () => {
  it('the student themself gets everything held: events, history, current result, consent, and the audit entries about them', async (t) => {
    const h = await given(t);
    const ada = await h.person('student', ADA);
    const events = workedExampleB(ADA);
    await feed(h, [...events, twenty(BO, '2026-01-13T09:00:00Z')]);
    const { res: masteryRes } = await audited(h, [by(h.admin, ADA, 'mastery.read', 'allowed')], () => h.get(`/v1/students/${ADA}/mastery`, h.admin.token));
    const { res: historyRes } = await audited(h, [by(h.admin, ADA, 'history.read', 'allowed')], () => h.get(`/v1/students/${ADA}/history`, h.admin.token));
    await audited(h, [by(h.admin, null, 'students.list', 'allowed')], () => h.get('/v1/students', h.admin.token));

    const { res, added } = await audited(h, [by(ada, ADA, 'export', 'allowed')], () => h.get(`/v1/students/${ADA}/export`, ada.token));

    const exported = json<Export>(res);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(exported.student_id, ADA);
    assert.equal(exported.exported_at, NOW_ISO);
    assert.deepEqual(exported.consent, { granted: null, updated_at: null });
    assert.deepEqual(
      exported.events.map((e) => e.event_id).sort(),
      events.map((e) => e.event_id.toLowerCase()).sort(),
      'every event of the student, and only theirs',
    );
    assert.ok(exported.events.every((e) => e.student_id === ADA));
    const mastery = json<Mastery>(masteryRes);
    assert.deepEqual(exported.current, {
      mastery_score: mastery.mastery_score,
      level: mastery.level,
      components: mastery.components,
      breakdown: mastery.breakdown,
      recommendations: mastery.recommendations,
      as_of: '2026-01-14',
    });
    assert.equal(exported.current?.mastery_score, 0.712, 'worked example B');
    assert.deepEqual(exported.history, json<History>(historyRes).days);
    assert.deepEqual(
      exported.history.map((d) => d.date),
      [...EXAMPLE_B_DAYS],
    );
    // The audit entries about the student, newest first: this export, the class list that
    // covered them, the two admin reads, the ingest.
    assert.ok(
      exported.audit.every((e) => e.student_id === ADA || e.students?.includes(ADA)),
      'only entries about the student',
    );
    assert.deepEqual(
      exported.audit.map((e) => `${e.actor} ${e.action} ${e.outcome}`),
      [
        'stu-ada export allowed',
        'root students.list allowed',
        'root history.read allowed',
        'root mastery.read allowed',
        'exercise-agent events.ingest allowed',
      ],
    );
    assert.deepEqual(exported.audit[1]?.students, [ADA, BO]);
    assert.equal(exported.audit[0]?.request_id, added[0]?.request_id);
    assert.deepEqual(added[0]?.detail, { events: events.length });
  });

  it('an admin may export anyone; the export shows consent once it is given', async (t) => {
    const h = await given(t);
    const ada = await h.person('student', ADA);
    await feed(h, [twenty(ADA, '2026-01-13T09:00:00Z')]);
    await audited(h, [by(ada, ADA, 'consent.update', 'allowed')], () => put(h, `/v1/students/${ADA}/consent`, { granted: true }, ada.token));

    const { res } = await audited(h, [by(h.admin, ADA, 'export', 'allowed')], () => h.get(`/v1/students/${ADA}/export`, h.admin.token));

    const exported = json<Export>(res);
    assert.equal(exported.events.length, 1);
    assert.deepEqual(exported.consent, { granted: true, updated_at: NOW_ISO });
  });

  it('a teacher (even of the student’s class), another student or a service → 403, audited as refused, and the body holds none of the data', async (t) => {
    const h = await given(t);
    const events = workedExampleB(ADA);
    await feed(h, events);
    const callers = [await h.person('teacher', 'mrs-t', [ADA]), await h.person('student', BO), h.service];

    for (const caller of callers) {
      for (const format of ['', '?format=csv']) {
        const { res } = await audited(h, [by(caller, ADA, 'export', 'refused')], () => h.get(`/v1/students/${ADA}/export${format}`, caller.token));

        errorOf(res, 403, 'FORBIDDEN');
        for (const e of events) assert.ok(!res.body.includes(e.event_id), `the refusal of ${caller.role} names an event id`);
        assert.ok(!res.body.includes('0.712'), 'the refusal holds the score');
      }
    }
  });

  it('a student the engine holds nothing about → 404, for an admin and for that student themself; audited as not_found', async (t) => {
    const h = await given(t);
    const ghost = await h.person('student', 'ghost');

    for (const caller of [h.admin, ghost]) {
      const { res } = await audited(h, [by(caller, 'ghost', 'export', 'not_found')], () => h.get('/v1/students/ghost/export', caller.token));

      errorOf(res, 404, 'STUDENT_NOT_FOUND');
    }
  });

  it('?format=csv: text/csv, the header row, then one row per event with data and metadata as JSON', async (t) => {
    const h = await given(t);
    const ada = await h.person('student', ADA);
    const quiz = wire.quiz(ADA, '2026-01-12T09:30:00Z', { total_questions: 20, correct_answers: 18 }, 'python.loops');
    quiz.metadata = { source: 'quiz-agent, "v2"', note: 'two\nlines' };
    const activity = wire.activity(ADA, '2026-01-13T08:00:00Z');
    const events = [twenty(ADA, '2026-01-11T09:00:00Z'), quiz, activity];
    await feed(h, events);

    const { res } = await audited(h, [by(ada, ADA, 'export', 'allowed')], () => h.get(`/v1/students/${ADA}/export?format=csv`, ada.token));

    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="stu-ada-events\.csv"$/);
    const [header, ...rows] = parseCsv(res.body);
    assert.deepEqual(header, ['event_id', 'event_type', 'timestamp', 'student_id', 'topic', 'component', 'data', 'metadata']);
    assert.equal(rows.length, events.length, 'one row per event');
    const byId = new Map(rows.map((r) => [r[0], r]));
    for (const e of events) {
      const row = byId.get(e.event_id);
      assert.ok(row, `a row for ${e.event_id}`);
      const [, eventType, timestamp, studentId, topic, component, data, metadata] = row;
      assert.deepEqual(
        { eventType, timestamp, studentId, topic, component },
        { eventType: e.event_type, timestamp: e.timestamp, studentId: ADA, topic: e.topic ?? 'general', component: e.component ?? '' },
      );
      assert.deepEqual(JSON.parse(data!), e.data);
      assert.deepEqual(metadata === '' ? undefined : JSON.parse(metadata!), e.metadata);
    }
  });
});

describe('DELETE /v1/students/{id} (erasure)', () => {
  it('an admin erases a student: 200 {student_id, events_erased}; every read then answers 404, the list lacks them, and neither the log nor the state store holds anything of them', async (t) => {
    const h = await given(t);
    const events = workedExampleB(ADA);
    await feed(h, [...events, twenty(BO, '2026-01-13T09:00:00Z')]);
    const ids = events.map((e) => e.event_id.toLowerCase());
    assert.equal((await h.deps.store.load([ADA])).size, 1, 'held before');

    const { res, added } = await audited(h, [by(h.admin, ADA, 'erase', 'allowed')], () => del(h, `/v1/students/${ADA}`, h.admin.token));

    assert.deepEqual(json(res), { student_id: ADA, events_erased: events.length });
    assert.deepEqual(added[0]?.detail, { events: events.length });
    for (const read of READS) {
      const { res: after } = await audited(h, [by(h.admin, ADA, READ_ACTION[read], 'not_found')], () => h.get(`/v1/students/${ADA}/${read}`, h.admin.token));
      errorOf(after, 404, 'STUDENT_NOT_FOUND');
    }
    const { res: exported } = await audited(h, [by(h.admin, ADA, 'export', 'not_found')], () => h.get(`/v1/students/${ADA}/export`, h.admin.token));
    errorOf(exported, 404, 'STUDENT_NOT_FOUND');
    const { res: listed, added: listedEntries } = await audited(h, [by(h.admin, null, 'students.list', 'allowed')], () => h.get('/v1/students', h.admin.token));
    assert.deepEqual(listedEntries[0]?.students, [BO], 'the class read names the students it covered: not the erased one');
    const list = json<StudentList>(listed);
    assert.deepEqual({ total: list.total, ids: list.students.map((s) => s.student_id) }, { total: 1, ids: [BO] });
    assert.deepEqual(await h.deps.log.readStudent(ADA), [], 'the event log holds none of their events');
    assert.equal((await h.deps.store.load([ADA])).size, 0, 'the state store holds no record of them');
    assert.deepEqual([...(await h.deps.store.unprocessed(ids))].sort(), [...ids].sort(), 'nor their processed markers');
    assert.equal((await h.deps.log.readStudent(BO)).length, 1, 'the other student is untouched');
  });

  it('the audit trail survives the erasure: the erasure and the earlier entries naming the id, and no mastery data', async (t) => {
    const h = await given(t);
    await feed(h, workedExampleB(ADA));
    await audited(h, [by(h.admin, ADA, 'mastery.read', 'allowed')], () => h.get(`/v1/students/${ADA}/mastery`, h.admin.token));
    await audited(h, [by(h.admin, ADA, 'erase', 'allowed')], () => del(h, `/v1/students/${ADA}`, h.admin.token));

    const page = json<AuditPage>(await h.get(`/v1/audit?student=${ADA}`, h.admin.token));

    assert.deepEqual(
      page.entries.map((e) => `${e.actor} ${e.action} ${e.outcome}`),
      ['root erase allowed', 'root mastery.read allowed', 'exercise-agent events.ingest allowed'],
    );
    for (const e of page.entries) {
      assert.equal(e.student_id, ADA);
      assert.deepEqual(
        Object.keys(e)
          .filter((k) => k !== 'detail')
          .sort(),
        ['action', 'actor', 'at', 'outcome', 'request_id', 'role', 'student_id'],
      );
    }
    const text = JSON.stringify(page);
    for (const number of ['0.712', '0.612', '0.486', 'competent']) assert.ok(!text.includes(number), `the trail holds ${number}`);
  });

  it("replaying the student's original events: each rejected by index with a reason naming the erasure, nothing stored", async (t) => {
    const h = await given(t);
    const events = workedExampleB(ADA);
    await feed(h, events);
    await audited(h, [by(h.admin, ADA, 'erase', 'allowed')], () => del(h, `/v1/students/${ADA}`, h.admin.token));
    const other = twenty(BO, '2026-01-13T09:00:00Z');

    const { res, added } = await audited(h, [by(h.service, ADA, 'events.ingest', 'refused'), by(h.service, BO, 'events.ingest', 'allowed')], () =>
      h.post('/v1/events', [...events, other], h.service.token),
    );

    const report = json<Report>(res);
    assert.deepEqual({ accepted: report.accepted, rejected: report.rejected }, { accepted: 1, rejected: events.length });
    events.forEach((e, index) => {
      const r = report.results[index];
      assert.equal(r?.index, index);
      assert.equal(r?.status, 'rejected');
      assert.equal(r?.event_id, e.event_id.toLowerCase());
      assert.equal(r?.errors?.[0]?.field, 'student_id');
      assert.match(r?.errors?.[0]?.message ?? '', /erased/);
    });
    assert.equal(report.results[events.length]?.status, 'accepted', 'another student in the same batch is not held back');
    assert.equal(added[0]?.detail?.events, events.length);
    assert.match(String(added[0]?.detail?.reason), /erased/);

    const single = await audited(h, [by(h.service, ADA, 'events.ingest', 'refused')], () => h.post('/v1/events', events[0], h.service.token));
    const body = errorOf(single.res, 422, 'INVALID_EVENT');
    assert.match(body.error.message, /erased/);
    assert.equal(body.error.details?.[0]?.field, 'student_id');

    assert.deepEqual(await h.deps.log.readStudent(ADA), [], 'nothing logged');
    assert.equal((await h.deps.store.load([ADA])).size, 0, 'nothing in the state store');
    const read = await audited(h, [by(h.admin, ADA, 'mastery.read', 'not_found')], () => h.get(`/v1/students/${ADA}/mastery`, h.admin.token));
    errorOf(read.res, 404, 'STUDENT_NOT_FOUND');
  });

  it('an explicit new consent lifts the tombstone: the events are accepted again and give the same result', async (t) => {
    const h = await given(t);
    const events = workedExampleB(ADA);
    await feed(h, events);
    const readMastery = async () =>
      json<Mastery>((await audited(h, [by(h.admin, ADA, 'mastery.read', 'allowed')], () => h.get(`/v1/students/${ADA}/mastery`, h.admin.token))).res);
    const before = await readMastery();
    await audited(h, [by(h.admin, ADA, 'erase', 'allowed')], () => del(h, `/v1/students/${ADA}`, h.admin.token));

    const { res } = await audited(h, [by(h.admin, ADA, 'consent.update', 'allowed')], () =>
      put(h, `/v1/students/${ADA}/consent`, { granted: true }, h.admin.token),
    );
    assert.deepEqual(json(res), { student_id: ADA, granted: true, updated_at: NOW_ISO });

    await feed(h, events);
    assert.deepEqual(await readMastery(), before);
    assert.equal((await h.deps.log.readStudent(ADA)).length, events.length);
  });

  it('withdrawing consent (granted: false) does not lift the tombstone', async (t) => {
    const h = await given(t);
    await feed(h, [twenty(ADA, '2026-01-13T09:00:00Z')]);
    await audited(h, [by(h.admin, ADA, 'erase', 'allowed')], () => del(h, `/v1/students/${ADA}`, h.admin.token));
    await audited(h, [by(h.admin, ADA, 'consent.update', 'allowed')], () => put(h, `/v1/students/${ADA}/consent`, { granted: false }, h.admin.token));

    const { res } = await audited(h, [by(h.service, ADA, 'events.ingest', 'refused')], () =>
      h.post('/v1/events', twenty(ADA, '2026-01-14T09:00:00Z'), h.service.token),
    );

    assert.match(errorOf(res, 422, 'INVALID_EVENT').error.message, /erased/);
    assert.deepEqual(await h.deps.log.readStudent(ADA), []);
  });

  it('an admin may erase a student the engine never saw: 200 with events_erased 0, and a tombstone that refuses their events', async (t) => {
    const h = await given(t);

    const { res } = await audited(h, [by(h.admin, ADA, 'erase', 'allowed')], () => del(h, `/v1/students/${ADA}`, h.admin.token));

    assert.deepEqual(json(res), { student_id: ADA, events_erased: 0 });
    const { res: refusedEvent } = await audited(h, [by(h.service, ADA, 'events.ingest', 'refused')], () =>
      h.post('/v1/events', twenty(ADA, '2026-01-14T09:00:00Z'), h.service.token),
    );
    errorOf(refusedEvent, 422, 'INVALID_EVENT');
    assert.deepEqual(await h.deps.log.readStudent(ADA), []);
  });

  it('by default a student may not erase themself; nor may a teacher of the class, another student or a service (403, audited, nothing erased)', async (t) => {
    const h = await given(t);
    await feed(h, [twenty(ADA, '2026-01-13T09:00:00Z')]);
    const callers = [await h.person('student', ADA), await h.person('teacher', 'mrs-t', [ADA]), await h.person('student', BO), h.service];

    for (const caller of callers) {
      const { res } = await audited(h, [by(caller, ADA, 'erase', 'refused')], () => del(h, `/v1/students/${ADA}`, caller.token));

      errorOf(res, 403, 'FORBIDDEN');
    }
    assert.equal((await h.deps.log.readStudent(ADA)).length, 1, 'nothing erased');
    assert.deepEqual(await h.deps.privacy.erasedStudents(), [], 'no tombstone');
  });

  it('with allowSelfErasure a student may erase themself, and still nobody else', async (t) => {
    const h = await given(t, { policy: { allowSelfErasure: true } });
    await feed(h, [twenty(ADA, '2026-01-13T09:00:00Z'), twenty(BO, '2026-01-13T09:00:00Z')]);
    const ada = await h.person('student', ADA);

    for (const caller of [await h.person('teacher', 'mrs-t', [BO]), ada, h.service]) {
      const { res } = await audited(h, [by(caller, BO, 'erase', 'refused')], () => del(h, `/v1/students/${BO}`, caller.token));
      errorOf(res, 403, 'FORBIDDEN');
    }
    const { res } = await audited(h, [by(ada, ADA, 'erase', 'allowed')], () => del(h, `/v1/students/${ADA}`, ada.token));

    assert.deepEqual(json(res), { student_id: ADA, events_erased: 1 });
    assert.deepEqual(await h.deps.log.readStudent(ADA), []);
    assert.equal((await h.deps.log.readStudent(BO)).length, 1);
    const read = await audited(h, [by(ada, ADA, 'mastery.read', 'not_found')], () => h.get(`/v1/students/${ADA}/mastery`, ada.token));
    errorOf(read.res, 404, 'STUDENT_NOT_FOUND');
  });

  it('an event in flight at the erasure (logged and applied behind the tombstone) is swept by the purge', async (t) => {
    const h = await given(t);
    await feed(h, workedExampleB(ADA));
    const late: LearningEvent[] = (await h.deps.log.readStudent(ADA)).slice(-1);
    await audited(h, [by(h.admin, ADA, 'erase', 'allowed')], () => del(h, `/v1/students/${ADA}`, h.admin.token));
    // A batch that passed admission just before the tombstone, and was appended and folded just after the erasure.
    await h.deps.log.append(late);
    await applyEvents(h.deps, late);
    assert.equal((await h.deps.log.readStudent(ADA)).length, 1, 'precondition: the in-flight event is held');

    const report = await purgeExpired(h.deps);

    assert.equal(report.erased_leftovers, 1);
    assert.deepEqual(await h.deps.log.readStudent(ADA), []);
    assert.equal((await h.deps.store.load([ADA])).size, 0);
    const exported = await audited(h, [by(h.admin, ADA, 'export', 'not_found')], () => h.get(`/v1/students/${ADA}/export`, h.admin.token));
    errorOf(exported.res, 404, 'STUDENT_NOT_FOUND');
    assert.equal((await purgeExpired(h.deps)).erased_leftovers, 0, 'a second sweep finds nothing more');
  });
});

describe('PUT /v1/students/{id}/consent', () => {
  it('the student themself → 200 {student_id, granted, updated_at}, audited with what was granted', async (t) => {
    const h = await given(t);
    const ada = await h.person('student', ADA);

    const { res, added } = await audited(h, [by(ada, ADA, 'consent.update', 'allowed')], () =>
      put(h, `/v1/students/${ADA}/consent`, { granted: true }, ada.token),
    );

    assert.deepEqual(json(res), { student_id: ADA, granted: true, updated_at: NOW_ISO });
    assert.deepEqual(added[0]?.detail, { granted: true });
  });

  it('an admin → 200, and may withdraw it', async (t) => {
    const h = await given(t);

    const { res, added } = await audited(h, [by(h.admin, ADA, 'consent.update', 'allowed')], () =>
      put(h, `/v1/students/${ADA}/consent`, { granted: false }, h.admin.token),
    );

    assert.deepEqual(json(res), { student_id: ADA, granted: false, updated_at: NOW_ISO });
    assert.deepEqual(added[0]?.detail, { granted: false });
    assert.equal((await h.deps.privacy.statuses([ADA])).get(ADA)?.consent, false);
  });

  it('a teacher of the class, another student or a service → 403, audited as refused, consent unchanged', async (t) => {
    const h = await given(t);
    const callers = [await h.person('teacher', 'mrs-t', [ADA]), await h.person('student', BO), h.service];

    for (const caller of callers) {
      const { res } = await audited(h, [by(caller, ADA, 'consent.update', 'refused')], () =>
        put(h, `/v1/students/${ADA}/consent`, { granted: true }, caller.token),
      );

      errorOf(res, 403, 'FORBIDDEN');
    }
    assert.equal((await h.deps.privacy.statuses([ADA])).size, 0, 'nothing recorded');
  });
});

describe('policy requireConsent', () => {
  it('events of a student without consent are rejected with a clear reason and not stored; after consent they are accepted', async (t) => {
    const h = await given(t, { policy: { requireConsent: true } });
    const ada = await h.person('student', ADA);
    const first = twenty(ADA, '2026-01-13T09:00:00Z');

    const single = await audited(h, [by(h.service, ADA, 'events.ingest', 'refused')], () => h.post('/v1/events', first, h.service.token));

    const body = errorOf(single.res, 422, 'INVALID_EVENT');
    assert.match(body.error.message, /has not granted consent/);
    assert.equal(body.error.details?.[0]?.field, 'student_id');
    assert.match(String(single.added[0]?.detail?.reason), /consent/);
    assert.deepEqual(await h.deps.log.readStudent(ADA), [], 'not logged');
    assert.equal((await h.deps.store.load([ADA])).size, 0, 'not applied');

    await audited(h, [by(h.admin, BO, 'consent.update', 'allowed')], () => put(h, `/v1/students/${BO}/consent`, { granted: true }, h.admin.token));
    const mixed = await audited(h, [by(h.service, ADA, 'events.ingest', 'refused'), by(h.service, BO, 'events.ingest', 'allowed')], () =>
      h.post('/v1/events', [first, twenty(BO, '2026-01-13T09:00:00Z')], h.service.token),
    );
    const report = json<Report>(mixed.res);
    assert.deepEqual(
      report.results.map((r) => r.status),
      ['rejected', 'accepted'],
    );
    assert.match(report.results[0]?.errors?.[0]?.message ?? '', /consent/);
    assert.deepEqual(await h.deps.log.readStudent(ADA), []);

    await audited(h, [by(ada, ADA, 'consent.update', 'allowed')], () => put(h, `/v1/students/${ADA}/consent`, { granted: true }, ada.token));
    await feed(h, [first]);
    assert.equal((await h.deps.log.readStudent(ADA)).length, 1);
  });

  it('withdrawn consent refuses further events; what is held stays readable (withdrawal is not erasure)', async (t) => {
    const h = await given(t, { policy: { requireConsent: true } });
    const ada = await h.person('student', ADA);
    await audited(h, [by(ada, ADA, 'consent.update', 'allowed')], () => put(h, `/v1/students/${ADA}/consent`, { granted: true }, ada.token));
    await feed(h, [twenty(ADA, '2026-01-13T09:00:00Z')]);
    await audited(h, [by(ada, ADA, 'consent.update', 'allowed')], () => put(h, `/v1/students/${ADA}/consent`, { granted: false }, ada.token));

    const { res } = await audited(h, [by(h.service, ADA, 'events.ingest', 'refused')], () =>
      h.post('/v1/events', twenty(ADA, '2026-01-14T09:00:00Z'), h.service.token),
    );

    assert.match(errorOf(res, 422, 'INVALID_EVENT').error.message, /consent/);
    assert.equal((await h.deps.log.readStudent(ADA)).length, 1);
    const read = await audited(h, [by(ada, ADA, 'mastery.read', 'allowed')], () => h.get(`/v1/students/${ADA}/mastery`, ada.token));
    assert.equal(read.res.statusCode, 200);
  });
});

describe('retention', () => {
  it('what is older than the retention period disappears from the log, the state store and the audit trail', async (t) => {
    const h = await given(t, { policy: { retentionDays: 30 } });
    await feed(h, workedExampleB(ADA));
    await audited(h, [by(h.admin, ADA, 'mastery.read', 'allowed')], () => h.get(`/v1/students/${ADA}/mastery`, h.admin.token));

    // 2026-02-05 − 30 days = 2026-01-06: the consistency events of 1–5 January leave.
    h.deps.clock = fixedClock('2026-02-05T12:00:00Z');
    const first = await purgeExpired(h.deps);

    assert.deepEqual(first, { cutoff: '2026-01-06T00:00:00.000Z', events: 5, students: 1, erased_leftovers: 0, audit_entries: 0 });
    const { res } = await audited(h, [by(h.admin, ADA, 'history.read', 'allowed')], () => h.get(`/v1/students/${ADA}/history`, h.admin.token));
    assert.deepEqual(
      json<History>(res).days.map((d) => d.date),
      ['2026-01-10', '2026-01-11', '2026-01-12'],
    );
    assert.equal((await h.deps.log.readStudent(ADA)).length, 6);

    // 2026-03-01 − 30 days = 2026-01-30: everything of January leaves, the audit entries of 14 January too.
    h.deps.clock = fixedClock('2026-03-01T12:00:00Z');
    const second = await purgeExpired(h.deps);

    assert.deepEqual({ events: second.events, students: second.students, audit_entries: second.audit_entries }, { events: 6, students: 1, audit_entries: 2 });
    assert.deepEqual(await h.deps.log.readStudent(ADA), []);
    assert.equal((await h.deps.store.load([ADA])).size, 0);
    const gone = await audited(h, [by(h.admin, ADA, 'mastery.read', 'not_found')], () => h.get(`/v1/students/${ADA}/mastery`, h.admin.token));
    errorOf(gone.res, 404, 'STUDENT_NOT_FOUND');
    assert.deepEqual(
      (await trail(h)).map((e) => `${e.at} ${e.action}`),
      ['2026-02-05T12:00:00.000Z history.read', '2026-03-01T12:00:00.000Z mastery.read'],
      'the audit entries inside the retention period stay',
    );
  });
});

describe('GET /v1/audit', () => {
  it('is for admins: a student, a teacher or a service → 403', async (t) => {
    const h = await given(t);
    const callers = [await h.person('student', ADA), await h.person('teacher', 'mrs-t', [ADA]), h.service];

    for (const caller of callers) errorOf(await h.get(`/v1/audit?student=${ADA}`, caller.token), 403, 'FORBIDDEN');
    assert.equal(json<AuditPage>(await h.get('/v1/audit', h.admin.token)).next, null);
  });

  /** A morning of requests an hour apart: ingest at 9, an admin read at 10, a teacher at 11, a student at 12. */
  async function morning(t: TestContext) {
    const h = await given(t, { now: '2026-01-14T09:00:00Z' });
    const ada = await h.person('student', ADA);
    const teacher = await h.person('teacher', 'mrs-t', [BO]);
    await feed(h, [twenty(ADA, '2026-01-13T09:00:00Z'), twenty(BO, '2026-01-13T09:00:00Z')]);
    h.deps.clock = fixedClock('2026-01-14T10:00:00Z');
    await audited(h, [by(h.admin, ADA, 'mastery.read', 'allowed')], () => h.get(`/v1/students/${ADA}/mastery`, h.admin.token));
    h.deps.clock = fixedClock('2026-01-14T11:00:00Z');
    await audited(h, [by(teacher, BO, 'history.read', 'allowed')], () => h.get(`/v1/students/${BO}/history`, teacher.token));
    await audited(h, [by(teacher, ADA, 'mastery.read', 'refused')], () => h.get(`/v1/students/${ADA}/mastery`, teacher.token));
    h.deps.clock = fixedClock('2026-01-14T12:00:00Z');
    await audited(h, [by(ada, ADA, 'path.read', 'allowed')], () => h.get(`/v1/students/${ADA}/path`, ada.token));
    const read = async (query: string) => {
      const page = json<AuditPage>(await h.get(`/v1/audit${query}`, h.admin.token));
      // Reading the trail is audited too; those entries have a test of their own below.
      return page.entries.filter((e) => e.action !== 'audit.read').map((e) => `${e.at.slice(11, 13)}h ${e.actor} ${e.student_id} ${e.action} ${e.outcome}`);
    };
    return { h, read };
  }

  it('filters by student and by actor, newest first', async (t) => {
    const { read } = await morning(t);

    assert.deepEqual(await read(`?student=${ADA}`), [
      '12h stu-ada stu-ada path.read allowed',
      '11h mrs-t stu-ada mastery.read refused',
      '10h root stu-ada mastery.read allowed',
      '09h exercise-agent stu-ada events.ingest allowed',
    ]);
    assert.deepEqual(await read('?actor=mrs-t'), ['11h mrs-t stu-ada mastery.read refused', '11h mrs-t stu-bo history.read allowed']);
    assert.deepEqual(await read(`?student=${ADA}&actor=mrs-t`), ['11h mrs-t stu-ada mastery.read refused']);
    assert.deepEqual(await read('?actor=nobody'), []);
  });

  it('filters by time, from and to inclusive, as date-times or dates', async (t) => {
    const { read } = await morning(t);

    assert.deepEqual(await read('?from=2026-01-14T10:00:00Z&to=2026-01-14T11:00:00Z'), [
      '11h mrs-t stu-ada mastery.read refused',
      '11h mrs-t stu-bo history.read allowed',
      '10h root stu-ada mastery.read allowed',
    ]);
    assert.deepEqual(await read('?from=2026-01-14T11:30:00%2B00:00'), ['12h stu-ada stu-ada path.read allowed']);
    assert.deepEqual(await read('?to=2026-01-13'), []);
    assert.equal((await read('?from=2026-01-14')).length, 6);
  });

  it('pages with limit and next: the pages together are the whole trail, each entry once', async (t) => {
    const { h, read } = await morning(t);
    const whole = await read('?limit=1000');

    const paged: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const page: AuditPage = json<AuditPage>(await h.get(`/v1/audit?limit=2${next === null ? '' : `&cursor=${next}`}`, h.admin.token));
      assert.ok(page.entries.length <= 2);
      paged.push(
        ...page.entries.filter((e) => e.action !== 'audit.read').map((e) => `${e.at.slice(11, 13)}h ${e.actor} ${e.student_id} ${e.action} ${e.outcome}`),
      );
      next = page.next;
      pages++;
    } while (next !== null);

    assert.equal(whole.length, 6);
    assert.deepEqual(paged, whole);
    assert.ok(pages >= 3, `${pages} pages of 2`);
  });

  it('records every read of the trail itself: who looked, at whom, allowed or refused', async (t) => {
    const { h } = await morning(t);
    const teacher = await h.token('teacher', 'mrs-t', [ADA]);
    assert.equal((await h.get(`/v1/audit?student=${ADA}`, teacher)).statusCode, 403);
    assert.equal((await h.get(`/v1/audit?student=${ADA}&limit=3`, h.admin.token)).statusCode, 200);

    const page = json<AuditPage>(await h.get('/v1/audit?limit=1000', h.admin.token));
    const reads = page.entries.filter((e) => e.action === 'audit.read').map((e) => `${e.actor} ${e.role} ${e.student_id} ${e.outcome}`);
    // Newest first; a read's own entry is written after its answer, so the last read is not in it.
    assert.deepEqual(reads, ['root admin stu-ada allowed', 'mrs-t teacher stu-ada refused']);
  });

  it('answers each entry with actor, role, student, action, outcome, request id and time', async (t) => {
    const { h } = await morning(t);

    const page = json<AuditPage>(await h.get('/v1/audit?actor=mrs-t', h.admin.token));

    for (const e of page.entries) {
      assert.deepEqual(
        Object.keys(e)
          .filter((k) => k !== 'detail')
          .sort(),
        ['action', 'actor', 'at', 'outcome', 'request_id', 'role', 'student_id'],
      );
      assert.equal(e.role, 'teacher');
      assert.match(e.request_id, /\S/);
    }
    assert.notEqual(page.entries[0]?.request_id, page.entries[1]?.request_id, 'two requests, two request ids');
  });

  for (const query of ['cursor=abc', 'limit=0', 'limit=1001', 'from=not-a-date', 'to=2026-13-45', 'who=me']) {
    it(`?${query} → 400 BAD_REQUEST`, async (t) => {
      const h = await given(t);

      errorOf(await h.get(`/v1/audit?${query}`, h.admin.token), 400, 'BAD_REQUEST');
    });
  }
});

describe('the per-token rate limit', () => {
  it('the 4th request in a minute with one token → 429 RATE_LIMITED with Retry-After, having read nothing; another token is not affected', async (t) => {
    const h = await given(t, { ratePerMinute: 3 });
    const ada = await h.person('student', ADA);
    await feed(h, [twenty(ADA, '2026-01-13T09:00:00Z')]);

    for (let i = 0; i < 3; i++) {
      const { res } = await audited(h, [by(ada, ADA, 'mastery.read', 'allowed')], () => h.get(`/v1/students/${ADA}/mastery`, ada.token));
      assert.equal(res.statusCode, 200, res.body);
    }
    const { res: limited } = await audited(h, [], () => h.get(`/v1/students/${ADA}/mastery`, ada.token));

    errorOf(limited, 429, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60, `Retry-After: ${String(limited.headers['retry-after'])}`);
    const { res: other } = await audited(h, [by(h.admin, ADA, 'mastery.read', 'allowed')], () => h.get(`/v1/students/${ADA}/mastery`, h.admin.token));
    assert.equal(other.statusCode, 200, 'another token has its own budget');
  });

  it('a rate-limited post stores nothing', async (t) => {
    const h = await given(t, { ratePerMinute: 3 });
    await feed(h, [twenty(ADA, '2026-01-13T09:00:00Z')]);
    await feed(h, [twenty(ADA, '2026-01-13T10:00:00Z')]);
    await feed(h, [twenty(ADA, '2026-01-13T11:00:00Z')]);

    const { res } = await audited(h, [], () => h.post('/v1/events', twenty(BO, '2026-01-13T12:00:00Z'), h.service.token));

    errorOf(res, 429, 'RATE_LIMITED');
    assert.deepEqual(await h.deps.log.readStudent(BO), []);
    assert.equal((await h.deps.log.readStudent(ADA)).length, 3);
  });
});
