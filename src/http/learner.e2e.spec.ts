/** The learner model over HTTP: answers in, knowledge, forecast and parameter versions out (learner-model §1–§4, §6). */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { errorOf, testApp, wire, type TestApp } from '../testing/test-app.js';

interface Knowledge {
  student_id: string;
  as_of: string;
  model_version: string;
  topics: Array<{ topic: string; p_known: number; p_correct: number; responses: number; last_response_at: string | null }>;
}

async function app(t: TestContext): Promise<TestApp> {
  const a = await testApp({ now: '2026-03-10T12:00:00Z' });
  t.after(() => a.app.close());
  return a;
}

/** `n` answers of a student on a topic, one a minute from 09:00 on the day, right when `right(i)`. */
function answers(student: string, day: string, topic: string, n: number, right: (i: number) => boolean) {
  return Array.from({ length: n }, (_, i) =>
    wire.response(
      student,
      `${day}T09:${String(i % 60).padStart(2, '0')}:${String(Math.floor(i / 60)).padStart(2, '0')}Z`,
      { item_id: `${topic}-q${i % 7}`, correct: right(i) },
      topic,
    ),
  );
}

describe('HTTP: response.recorded and knowledge', () => {
  it('accepts answers and answers knowledge per topic, with the version used', async (t) => {
    const a = await app(t);
    const service = await a.token('service', 'quiz-agent');
    const posted = await a.post(
      '/v1/events',
      [...answers('stu-1', '2026-03-02', 'loops', 6, (i) => i % 2 === 0), ...answers('stu-1', '2026-03-03', 'lists', 3, () => true)],
      service,
    );
    assert.equal(posted.statusCode, 200, posted.body);
    assert.equal(posted.json().accepted, 9);
    const res = await a.get('/v1/students/stu-1/knowledge', await a.token('student', 'stu-1'));
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as Knowledge;
    assert.equal(body.model_version, 'default');
    assert.equal(body.as_of, '2026-03-10');
    assert.deepEqual(
      body.topics.map((k) => [k.topic, k.responses, k.last_response_at]),
      [
        ['lists', 3, '2026-03-03T09:02:00Z'],
        ['loops', 6, '2026-03-02T09:05:00Z'],
      ],
    );
    const [lists, loops] = body.topics;
    assert.ok(lists!.p_correct > loops!.p_correct, 'three of three beats three of six');
  });

  it('as_of a date-time counts only the answers strictly before it; a topic never answered gets its prior', async (t) => {
    const a = await app(t);
    await a.post(
      '/v1/events',
      answers('stu-2', '2026-03-02', 'loops', 4, () => true),
      await a.token('service', 'q'),
    );
    const admin = await a.token('admin', 'root');
    const at = await a.get('/v1/students/stu-2/knowledge?as_of=2026-03-02T09:02:00Z', admin);
    assert.equal(at.statusCode, 200, at.body);
    assert.equal((at.json() as Knowledge).topics[0]!.responses, 2);
    assert.equal((at.json() as Knowledge).as_of, '2026-03-02T09:02:00.000Z');
    const fresh = await a.get('/v1/students/stu-2/knowledge?topic=recursion', admin);
    const [prior] = (fresh.json() as Knowledge).topics;
    assert.equal(prior!.responses, 0);
    assert.ok(prior!.p_correct > 0.5, 'the student has answered well elsewhere: above the pooled 0.5');
    errorOf(await a.get('/v1/students/stu-2/knowledge?as_of=2026-03-02T25:00:00Z', admin), 400, 'BAD_REQUEST');
  });

  it('refuses a malformed answer with the field at fault and stores nothing', async (t) => {
    const a = await app(t);
    const bad = { ...wire.response('stu-3', '2026-03-02T09:00:00Z', { item_id: 'q1', correct: true }), data: { item_id: 'q1', correct: 'yes' } };
    const res = await a.post('/v1/events', bad, await a.token('service', 'q'));
    const body = errorOf(res, 422, 'INVALID_EVENT');
    assert.deepEqual(
      body.error.details!.map((d) => d.field),
      ['data.correct'],
    );
    errorOf(await a.get('/v1/students/stu-3/knowledge', await a.token('admin', 'root')), 404, 'STUDENT_NOT_FOUND');
  });

  it('applies the access rule and audits the read', async (t) => {
    const a = await app(t);
    await a.post(
      '/v1/events',
      answers('stu-4', '2026-03-02', 'loops', 2, () => true),
      await a.token('service', 'q'),
    );
    errorOf(await a.get('/v1/students/stu-4/knowledge', await a.token('student', 'stu-5')), 403, 'FORBIDDEN');
    assert.equal((await a.get('/v1/students/stu-4/knowledge', await a.token('teacher', 't', ['stu-4']))).statusCode, 200);
    const trail = await a.deps.audit.query({ studentId: 'stu-4', limit: 10 });
    assert.deepEqual(
      trail.entries
        .filter((e) => e.action === 'knowledge.read')
        .map((e) => e.outcome)
        .sort(),
      ['allowed', 'refused'],
    );
  });

  it('the prediction carries the forecast beside the seed prediction, which stays as it was', async (t) => {
    const a = await app(t);
    await a.post(
      '/v1/events',
      ['2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08'].flatMap((d) => answers('stu-6', d, 'loops', 3, (i) => i > 0)),
      await a.token('service', 'q'),
    );
    const res = await a.get('/v1/students/stu-6/prediction', await a.token('student', 'stu-6'));
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(typeof body.prediction, 'number');
    assert.equal(body.forecast.method, 'activity-paths');
    assert.equal(body.forecast.model_version, 'default');
    assert.ok(body.forecast.low <= body.forecast.score_in_7_days && body.forecast.score_in_7_days <= body.forecast.high);
    // Two days without practice before today: consistency is already decaying, and keeps on.
    assert.ok(body.forecast.score_in_7_days < body.current);
  });
});

describe('HTTP: the learner model parameters', () => {
  it('GET /v1/model: the defaults before any fit, for teachers and admins only', async (t) => {
    const a = await app(t);
    const res = await a.get('/v1/model', await a.token('teacher', 't'));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual([res.json().model_version, res.json().answers, res.json().fitted_at], ['default', 0, null]);
    errorOf(await a.get('/v1/model', await a.token('student', 's')), 403, 'FORBIDDEN');
  });

  it('POST /v1/model/fit refuses a log without enough answers, and changes nothing', async (t) => {
    const a = await app(t);
    await a.post(
      '/v1/events',
      answers('stu-7', '2026-03-02', 'loops', 10, () => true),
      await a.token('service', 'q'),
    );
    const body = errorOf(await a.post('/v1/model/fit', {}, await a.token('admin', 'root')), 422, 'FIT_REFUSED');
    assert.match(body.error.message, /at least 100 first-attempt answers; the log holds 10/);
    assert.equal((await a.get('/v1/model', await a.token('admin', 'root'))).json().model_version, 'default');
    errorOf(await a.post('/v1/model/fit', {}, await a.token('teacher', 't')), 403, 'FORBIDDEN');
  });

  it('a fit becomes the version every knowledge answer names at once', async (t) => {
    const a = await app(t);
    const events = ['a', 'b', 'c', 'd', 'e', 'f'].flatMap((s, k) =>
      answers(`stu-${s}`, '2026-03-02', k % 2 === 0 ? 'loops' : 'lists', 25, (i) => (i + k) % 3 !== 0),
    );
    await a.post('/v1/events', events, await a.token('service', 'q'));
    const admin = await a.token('admin', 'root');
    const fit = await a.post('/v1/model/fit', {}, admin);
    assert.equal(fit.statusCode, 200, fit.body);
    assert.deepEqual([fit.json().model_version, fit.json().answers, fit.json().topics_with_own_parameters], ['v1', 150, 2]);
    assert.equal((await a.get('/v1/students/stu-a/knowledge', admin)).json().model_version, 'v1');
    assert.equal((await a.get('/v1/students/stu-a/prediction', admin)).json().forecast.model_version, 'v1');
    const trail = await a.deps.audit.query({ actor: 'root', limit: 20 });
    assert.ok(trail.entries.some((e) => e.action === 'model.fit' && e.outcome === 'allowed' && e.detail?.answers === 150));
  });
});
