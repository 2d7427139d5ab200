/** POST /v1/events through the front door (api.md, events.md): outcomes, limits, errors, tokens, updates. */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { errorOf, testApp, wire, type TestApp, type TestAppOptions, type WireEvent } from '../testing/test-app.js';

interface Outcome {
  index: number;
  event_id?: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  errors?: Array<{ field: string; message: string }>;
}

interface Report {
  accepted: number;
  duplicate: number;
  rejected: number;
  results: Outcome[];
  updated: string[];
}

interface Mastery {
  mastery_score: number;
  components: { completion: number; quiz: number; quality: number; consistency: number };
}

interface StudentList {
  total: number;
  students: Array<{ student_id: string; mastery_score: number }>;
}

const TODAY = '2026-01-14T10:00:00Z';

async function given(t: TestContext, options?: TestAppOptions) {
  const h = await testApp(options);
  t.after(() => h.app.close());
  return { ...h, service: await h.token('service', 'exercise-agent'), admin: await h.token('admin', 'root') };
}

type Given = Awaited<ReturnType<typeof given>>;

/** One app for the tests of a describe; each test keeps to its own students. */
function shared(): () => Given {
  let h: Given | undefined;
  before(async () => {
    const app = await testApp();
    h = { ...app, service: await app.token('service', 'exercise-agent'), admin: await app.token('admin', 'root') };
  });
  after(() => h?.app.close());
  return () => {
    assert.ok(h, 'the shared app is built in before()');
    return h;
  };
}

function reportOf(res: { statusCode: number; body: string; json(): unknown }): Report {
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Report;
}

async function masteryOf(h: TestApp, admin: string, studentId: string): Promise<Mastery> {
  const res = await h.get(`/v1/students/${studentId}/mastery`, admin);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Mastery;
}

const twentyOfTwentyFive = (student: string) => wire.completion(student, TODAY, { total_exercises: 25, completed_exercises: 20 });

describe('POST /v1/events: one event', () => {
  it('a valid event → 200, accepted 1, results[0] accepted, and the student is known with its input', async (t) => {
    const h = await given(t);
    const event = twentyOfTwentyFive('alice');

    const report = reportOf(await h.post('/v1/events', event, h.service));

    assert.deepEqual(report, {
      accepted: 1,
      duplicate: 0,
      rejected: 0,
      results: [{ index: 0, event_id: event.event_id, status: 'accepted' }],
      updated: ['alice'],
    });
    assert.equal((await masteryOf(h, h.admin, 'alice')).components.completion, 0.8);
  });

  it('the same event again → duplicate, and nothing changes: state, log and updates stay as they were', async (t) => {
    const h = await given(t);
    const event = twentyOfTwentyFive('alice');
    reportOf(await h.post('/v1/events', event, h.service));
    const before = await masteryOf(h, h.admin, 'alice');
    const updatesBefore = h.updates.length;

    const report = reportOf(await h.post('/v1/events', event, h.service));

    assert.equal(report.accepted, 0);
    assert.equal(report.duplicate, 1);
    assert.deepEqual(report.results, [{ index: 0, event_id: event.event_id, status: 'duplicate' }]);
    assert.deepEqual(report.updated, []);
    assert.deepEqual(await masteryOf(h, h.admin, 'alice'), before);
    assert.equal(h.updates.length, updatesBefore, 'no mastery.updated for a duplicate');
    assert.equal((await h.deps.log.readStudent('alice')).length, 1);
  });

  it('a known event_id with different content is a duplicate: the first report stands', async (t) => {
    const h = await given(t);
    const event = twentyOfTwentyFive('alice');
    reportOf(await h.post('/v1/events', event, h.service));

    const replay = { ...event, data: { total_exercises: 25, completed_exercises: 5 } };
    const report = reportOf(await h.post('/v1/events', replay, h.service));

    assert.equal(report.results[0]?.status, 'duplicate');
    assert.equal((await masteryOf(h, h.admin, 'alice')).components.completion, 0.8);
  });

  it('a timestamp exactly 5 minutes after the clock is still accepted', async (t) => {
    const h = await given(t);
    const event = { ...twentyOfTwentyFive('alice'), timestamp: '2026-01-14T12:05:00Z' };

    const report = reportOf(await h.post('/v1/events', event, h.service));

    assert.equal(report.accepted, 1);
  });
});

describe('POST /v1/events: one invalid event', () => {
  const app = shared();

  const invalid: Array<[string, (e: WireEvent) => unknown, string]> = [
    ['completed_exercises above total_exercises', (e) => ({ ...e, data: { total_exercises: 25, completed_exercises: 26 } }), 'data.completed_exercises'],
    ['a missing completed_exercises', (e) => ({ ...e, data: { total_exercises: 25 } }), 'data.completed_exercises'],
    ['an unknown data field', (e) => ({ ...e, data: { ...e.data, bonus: 1 } }), 'data.bonus'],
    ['an event_id that is not a UUID', (e) => ({ ...e, event_id: 'evt-1' }), 'event_id'],
    ['a timestamp 6 minutes after the clock', (e) => ({ ...e, timestamp: '2026-01-14T12:06:00Z' }), 'timestamp'],
    ['a timestamp without an offset', (e) => ({ ...e, timestamp: '2026-01-14T10:00:00' }), 'timestamp'],
    ['a student_id with a colon', (e) => ({ ...e, student_id: 'alice:1' }), 'student_id'],
    ['no component on mastery.calculation.requested', ({ component: _c, ...e }) => e, 'component'],
  ];
  for (const [i, [what, spoil, field]] of invalid.entries()) {
    it(`an invalid event (${what}) → 422 INVALID_EVENT naming ${field}, and nothing stored`, async () => {
      const h = app();
      const student = `invalid-${i}`;

      const res = await h.post('/v1/events', spoil(twentyOfTwentyFive(student)), h.service);

      const body = errorOf(res, 422, 'INVALID_EVENT');
      assert.ok(
        body.error.details?.some((d) => d.field === field),
        `details name ${field}: ${res.body}`,
      );
      assert.deepEqual(await h.deps.log.readStudent(student), []);
      assert.equal(h.updates.length, 0, 'no invalid event has published an update');
      assert.equal(((await h.get('/v1/students', h.admin)).json() as StudentList).total, 0, 'no invalid event has made a student known');
    });
  }
});

describe('POST /v1/events: batches', () => {
  it('exactly 1,000 valid events in one request → 200, accepted 1000, and every one of them is applied', async (t) => {
    const h = await given(t);
    // Student s-0000…s-0999, each with one completion report of (i mod 26) of 25.
    const events = Array.from({ length: 1000 }, (_, i) =>
      wire.completion(`s-${String(i).padStart(4, '0')}`, TODAY, { total_exercises: 25, completed_exercises: i % 26 }),
    );

    const report = reportOf(await h.post('/v1/events', events, h.service));

    assert.equal(report.accepted, 1000);
    assert.equal(report.duplicate + report.rejected, 0);
    assert.equal(report.results.length, 1000);
    assert.ok(report.results.every((r, i) => r.index === i && r.status === 'accepted' && r.event_id === events[i]?.event_id));
    const list = (await h.get('/v1/students?limit=1000', h.admin)).json() as StudentList;
    assert.equal(list.total, 1000);
    assert.equal(list.students.length, 1000);
    for (const [i, s] of list.students.entries()) {
      assert.equal(s.student_id, `s-${String(i).padStart(4, '0')}`);
      // completion × 0.4, plus consistency 1 (one active day, today) × 0.1
      const expected = Math.round((0.4 * ((i % 26) / 25) + 0.1) * 1000) / 1000;
      assert.equal(s.mastery_score, expected, s.student_id);
    }
  });

  it('1,001 events → 413 PAYLOAD_TOO_LARGE, and none of them is stored', async (t) => {
    const h = await given(t);
    const events = Array.from({ length: 1001 }, (_, i) => twentyOfTwentyFive(`s-${i}`));

    const res = await h.post('/v1/events', events, h.service);

    errorOf(res, 413, 'PAYLOAD_TOO_LARGE');
    assert.equal(((await h.get('/v1/students', h.admin)).json() as StudentList).total, 0);
  });

  it('an empty array → 400 BAD_REQUEST', async (t) => {
    const h = await given(t);

    errorOf(await h.post('/v1/events', [], h.service), 400, 'BAD_REQUEST');
  });

  it('a mix of good and bad events → 200: the good ones applied, each bad one reported by index with its errors and not stored', async (t) => {
    const h = await given(t);
    const good1 = twentyOfTwentyFive('alice');
    const bad1 = wire.quiz('bob', TODAY, { total_questions: 10, correct_answers: 11 });
    const good2 = wire.quality('alice', TODAY, { avg_code_quality: 0.9, correctness: 0.8, efficiency: 0.7 });
    const bad2 = wire.completion('carol', TODAY, { total_exercises: 0, completed_exercises: 0 });
    const bad3 = 'not an event';

    const report = reportOf(await h.post('/v1/events', [good1, bad1, good2, bad2, bad3], h.service));

    assert.equal(report.accepted, 2);
    assert.equal(report.rejected, 3);
    assert.equal(report.duplicate, 0);
    assert.deepEqual(report.results[0], { index: 0, event_id: good1.event_id, status: 'accepted' });
    assert.deepEqual(report.results[2], { index: 2, event_id: good2.event_id, status: 'accepted' });
    const rejected = (i: number, field: string) => {
      const r = report.results[i];
      assert.equal(r?.index, i);
      assert.equal(r?.status, 'rejected');
      assert.ok(
        r?.errors?.some((e) => e.field === field && e.message.length > 0),
        `result ${i} names ${field}: ${JSON.stringify(r)}`,
      );
    };
    rejected(1, 'data.correct_answers');
    rejected(3, 'data.total_exercises');
    rejected(4, '(event)');
    assert.equal(report.results[1]?.event_id, bad1.event_id, 'a rejected event is named by its event_id when it has one');
    assert.deepEqual(report.updated, ['alice']);

    const alice = await masteryOf(h, h.admin, 'alice');
    assert.equal(alice.components.completion, 0.8);
    assert.equal(alice.components.quality, 0.8);
    for (const unknown of ['bob', 'carol']) {
      errorOf(await h.get(`/v1/students/${unknown}/mastery`, h.admin), 404, 'STUDENT_NOT_FOUND');
      assert.deepEqual(await h.deps.log.readStudent(unknown), []);
    }
  });

  it('the same event_id twice in one batch → the first accepted, the second duplicate, one stored', async (t) => {
    const h = await given(t);
    const event = twentyOfTwentyFive('alice');
    const other = wire.activity('alice', TODAY);

    const report = reportOf(await h.post('/v1/events', [event, other, event], h.service));

    assert.deepEqual(
      report.results.map((r) => [r.index, r.event_id, r.status]),
      [
        [0, event.event_id, 'accepted'],
        [1, other.event_id, 'accepted'],
        [2, event.event_id, 'duplicate'],
      ],
    );
    assert.equal(report.accepted, 2);
    assert.equal(report.duplicate, 1);
    assert.equal((await h.deps.log.readStudent('alice')).length, 2);
  });

  it('an event_id in upper case is the same event as in lower case', async (t) => {
    const h = await given(t);
    const event = twentyOfTwentyFive('alice');

    const report = reportOf(await h.post('/v1/events', [event, { ...event, event_id: event.event_id.toUpperCase() }], h.service));

    assert.deepEqual(
      report.results.map((r) => r.status),
      ['accepted', 'duplicate'],
    );
  });
});

describe('POST /v1/events: malformed requests', () => {
  it('malformed JSON → 400 with the error shape and no stack trace; nothing stored', async (t) => {
    const h = await given(t);

    const res = await h.post('/v1/events', '[{"event_id": "x", ', h.service);

    errorOf(res, 400, 'BAD_REQUEST');
    assert.equal(((await h.get('/v1/students', h.admin)).json() as StudentList).total, 0);
  });

  it('a body that is not JSON at all (text/plain) → a 4xx with the error shape, never 500, and nothing stored', async (t) => {
    const h = await given(t);

    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${h.service}`, 'content-type': 'text/plain' },
      payload: 'hello',
    });

    // 415: the body is not JSON, whatever its text says (docs/decisions.md).
    errorOf(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal(((await h.get('/v1/students', h.admin)).json() as StudentList).total, 0);
  });
});

describe('POST /v1/events: who may post', () => {
  const app = shared();

  it('no token → 401 UNAUTHORIZED, and nothing stored', async () => {
    const h = app();

    errorOf(await h.post('/v1/events', twentyOfTwentyFive('anon'), undefined), 401, 'UNAUTHORIZED');
    assert.deepEqual(await h.deps.log.readStudent('anon'), []);
  });

  it('a token that is not a bearer token → 401', async () => {
    const h = app();

    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Basic ${Buffer.from('svc:secret').toString('base64')}`, 'content-type': 'application/json' },
      payload: JSON.stringify(twentyOfTwentyFive('basic')),
    });

    errorOf(res, 401, 'UNAUTHORIZED');
  });

  for (const role of ['student', 'teacher'] as const) {
    it(`a ${role} token → 403 FORBIDDEN, and nothing stored (even about the ${role} itself)`, async () => {
      const h = app();
      const student = `by-${role}`;
      const token = await h.token(role, student, role === 'teacher' ? [student] : undefined);

      errorOf(await h.post('/v1/events', twentyOfTwentyFive(student), token), 403, 'FORBIDDEN');
      assert.deepEqual(await h.deps.log.readStudent(student), []);
      const { entries } = await h.deps.audit.query({ limit: 10 });
      const refused = entries.filter((e) => e.action === 'events.ingest' && e.actor === student);
      assert.deepEqual(
        refused.map(({ actor, role: r, student_id, outcome, detail }) => ({ actor, role: r, student_id, outcome, detail })),
        [{ actor: student, role, student_id: null, outcome: 'refused', detail: { reason: `a ${role} token may not post events` } }],
        'the refusal is audited, once, naming no student',
      );
    });
  }

  for (const role of ['service', 'admin'] as const) {
    it(`a ${role} token → allowed`, async () => {
      const h = app();
      const token = await h.token(role, `${role}-1`);

      assert.equal(reportOf(await h.post('/v1/events', twentyOfTwentyFive(`for-${role}`), token)).accepted, 1);
      assert.equal((await h.deps.log.readStudent(`for-${role}`)).length, 1);
    });
  }
});

describe('POST /v1/events: one mastery.updated per changed student per batch', () => {
  it('500 events about one student → exactly one update, carrying the result as of the clock’s day', async (t) => {
    const h = await given(t);
    const events = Array.from({ length: 500 }, (_, i) =>
      wire.completion('alice', new Date(Date.parse('2026-01-14T00:00:00Z') + i * 60_000).toISOString(), {
        total_exercises: 500,
        completed_exercises: i,
      }),
    );

    const report = reportOf(await h.post('/v1/events', events, h.service));

    assert.equal(report.accepted, 500);
    assert.deepEqual(report.updated, ['alice']);
    assert.equal(h.updates.length, 1);
    const update = h.updates[0]!;
    const now = await masteryOf(h, h.admin, 'alice');
    assert.equal(update.student_id, 'alice');
    assert.equal(update.event_type, 'mastery.updated');
    assert.equal(update.mastery_score, now.mastery_score);
    assert.deepEqual(update.components, now.components);
    assert.equal(update.components.completion, 0.998, 'the latest report (499 of 500) wins');
  });

  it('the same 500 again (only duplicates) → no update at all', async (t) => {
    const h = await given(t);
    const events = Array.from({ length: 500 }, () => wire.activity('alice', TODAY));
    reportOf(await h.post('/v1/events', events, h.service));
    assert.equal(h.updates.length, 1, 'given: one update for the first batch');

    const report = reportOf(await h.post('/v1/events', events, h.service));

    assert.equal(report.duplicate, 500);
    assert.deepEqual(report.updated, []);
    assert.equal(h.updates.length, 1);
  });

  it('a batch about three students → one update each', async (t) => {
    const h = await given(t);
    const events = ['alice', 'bob', 'carol'].flatMap((s) => [twentyOfTwentyFive(s), wire.activity(s, TODAY), twentyOfTwentyFive(s)]);

    const report = reportOf(await h.post('/v1/events', events, h.service));

    assert.deepEqual([...report.updated].sort(), ['alice', 'bob', 'carol']);
    assert.deepEqual(h.updates.map((u) => u.student_id).sort(), ['alice', 'bob', 'carol']);
  });

  it('two batches that each change the result → two updates, each with its own event_id', async (t) => {
    const h = await given(t);
    reportOf(await h.post('/v1/events', twentyOfTwentyFive('alice'), h.service));
    reportOf(await h.post('/v1/events', wire.quiz('alice', TODAY, { total_questions: 10, correct_answers: 9 }), h.service));

    assert.equal(h.updates.length, 2);
    assert.notEqual(h.updates[0]?.event_id, h.updates[1]?.event_id);
    assert.match(h.updates[0]?.event_id ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
