/** The per-student reads, the class list, tokens and the access rule (api.md, mastery-model.md §7). */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { EXAMPLE_B_DAYS, TEST_SECRET, errorOf, testApp, wire, workedExampleB, type TestApp, type TestAppOptions, type WireEvent } from '../testing/test-app.js';

interface Components {
  completion: number;
  quiz: number;
  quality: number;
  consistency: number;
}

interface Mastery {
  student_id: string;
  topic: string | null;
  as_of: string;
  mastery_score: number;
  level: string;
  components: Components;
  breakdown: Components;
  recommendations: Array<{ action: string; area: string; priority: string; topic?: string }>;
  topics?: Array<{ topic: string; mastery_score: number; level: string }>;
}

interface History {
  student_id: string;
  topic: string | null;
  days: Array<{ date: string; mastery_score: number; level: string; components: Components }>;
}

interface PathResult {
  path: string[];
  weak_components: Array<{ component: string; value: number }>;
}

interface StudentList {
  as_of: string;
  total: number;
  students: Array<{
    student_id: string;
    mastery_score: number;
    level: string;
    trend: string | null;
    prediction: number | null;
    intervention_needed: boolean;
    forecast: { score_in_7_days: number; low: number; high: number };
    needs_help: boolean;
    topics: Array<{ topic: string; mastery_score: number; level: string }>;
  }>;
}

const B = '12345';
const TODAY = '2026-01-14T10:00:00Z';
const PER_STUDENT = ['mastery', 'history', 'prediction', 'path'] as const;

/**
 * The seed's prediction (mastery-model §4) apart from the learner model's forecast beside it,
 * which must be there, well formed.
 */
function seedPrediction(p: Record<string, unknown>): Record<string, unknown> {
  const { forecast, ...seed } = p as { forecast: { score_in_7_days: number; low: number; high: number; needs_help: boolean } };
  assert.ok(forecast.low <= forecast.score_in_7_days && forecast.score_in_7_days <= forecast.high, 'a forecast inside its interval');
  assert.equal(typeof forecast.needs_help, 'boolean');
  return seed;
}

type Given = TestApp & { admin: string };

/** An app of its own for one test, fed with the events. */
async function given(t: TestContext, events: readonly WireEvent[] = [], options?: TestAppOptions): Promise<Given> {
  const h = await fed(events, options);
  t.after(() => h.app.close());
  return h;
}

/**
 * One app for every test of the enclosing describe, fed once with the events: for reads, which
 * change nothing (building an app per test would make the suite slow).
 */
function sharedBy(events: () => readonly WireEvent[]): () => Given {
  let h: Given | undefined;
  before(async () => {
    h = await fed(events());
  });
  after(() => h?.app.close());
  return () => {
    assert.ok(h, 'the shared app is built in before()');
    return h;
  };
}

async function fed(events: readonly WireEvent[], options?: TestAppOptions): Promise<Given> {
  const h = await testApp(options);
  const admin = await h.token('admin', 'root');
  if (events.length > 0) {
    const res = await h.post('/v1/events', events, await h.token('service', 'exercise-agent'));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as { accepted: number }).accepted, events.length, res.body);
  }
  return { ...h, admin };
}

async function ok<T>(h: TestApp, url: string, token: string): Promise<T> {
  const res = await h.get(url, token);
  assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
  return res.json() as T;
}

function twenty(student: string, at: string, topic?: string): WireEvent {
  return wire.completion(student, at, { total_exercises: 25, completed_exercises: 20 }, topic);
}

describe('§7 worked example B through the HTTP API', () => {
  const app = sharedBy(() => workedExampleB(B));
  const expected = {
    mastery_score: 0.712,
    level: 'competent',
    components: { completion: 0.8, quiz: 0.612, quality: 0.8, consistency: 0.486 },
    breakdown: { completion: 0.32, quiz: 0.184, quality: 0.16, consistency: 0.049 },
    recommendations: [
      { action: 'review', area: 'concepts', priority: 'medium' },
      { action: 'schedule', area: 'daily practice', priority: 'low' },
    ],
  };

  it('mastery as of 2026-01-14: 0.712 competent, components, breakdown and exactly two recommendations', async () => {
    const h = app();

    const m = await ok<Mastery>(h, `/v1/students/${B}/mastery?as_of=2026-01-14`, h.admin);

    const { mastery_score, level, components, breakdown, recommendations } = m;
    assert.deepStrictEqual({ mastery_score, level, components, breakdown, recommendations }, expected);
    assert.equal(m.student_id, B);
    assert.equal(m.as_of, '2026-01-14');
    assert.equal(m.topic, null);
    assert.deepStrictEqual(m.topics, [{ topic: 'general', mastery_score: 0.712, level: 'competent' }]);
  });

  it('?topic=general gives the same numbers (events without a topic belong to general)', async () => {
    const h = app();

    const m = await ok<Mastery>(h, `/v1/students/${B}/mastery?as_of=2026-01-14&topic=general`, h.admin);

    const { mastery_score, level, components, breakdown, recommendations } = m;
    assert.deepStrictEqual({ mastery_score, level, components, breakdown, recommendations }, expected);
    assert.equal(m.topic, 'general');
  });

  it('path as of 2026-01-14: consistency (0.486) first, then quiz (0.612)', async () => {
    const h = app();

    const p = await ok<PathResult>(h, `/v1/students/${B}/path?as_of=2026-01-14`, h.admin);

    assert.deepStrictEqual(p.path, ['daily_goals', 'streak_reminders', 'study_schedule', 'concept_review', 'practice_quizzes', 'mock_tests']);
    assert.deepStrictEqual(p.weak_components, [
      { component: 'consistency', value: 0.486 },
      { component: 'quiz', value: 0.612 },
    ]);
  });

  it('prediction as of 2026-01-14 (8 history points, the last 7 fitted by day number)', async () => {
    // History: 0.1 on 01-01…05, 0.02 on 01-10, 0.04 on 01-11, 0.724 on 01-12 (§4: each day as of its end).
    // Fit over 01-02…05, 10, 11, 12: slope = 2.778286 / 103.428571 = 0.026862 per day.
    const h = app();

    const p = await ok<Record<string, unknown>>(h, `/v1/students/${B}/prediction?as_of=2026-01-14`, h.admin);

    assert.deepStrictEqual(seedPrediction(p), {
      current: 0.712,
      prediction: 0.9, // round3(0.712 + 7 × 0.026862) = round3(0.900033)
      trend: 'improving',
      trend_per_day: 0.027,
      confidence: 0.8, // min(0.9, 0.1 × 8)
      intervention_needed: false,
    });
  });

  it('history 2026-01-10…12: one entry per active day, each as of the end of its day', async () => {
    const h = app();

    const hist = await ok<History>(h, `/v1/students/${B}/history?from=2026-01-10&to=2026-01-12`, h.admin);

    assert.equal(hist.student_id, B);
    assert.deepStrictEqual(
      hist.days.map(({ date, mastery_score, level, components }) => ({ date, mastery_score, level, components })),
      [
        { date: '2026-01-10', mastery_score: 0.02, level: 'beginner', components: { completion: 0, quiz: 0, quality: 0, consistency: 0.2 } },
        { date: '2026-01-11', mastery_score: 0.04, level: 'beginner', components: { completion: 0, quiz: 0, quality: 0, consistency: 0.4 } },
        { date: '2026-01-12', mastery_score: 0.724, level: 'competent', components: { completion: 0.8, quiz: 0.612, quality: 0.8, consistency: 0.6 } },
      ],
    );
  });

  it('history without a range: every active day up to today, oldest first, none for the quiet days', async () => {
    const h = app();

    const hist = await ok<History>(h, `/v1/students/${B}/history`, h.admin);

    assert.deepStrictEqual(
      hist.days.map((d) => d.date),
      [...EXAMPLE_B_DAYS],
    );
    assert.deepStrictEqual(
      hist.days.slice(0, 5).map((d) => d.mastery_score),
      [0.1, 0.1, 0.1, 0.1, 0.1],
    );
  });
});

describe('reads: as_of', () => {
  const app = sharedBy(() => workedExampleB(B));

  it('events after as_of are ignored: as of 2026-01-11 none of the 01-12 reports count', async () => {
    const h = app();

    const m = await ok<Mastery>(h, `/v1/students/${B}/mastery?as_of=2026-01-11`, h.admin);

    assert.deepStrictEqual(m.components, { completion: 0, quiz: 0, quality: 0, consistency: 0.4 });
    assert.equal(m.mastery_score, 0.04);
    assert.equal(m.as_of, '2026-01-11');
  });

  it('consistency decays with a later as_of: 0.54 on 01-13, 0.486 on 01-14', async () => {
    const h = app();

    const d13 = await ok<Mastery>(h, `/v1/students/${B}/mastery?as_of=2026-01-13`, h.admin);
    const d14 = await ok<Mastery>(h, `/v1/students/${B}/mastery?as_of=2026-01-14`, h.admin);

    assert.equal(d13.components.consistency, 0.54); // 0.6 × 0.9
    assert.equal(d13.mastery_score, 0.718); // 0.32 + 0.1836 + 0.16 + 0.054
    assert.equal(d14.components.consistency, 0.486);
    assert.equal(d14.mastery_score, 0.712);
  });

  it('without as_of the answer is as of today by the engine’s clock, and decays as the clock moves on', async (t) => {
    const on14 = await given(t, workedExampleB(B));
    const on20 = await given(t, workedExampleB(B), { now: '2026-01-20T12:00:00Z' });

    const m14 = await ok<Mastery>(on14, `/v1/students/${B}/mastery`, on14.admin);
    const m20 = await ok<Mastery>(on20, `/v1/students/${B}/mastery`, on20.admin);

    assert.equal(m14.as_of, '2026-01-14');
    assert.equal(m14.mastery_score, 0.712);
    assert.equal(m20.as_of, '2026-01-20');
    assert.equal(m20.components.consistency, 0.258); // 0.6 × 0.9^8 = 0.25828
    assert.equal(m20.mastery_score, 0.689); // 0.32 + 0.1836 + 0.16 + 0.025828
  });

  for (const bad of ['2026-02-30', 'yesterday', '2026-1-5', '2026-13-01', '']) {
    for (const endpoint of ['mastery', 'prediction', 'path'] as const) {
      it(`${endpoint}?as_of=${bad || '(empty)'} → 400 BAD_REQUEST`, async () => {
        const h = app();

        errorOf(await h.get(`/v1/students/${B}/${endpoint}?as_of=${bad}`, h.admin), 400, 'BAD_REQUEST');
      });
    }
  }

  for (const bad of ['2026-02-30', 'yesterday']) {
    it(`history?from=${bad} and ?to=${bad} → 400 BAD_REQUEST`, async () => {
      const h = app();

      errorOf(await h.get(`/v1/students/${B}/history?from=${bad}`, h.admin), 400, 'BAD_REQUEST');
      errorOf(await h.get(`/v1/students/${B}/history?to=${bad}`, h.admin), 400, 'BAD_REQUEST');
    });
  }

  it('history with from after to → 400 BAD_REQUEST', async () => {
    const h = app();

    errorOf(await h.get(`/v1/students/${B}/history?from=2026-01-12&to=2026-01-10`, h.admin), 400, 'BAD_REQUEST');
  });

  it('history takes ?as_of= like every per-student read (api.md), and it bounds the days returned', async () => {
    const h = app();

    const hist = await ok<History>(h, `/v1/students/${B}/history?as_of=2026-01-11`, h.admin);

    assert.equal(hist.days.at(-1)?.date, '2026-01-11');
  });

  it('a `to` later than `as_of` is cut back to as_of: nothing after it counts', async () => {
    const h = app();

    const hist = await ok<History>(h, `/v1/students/${B}/history?to=2026-01-14&as_of=2026-01-10`, h.admin);
    const plain = await ok<History>(h, `/v1/students/${B}/history?to=2026-01-10`, h.admin);

    assert.equal(hist.days.at(-1)?.date, '2026-01-10');
    assert.deepEqual(hist, plain);
  });
});

describe('reads: prediction', () => {
  const app = sharedBy(() => [
    wire.activity('few', '2026-01-12T10:00:00Z'),
    twenty('few', TODAY),
    ...workedExampleB(B),
    wire.completion('tri', '2026-01-12T10:00:00Z', { total_exercises: 25, completed_exercises: 5 }),
    wire.completion('tri', '2026-01-13T10:00:00Z', { total_exercises: 25, completed_exercises: 10 }),
    wire.completion('tri', '2026-01-14T10:00:00Z', { total_exercises: 25, completed_exercises: 15 }),
  ]);

  it('fewer than 3 active days → exactly { prediction: null, confidence: 0 }', async () => {
    const h = app();

    const res = await h.get('/v1/students/few/prediction', h.admin);

    assert.equal(res.statusCode, 200, res.body);
    assert.deepStrictEqual(seedPrediction(res.json()), { prediction: null, confidence: 0 });
  });

  it('as of a day with only 2 days of history behind it → the same null answer, even if later days exist', async () => {
    const h = app();

    const res = await h.get(`/v1/students/${B}/prediction?as_of=2026-01-02`, h.admin);

    assert.deepStrictEqual(seedPrediction(res.json()), { prediction: null, confidence: 0 });
  });

  it('3 active days → current, prediction, trend, trend_per_day, confidence, intervention_needed', async () => {
    // Completion 5, 10, 15 of 25 on three consecutive days: scores 0.18, 0.26, 0.34 (+0.1 consistency each).
    const h = app();

    const p = await ok<Record<string, unknown>>(h, '/v1/students/tri/prediction', h.admin);

    assert.deepStrictEqual(seedPrediction(p), {
      current: 0.34,
      prediction: 0.9, // 0.34 + 7 × 0.08
      trend: 'improving',
      trend_per_day: 0.08,
      confidence: 0.3,
      intervention_needed: false,
    });
  });
});

describe('reads: answers computed once per state', () => {
  it('a repeated read gives the same answer; a new event, another day or another topic gives its own', async (t) => {
    const h = await given(t, [twenty('rey', '2026-01-13T09:00:00Z', 'a')]);

    const first = await ok<Mastery>(h, '/v1/students/rey/mastery?as_of=2026-01-13', h.admin);
    const again = await h.get('/v1/students/rey/mastery?as_of=2026-01-13', h.admin);
    assert.equal(again.headers['content-type'], 'application/json; charset=utf-8', 'a kept body is still JSON');
    assert.deepStrictEqual(JSON.parse(again.body), first);
    const nextDay = await ok<Mastery>(h, '/v1/students/rey/mastery?as_of=2026-01-14', h.admin);
    assert.equal(nextDay.components.consistency, 0.9, 'as of the next day the streak has decayed');
    assert.equal((await ok<Mastery>(h, '/v1/students/rey/mastery?as_of=2026-01-13&topic=a', h.admin)).topic, 'a');

    const more = await h.post(
      '/v1/events',
      [wire.quiz('rey', '2026-01-13T10:00:00Z', { total_questions: 10, correct_answers: 5 }, 'a')],
      await h.token('service', 'quiz-agent'),
    );
    assert.equal(more.statusCode, 200, more.body);
    const after = await ok<Mastery>(h, '/v1/students/rey/mastery?as_of=2026-01-13', h.admin);
    assert.equal(first.components.quiz, 0);
    assert.equal(after.components.quiz, 0.5, 'the new event counts at once');
  });
});

describe('reads: topics', () => {
  // python.loops: completion 20/25 → 0.8, quiz 9/10 → 0.9.
  // python.functions: completion 10/25 beginner → 0.32, quality 0.6 ×3 → 0.6. All today.
  const twoTopics = (s: string) => [
    wire.completion(s, TODAY, { total_exercises: 25, completed_exercises: 20 }, 'python.loops'),
    wire.quiz(s, TODAY, { total_questions: 10, correct_answers: 9 }, 'python.loops'),
    wire.completion(s, TODAY, { total_exercises: 25, completed_exercises: 10, difficulty: 'beginner' }, 'python.functions'),
    wire.quality(s, TODAY, { avg_code_quality: 0.6, correctness: 0.6, efficiency: 0.6 }, 'python.functions'),
  ];
  const app = sharedBy(() => twoTopics('tom'));

  it('?topic= scopes the result to one topic', async () => {
    const h = app();

    const loops = await ok<Mastery>(h, '/v1/students/tom/mastery?topic=python.loops', h.admin);
    const functions = await ok<Mastery>(h, '/v1/students/tom/mastery?topic=python.functions', h.admin);

    assert.equal(loops.topic, 'python.loops');
    assert.deepStrictEqual(loops.components, { completion: 0.8, quiz: 0.9, quality: 0, consistency: 1 });
    assert.equal(loops.mastery_score, 0.69);
    assert.equal(loops.level, 'competent');
    assert.equal(functions.topic, 'python.functions');
    assert.deepStrictEqual(functions.components, { completion: 0.32, quiz: 0, quality: 0.6, consistency: 1 });
    assert.equal(functions.mastery_score, 0.348);
    assert.equal(functions.level, 'beginner');
    assert.equal(loops.topics, undefined, 'the per-topic list belongs to the overall roll-up');
  });

  it('the overall result is the mean over the topics that report a component, and lists its topics', async () => {
    const h = app();

    const all = await ok<Mastery>(h, '/v1/students/tom/mastery', h.admin);

    assert.equal(all.topic, null);
    assert.deepStrictEqual(all.components, { completion: 0.56, quiz: 0.9, quality: 0.6, consistency: 1 });
    assert.equal(all.mastery_score, 0.714); // 0.224 + 0.27 + 0.12 + 0.1
    assert.deepStrictEqual(all.topics, [
      { topic: 'python.functions', mastery_score: 0.348, level: 'beginner' },
      { topic: 'python.loops', mastery_score: 0.69, level: 'competent' },
    ]);
    assert.deepStrictEqual(
      all.recommendations.map(({ action, area, priority }) => ({ action, area, priority })),
      [
        { action: 'practice', area: 'completing exercises', priority: 'high' },
        { action: 'refactor', area: 'code quality', priority: 'medium' },
      ],
    );
  });

  it('?topic= scopes the path and the history as well', async () => {
    const h = app();

    const path = await ok<PathResult>(h, '/v1/students/tom/path?topic=python.loops', h.admin);
    const hist = await ok<History>(h, '/v1/students/tom/history?topic=python.functions', h.admin);

    // loops: quality 0 is the only weak component
    assert.deepStrictEqual(path.path, ['code_reviews', 'refactoring_practice', 'best_practices']);
    assert.deepStrictEqual(
      hist.days.map((d) => [d.date, d.mastery_score]),
      [['2026-01-14', 0.348]],
    );
  });

  for (const endpoint of PER_STUDENT) {
    it(`${endpoint}?topic=<unknown> → 404 TOPIC_NOT_FOUND`, async () => {
      const h = app();

      errorOf(await h.get(`/v1/students/tom/${endpoint}?topic=python.classes`, h.admin), 404, 'TOPIC_NOT_FOUND');
    });
  }

  it('a topic that is not a valid name → 400', async () => {
    const h = app();

    errorOf(await h.get('/v1/students/tom/mastery?topic=a%20b', h.admin), 400, 'BAD_REQUEST');
  });
});

describe('the access rule, on every per-student endpoint', () => {
  // Known students: alice and bob. Nobody has heard of ghost.
  const cases: Array<[string, (h: TestApp) => Promise<string>, string, number, string?]> = [
    ['a student reading itself', (h) => h.token('student', 'alice'), 'alice', 200],
    ['a student reading another student', (h) => h.token('student', 'alice'), 'bob', 403, 'FORBIDDEN'],
    ['a student reading a student that does not exist', (h) => h.token('student', 'alice'), 'ghost', 403, 'FORBIDDEN'],
    ['a student without data reading itself', (h) => h.token('student', 'ghost'), 'ghost', 404, 'STUDENT_NOT_FOUND'],
    ['a teacher reading a student of the class', (h) => h.token('teacher', 'mrs-t', ['alice', 'ghost']), 'alice', 200],
    ['a teacher reading a student outside the class', (h) => h.token('teacher', 'mrs-t', ['alice', 'ghost']), 'bob', 403, 'FORBIDDEN'],
    ['a teacher reading an unknown student outside the class', (h) => h.token('teacher', 'mrs-t', ['alice']), 'ghost', 403, 'FORBIDDEN'],
    ['a teacher reading an unknown student of the class', (h) => h.token('teacher', 'mrs-t', ['alice', 'ghost']), 'ghost', 404, 'STUDENT_NOT_FOUND'],
    ['a teacher token without a students claim', (h) => h.token('teacher', 'mr-x'), 'alice', 403, 'FORBIDDEN'],
    ['an admin reading anyone', (h) => h.token('admin', 'root'), 'bob', 200],
    ['an admin reading an unknown student', (h) => h.token('admin', 'root'), 'ghost', 404, 'STUDENT_NOT_FOUND'],
    ['a service reading a student', (h) => h.token('service', 'exercise-agent'), 'alice', 403, 'FORBIDDEN'],
    ['a service reading an unknown student', (h) => h.token('service', 'exercise-agent'), 'ghost', 403, 'FORBIDDEN'],
  ];
  const known = [twenty('alice', TODAY), twenty('bob', TODAY)];
  const app = sharedBy(() => known);

  for (const endpoint of PER_STUDENT) {
    describe(`GET /v1/students/{id}/${endpoint}`, () => {
      for (const [who, tokenFor, target, status, code] of cases) {
        it(`${who} → ${status}`, async () => {
          const h = app();

          const res = await h.get(`/v1/students/${target}/${endpoint}`, await tokenFor(h));

          if (code === undefined) {
            assert.equal(res.statusCode, status, res.body);
            assert.ok(!('error' in (res.json() as object)), res.body);
          } else {
            errorOf(res, status, code);
          }
        });
      }
    });
  }

  it('a refusal says the same thing whether the student exists or not', async () => {
    const h = app();
    const token = await h.token('student', 'alice');

    const existing = await h.get('/v1/students/bob/mastery', token);
    const missing = await h.get('/v1/students/ghost/mastery', token);

    assert.equal(existing.statusCode, missing.statusCode);
    assert.equal(
      existing.body.replaceAll('bob', '{id}'),
      missing.body.replaceAll('ghost', '{id}'),
      'the 403 body must not tell a known student from an unknown one',
    );
  });
});

describe('tokens', () => {
  const app = sharedBy(() => [twenty('alice', TODAY)]);
  const key = new TextEncoder().encode(TEST_SECRET);
  const signed = (claims: Record<string, unknown>, alg = 'HS256') =>
    new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).setSubject('root').setIssuedAt();
  const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

  const bad: Array<[string, (h: TestApp) => Promise<string>]> = [
    [
      'expired',
      () =>
        signed({ role: 'admin' })
          .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
          .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
          .sign(key),
    ],
    [
      'signed with another secret',
      () => signed({ role: 'admin' }).setExpirationTime(inAnHour()).sign(new TextEncoder().encode('another-secret-of-sufficient-length')),
    ],
    ['alg: none', async () => new UnsecuredJWT({ role: 'admin' }).setSubject('root').setIssuedAt().setExpirationTime(inAnHour()).encode()],
    [
      'alg: none with a valid-looking signature',
      async (h) => {
        const valid = await h.token('admin', 'root');
        const [, payload, signature] = valid.split('.');
        const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    ['HS512 with the right secret (algorithm switching)', () => signed({ role: 'admin' }, 'HS512').setExpirationTime(inAnHour()).sign(key)],
    ['without a role claim', () => signed({}).setExpirationTime(inAnHour()).sign(key)],
    ['with an unknown role', () => signed({ role: 'superuser' }).setExpirationTime(inAnHour()).sign(key)],
    ['without exp', () => signed({ role: 'admin' }).sign(key)],
    ['without sub', () => new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(inAnHour()).sign(key)],
    ['with a students claim that is not a list', () => signed({ role: 'teacher', students: 'alice' }).setExpirationTime(inAnHour()).sign(key)],
    ['that is not a JWT at all', async () => 'not-a-jwt'],
  ];

  for (const [what, make] of bad) {
    it(`a token ${what} → 401 UNAUTHORIZED`, async () => {
      const h = app();

      errorOf(await h.get('/v1/students/alice/mastery', await make(h)), 401, 'UNAUTHORIZED');
    });
  }

  it('given the same claims correctly signed, the read is allowed (so the refusals above are about the token)', async () => {
    const h = app();

    const token = await signed({ role: 'admin' }).setExpirationTime(inAnHour()).sign(key);

    assert.equal((await h.get('/v1/students/alice/mastery', token)).statusCode, 200);
  });

  it('no token → 401 on every per-student endpoint and on the class list', async () => {
    const h = app();

    for (const endpoint of PER_STUDENT) errorOf(await h.get(`/v1/students/alice/${endpoint}`), 401, 'UNAUTHORIZED');
    errorOf(await h.get('/v1/students'), 401, 'UNAUTHORIZED');
  });
});

describe('GET /v1/students', () => {
  const five = ['s-a', 's-b', 's-c', 's-d', 's-e'].map((s) => twenty(s, TODAY));
  const app = sharedBy(() => five);

  it('an admin sees every student, in id order, with the total', async () => {
    const h = app();

    const list = await ok<StudentList>(h, '/v1/students', h.admin);

    assert.equal(list.total, 5);
    assert.equal(list.as_of, '2026-01-14');
    assert.deepStrictEqual(
      list.students.map((s) => s.student_id),
      ['s-a', 's-b', 's-c', 's-d', 's-e'],
    );
    const { forecast, needs_help, topics, ...seed } = list.students[0]!;
    assert.deepStrictEqual(seed, {
      student_id: 's-a',
      mastery_score: 0.42, // 0.8 × 0.4 + 1 × 0.1
      level: 'developing',
      trend: null,
      prediction: null,
      intervention_needed: false,
    });
    // One active day in 56: a week without practice is the likeliest (p ≈ 0.84), and the
    // consistency decays by 0.9 a day: 0.32 + 0.1 × 0.9^7 = 0.368, below 0.5.
    assert.equal(forecast.score_in_7_days, 0.368);
    assert.equal(forecast.low, 0.368);
    assert.ok(forecast.high > 0.368 && forecast.high < 0.42, `high ${forecast.high}`);
    assert.equal(needs_help, true);
    assert.deepStrictEqual(topics, [{ topic: 'general', mastery_score: 0.42, level: 'developing' }], 'its one topic, as the mastery answer lists it');
    for (const s of list.students) {
      const m = await ok<{ topics: StudentList['students'][number]['topics'] }>(h, `/v1/students/${s.student_id}/mastery`, h.admin);
      assert.deepStrictEqual(s.topics, m.topics, `${s.student_id}: the list's topics are the mastery answer's`);
    }
  });

  it('an admin pages with limit and offset; the total stays the whole count', async () => {
    const h = app();

    const page = await ok<StudentList>(h, '/v1/students?limit=2&offset=1', h.admin);
    const last = await ok<StudentList>(h, '/v1/students?limit=2&offset=4', h.admin);
    const beyond = await ok<StudentList>(h, '/v1/students?limit=2&offset=10', h.admin);

    assert.equal(page.total, 5);
    assert.deepStrictEqual(
      page.students.map((s) => s.student_id),
      ['s-b', 's-c'],
    );
    assert.deepStrictEqual(
      last.students.map((s) => s.student_id),
      ['s-e'],
    );
    assert.deepStrictEqual(beyond.students, []);
    assert.equal(beyond.total, 5);
  });

  it('a teacher sees only the students of the class that the engine knows', async () => {
    const h = app();
    const teacher = await h.token('teacher', 'mrs-t', ['s-d', 's-b', 'ghost']);

    const list = await ok<StudentList>(h, '/v1/students', teacher);
    const page = await ok<StudentList>(h, '/v1/students?limit=1&offset=1', teacher);

    assert.equal(list.total, 2);
    assert.deepStrictEqual(
      list.students.map((s) => s.student_id),
      ['s-b', 's-d'],
    );
    assert.equal(page.total, 2);
    assert.deepStrictEqual(
      page.students.map((s) => s.student_id),
      ['s-d'],
    );
  });

  it('a teacher with an empty class sees nobody', async () => {
    const h = app();

    const list = await ok<StudentList>(h, '/v1/students', await h.token('teacher', 'mr-x', []));

    assert.deepStrictEqual({ total: list.total, students: list.students }, { total: 0, students: [] });
  });

  for (const role of ['student', 'service'] as const) {
    it(`a ${role} token → 403 FORBIDDEN`, async () => {
      const h = app();

      errorOf(await h.get('/v1/students', await h.token(role, 's-a')), 403, 'FORBIDDEN');
    });
  }

  for (const query of [
    'limit=0',
    'limit=1001',
    'limit=abc',
    'offset=-1',
    'as_of=2026-02-30',
    'as_of=yesterday',
    'needs_help=maybe',
    'sort=score',
    'sort=-student_id',
  ]) {
    it(`?${query} → 400 BAD_REQUEST`, async () => {
      const h = app();

      errorOf(await h.get(`/v1/students?${query}`, h.admin), 400, 'BAD_REQUEST');
    });
  }
});

describe('GET /v1/students?needs_help=…&sort=…: who needs help, in the order asked for', () => {
  // Two students as in worked example B (practising, 0.712) and three with one day of 20 of
  // 25 exercises (0.42, whose forecast falls to 0.368 after a likely week without practice).
  const app = sharedBy(() => [...workedExampleB('s-b'), ...workedExampleB('s-f'), ...['s-a', 's-c', 's-d'].map((id) => twenty(id, TODAY))]);
  const ids = (list: StudentList) => list.students.map((st) => st.student_id);
  const AS_OF = 'as_of=2026-01-14';

  it('needs_help=true lists exactly those whose forecast says so, needs_help=false the others; the total counts the filtered list', async () => {
    const h = app();
    const all = await ok<StudentList>(h, `/v1/students?${AS_OF}`, h.admin);
    const helped = all.students.filter((st) => st.needs_help).map((st) => st.student_id);
    const fine = all.students.filter((st) => !st.needs_help).map((st) => st.student_id);
    assert.ok(helped.length > 0 && fine.length > 0, `both kinds in the fixture: ${helped} / ${fine}`);

    const yes = await ok<StudentList>(h, `/v1/students?${AS_OF}&needs_help=true`, h.admin);
    const no = await ok<StudentList>(h, `/v1/students?${AS_OF}&needs_help=false`, h.admin);

    assert.deepStrictEqual({ total: yes.total, ids: ids(yes) }, { total: helped.length, ids: helped });
    assert.deepStrictEqual({ total: no.total, ids: ids(no) }, { total: fine.length, ids: fine });
    assert.deepStrictEqual(
      yes.students,
      all.students.filter((st) => st.needs_help),
      'the same summaries as the whole list',
    );
  });

  it('sorts by forecast or mastery score, lowest first or (with -) highest first, ties in id order', async () => {
    const h = app();
    const all = (await ok<StudentList>(h, `/v1/students?${AS_OF}`, h.admin)).students;
    const order = (value: (st: StudentList['students'][number]) => number, sign: number) =>
      [...all].sort((a, b) => sign * (value(a) - value(b)) || (a.student_id < b.student_id ? -1 : 1)).map((st) => st.student_id);

    for (const [sort, expected] of [
      ['forecast', order((st) => st.forecast.score_in_7_days, 1)],
      ['-forecast', order((st) => st.forecast.score_in_7_days, -1)],
      ['mastery_score', order((st) => st.mastery_score, 1)],
      ['-mastery_score', order((st) => st.mastery_score, -1)],
      ['student_id', ['s-a', 's-b', 's-c', 's-d', 's-f']],
    ] as const) {
      assert.deepStrictEqual(ids(await ok<StudentList>(h, `/v1/students?${AS_OF}&sort=${sort}`, h.admin)), expected, sort);
    }
    // The fixture makes the orders differ: the three alike come first, in id order, lowest first.
    assert.deepStrictEqual(
      order((st) => st.mastery_score, 1),
      ['s-a', 's-c', 's-d', 's-b', 's-f'],
    );
  });

  it('pages the filtered, sorted list; a teacher sees only the class in it, and the read is one audit entry naming the page', async () => {
    const h = app();
    const teacher = await h.token('teacher', 'ms-order', ['s-f', 's-a', 's-d', 'ghost']);

    const page = await ok<StudentList>(h, `/v1/students?${AS_OF}&sort=-mastery_score&limit=2&offset=1`, teacher);
    const helped = await ok<StudentList>(h, `/v1/students?${AS_OF}&needs_help=true&sort=forecast`, teacher);

    assert.equal(page.total, 3);
    assert.deepStrictEqual(ids(page), ['s-a', 's-d'], 's-f (0.712) first, then the two at 0.42 in id order');
    assert.ok(
      ids(helped).every((id) => ['s-a', 's-d', 's-f'].includes(id)),
      `only the class: ${ids(helped)}`,
    );
    const { entries } = await h.deps.audit.query({ actor: 'ms-order', limit: 10 });
    assert.deepStrictEqual(
      entries.map((e) => e.students),
      [ids(helped), ['s-a', 's-d']],
      'newest first, each listing the students it returned',
    );
  });
});
