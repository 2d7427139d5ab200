/** POST /v1/mastery/calculate, the probes, the OpenAPI document and the error shape (api.md). */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { pino } from 'pino';
import { hs256Verifier } from '../access/tokens.js';
import { createIngest } from '../pipeline/ingest.js';
import { createStudentQueries } from '../queries/student-queries.js';
import { buildApp, type AppDeps } from './build-app.js';
import { TEST_SECRET, errorOf, testApp, type TestApp } from '../testing/test-app.js';

/** One app for the tests of a describe: none of them changes anything. */
function shared(): () => TestApp {
  let h: TestApp | undefined;
  before(async () => {
    h = await testApp();
  });
  after(() => h?.app.close());
  return () => {
    assert.ok(h, 'the shared app is built in before()');
    return h;
  };
}

/** The real app over the harness's stores, with some of its dependencies replaced. */
async function appWith(t: TestContext, overrides: Partial<AppDeps>) {
  const h = await testApp();
  const app = await buildApp({
    engine: h.deps,
    ingest: createIngest(h.deps),
    queries: createStudentQueries(h.deps),
    verifyToken: hs256Verifier(TEST_SECRET),
    ready: async () => {},
    logger: pino({ level: 'silent' }),
    limits: { ratePerMinute: 0 },
    ...overrides,
  });
  t.after(async () => {
    await app.close();
    await h.app.close();
  });
  return { app, token: h.token };
}

describe('POST /v1/mastery/calculate', () => {
  const app = shared();
  const calculate = async (body: unknown, role: 'student' | 'teacher' | 'admin' | 'service' = 'student') =>
    app().post('/v1/mastery/calculate', body, await app().token(role, 'someone'));

  it('§7 worked example A: 0.80, 0.90, 0.85, 0.82 → 0.842, breakdown 0.32/0.27/0.17/0.082, proficient, no recommendations', async () => {
    const res = await calculate({ completion: 0.8, quiz: 0.9, quality: 0.85, consistency: 0.82 });

    assert.equal(res.statusCode, 200, res.body);
    assert.deepStrictEqual(res.json(), {
      mastery_score: 0.842,
      level: 'proficient',
      components: { completion: 0.8, quiz: 0.9, quality: 0.85, consistency: 0.82 },
      breakdown: { completion: 0.32, quiz: 0.27, quality: 0.17, consistency: 0.082 },
      recommendations: [],
    });
  });

  it('all zero → 0, beginner, and all four recommendations in the order of §3', async () => {
    const res = await calculate({ completion: 0, quiz: 0, quality: 0, consistency: 0 });

    assert.equal(res.statusCode, 200, res.body);
    assert.deepStrictEqual(res.json(), {
      mastery_score: 0,
      level: 'beginner',
      components: { completion: 0, quiz: 0, quality: 0, consistency: 0 },
      breakdown: { completion: 0, quiz: 0, quality: 0, consistency: 0 },
      recommendations: [
        { action: 'practice', area: 'completing exercises', priority: 'high' },
        { action: 'review', area: 'concepts', priority: 'medium' },
        { action: 'refactor', area: 'code quality', priority: 'medium' },
        { action: 'schedule', area: 'daily practice', priority: 'low' },
      ],
    });
  });

  it('levels and recommendations use the rounded values: 0.8995 everywhere → 0.9, expert', async () => {
    const res = await calculate({ completion: 0.8995, quiz: 0.8995, quality: 0.8995, consistency: 0.8995 });

    const body = res.json() as { mastery_score: number; level: string; components: Record<string, number> };
    assert.equal(body.mastery_score, 0.9);
    assert.equal(body.level, 'expert');
    assert.deepStrictEqual(body.components, { completion: 0.9, quiz: 0.9, quality: 0.9, consistency: 0.9 });
  });

  it('a component of 0.6995 rounds to 0.7, which is not below the 0.7 threshold: no recommendation for it', async () => {
    const res = await calculate({ completion: 0.6995, quiz: 0.69949, quality: 1, consistency: 1 });

    const body = res.json() as { recommendations: Array<{ action: string }>; components: Record<string, number> };
    assert.equal(body.components.completion, 0.7);
    assert.equal(body.components.quiz, 0.699);
    assert.deepStrictEqual(
      body.recommendations.map((r) => r.action),
      ['review'],
    );
  });

  for (const role of ['student', 'teacher', 'admin', 'service'] as const) {
    it(`any signed-in role may calculate: ${role} → 200`, async () => {
      const res = await calculate({ completion: 0.8, quiz: 0.9, quality: 0.85, consistency: 0.82 }, role);

      assert.equal(res.statusCode, 200, res.body);
      assert.equal((res.json() as { mastery_score: number }).mastery_score, 0.842);
    });
  }

  it('no token → 401 UNAUTHORIZED', async () => {
    const res = await app().post('/v1/mastery/calculate', { completion: 0.8, quiz: 0.9, quality: 0.85, consistency: 0.82 });

    errorOf(res, 401, 'UNAUTHORIZED');
  });

  const invalid: Array<[string, unknown, string]> = [
    ['quiz above 1', { completion: 0.8, quiz: 1.5, quality: 0.85, consistency: 0.82 }, 'quiz'],
    ['completion below 0', { completion: -0.1, quiz: 0.9, quality: 0.85, consistency: 0.82 }, 'completion'],
    ['a missing consistency', { completion: 0.8, quiz: 0.9, quality: 0.85 }, 'consistency'],
    ['a word for a number', { completion: 0.8, quiz: 0.9, quality: 'high', consistency: 0.82 }, 'quality'],
  ];
  for (const [what, body, field] of invalid) {
    it(`${what} → 400 BAD_REQUEST whose details name ${field}`, async () => {
      const res = await calculate(body);

      const error = errorOf(res, 400, 'BAD_REQUEST');
      assert.ok(
        error.error.details?.some((d) => d.field.split('.').includes(field)),
        res.body,
      );
    });
  }

  // JSON values that are not numbers must not be read as numbers (mastery-model.md: components are
  // numbers in [0, 1]; the event validator and validateComponentValues refuse them too).
  const notNumbers: Array<[string, unknown]> = [
    ['null', null],
    ['true', true],
    ['false', false],
    ['a number in a string ("0.85")', '0.85'],
  ];
  for (const [what, value] of notNumbers) {
    it(`quality: ${what} → 400 BAD_REQUEST naming quality, not a score`, async () => {
      const res = await calculate({ completion: 0.8, quiz: 0.9, quality: value, consistency: 0.82 });

      const error = errorOf(res, 400, 'BAD_REQUEST');
      assert.ok(
        error.error.details?.some((d) => d.field.split('.').includes('quality')),
        res.body,
      );
    });
  }

  it('an unknown field → 400 BAD_REQUEST', async () => {
    errorOf(await calculate({ completion: 0.8, quiz: 0.9, quality: 0.85, consistency: 0.82, bonus: 1 }), 400, 'BAD_REQUEST');
  });

  it('malformed JSON → 400 BAD_REQUEST with the error shape and no stack trace', async () => {
    errorOf(await calculate('{"completion": 0.8,'), 400, 'BAD_REQUEST');
  });
});

describe('probes and documentation (no token needed)', () => {
  const app = shared();

  it('GET /healthz → 200 { status: "ok" }', async () => {
    const res = await app().get('/healthz');

    assert.equal(res.statusCode, 200, res.body);
    assert.deepStrictEqual(res.json(), { status: 'ok' });
  });

  it('GET /readyz → 200 while the stores answer', async () => {
    const res = await app().get('/readyz');

    assert.equal(res.statusCode, 200, res.body);
  });

  it('GET /docs/json → an OpenAPI 3 document listing the events, calculator and mastery endpoints', async () => {
    const res = await app().get('/docs/json');

    assert.equal(res.statusCode, 200, res.body);
    const doc = res.json() as { openapi?: string; paths?: Record<string, Record<string, unknown>> };
    assert.match(doc.openapi ?? '', /^3\.\d+\.\d+$/);
    assert.ok(doc.paths?.['/v1/events']?.post, 'POST /v1/events is documented');
    assert.ok(doc.paths?.['/v1/mastery/calculate']?.post, 'POST /v1/mastery/calculate is documented');
    assert.ok(doc.paths?.['/v1/students/{id}/mastery']?.get, 'GET /v1/students/{id}/mastery is documented');
  });

  it('GET /docs → the interactive documentation page', async () => {
    const res = await app().get('/docs');

    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
  });
});

describe('error shape', () => {
  const app = shared();

  it('an unknown route → 404 ROUTE_NOT_FOUND in the error shape, with or without a token', async () => {
    errorOf(await app().get('/nowhere'), 404, 'ROUTE_NOT_FOUND');
    errorOf(await app().get('/v1/nowhere'), 404, 'ROUTE_NOT_FOUND');
    errorOf(await app().get('/v1/nowhere', await app().token('admin', 'root')), 404, 'ROUTE_NOT_FOUND');
  });

  it('a known path with a method it does not serve → a 4xx in the error shape', async () => {
    const res = await app().app.inject({ method: 'PATCH', url: '/v1/events', headers: { authorization: `Bearer ${await app().token('admin', 'root')}` } });

    assert.ok(res.statusCode === 404 || res.statusCode === 405, res.body);
    errorOf(res, res.statusCode, (res.json() as { error: { code: string } }).error.code);
  });

  it('a failure inside the service → 500 INTERNAL, without its message or a stack trace', async (t) => {
    const { app, token } = await appWith(t, {
      ingest: async () => {
        throw new Error('connection to db-7.internal refused');
      },
    });

    const res = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${await token('service', 'svc')}`, 'content-type': 'application/json' },
      payload: '{}',
    });

    errorOf(res, 500, 'INTERNAL');
    assert.doesNotMatch(res.body, /db-7|refused/);
  });

  it('a 401 carries its challenge: Bearer, with error="invalid_token" when a token was sent and refused', async () => {
    const none = await app().app.inject({ method: 'GET', url: '/v1/students' });
    errorOf(none, 401, 'UNAUTHORIZED');
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="mastery-engine"');
    const bad = await app().app.inject({ method: 'GET', url: '/v1/students', headers: { authorization: 'Bearer not.a.token' } });
    errorOf(bad, 401, 'UNAUTHORIZED');
    assert.equal(bad.headers['www-authenticate'], 'Bearer realm="mastery-engine", error="invalid_token"');
    const allowed = await app().app.inject({ method: 'GET', url: '/v1/students', headers: { authorization: `Bearer ${await app().token('admin', 'root')}` } });
    assert.equal(allowed.headers['www-authenticate'], undefined);
  });

  it('headers over 16 KiB on a real socket → 431 HEADERS_TOO_LARGE in the error shape, not a bare status line', async (t) => {
    const h = await testApp();
    t.after(() => h.app.close());
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as import('node:net').AddressInfo;

    const res = await fetch(`http://127.0.0.1:${port}/v1/students`, { headers: { 'x-padding': 'x'.repeat(20 * 1024) } });

    assert.equal(res.status, 431);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await res.json(), { error: { code: 'HEADERS_TOO_LARGE', message: 'the request headers are larger than the service accepts (16 KiB)' } });
  });

  it('GET /readyz when a store does not answer → 503 STORE_UNAVAILABLE in the error shape', async (t) => {
    const { app } = await appWith(t, {
      ready: async () => {
        throw new Error('ECONNREFUSED 10.0.0.7:5432');
      },
    });

    const res = await app.inject({ method: 'GET', url: '/readyz' });

    errorOf(res, 503, 'STORE_UNAVAILABLE');
    assert.doesNotMatch(res.body, /ECONNREFUSED|10\.0\.0\.7/);
  });
});
