/** POST /xapi/statements through the front door (docs/xapi.md): versions, roles, all or nothing, duplicates, errors. */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { errorOf, type TestAppOptions, testApp } from '../testing/test-app.js';
import { fixture, h5pAnswer, type Statement, withAccount } from '../testing/xapi-statements.js';

const WHEN = '2026-01-14T10:00:00Z';
const V = 'x-experience-api-version';

async function given(t: TestContext, options?: TestAppOptions) {
  const h = await testApp(options);
  t.after(() => h.app.close());
  const service = await h.token('service', 'lms');
  const admin = await h.token('admin', 'root');
  const send = (body: unknown, headers: Record<string, string> = { [V]: '1.0.3' }, token: string | null = service) =>
    h.app.inject({
      method: 'POST',
      url: '/xapi/statements',
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const events = async (student: string) => h.deps.log.readStudent(student);
  return { ...h, service, admin, send, events };
}

interface Detail {
  index: number;
  statement_id?: string;
  field: string;
  message: string;
}

describe('POST /xapi/statements', () => {
  it("takes H5P's answer as one response, answers 200 with its id and the version header, and the student's knowledge moves", async (t) => {
    const h = await given(t);
    const statement = h5pAnswer('stu-1', WHEN, { id: '0c6a3f5e-2b1d-4e8f-9a7b-1c2d3e4f5a6b', result: { success: true, duration: 'PT42S' } });

    const res = await h.send(statement);

    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers[V], '1.0.3');
    assert.deepEqual(res.json(), ['0c6a3f5e-2b1d-4e8f-9a7b-1c2d3e4f5a6b']);
    const [event] = await h.events('stu-1');
    assert.equal(event!.event_type, 'response.recorded');
    assert.equal(event!.event_id, '0c6a3f5e-2b1d-4e8f-9a7b-1c2d3e4f5a6b');
    const knowledge = await h.get('/v1/students/stu-1/knowledge', h.admin);
    assert.equal(knowledge.statusCode, 200, knowledge.body);
    assert.equal((knowledge.json() as { topics: Array<{ responses: number }> }).topics[0]!.responses, 1);
  });

  it('a statement sent again is a duplicate: the same id back, nothing stored twice; without an id, the derived one is just as stable', async (t) => {
    const h = await given(t);
    const statement = h5pAnswer('stu-2', WHEN);
    const first = await h.send(statement);
    const again = await h.send(statement, { [V]: '2.0.0' });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(again.json(), first.json());
    assert.equal(again.headers[V], '2.0.0');
    assert.equal((await h.events('stu-2')).length, 1);
  });

  it('an array maps each statement by its verb: an answer, a quiz report, a day of activity', async (t) => {
    const h = await given(t);
    const quiz = { ...h5pAnswer('stu-3', WHEN), verb: { id: 'http://adlnet.gov/expapi/verbs/completed' }, result: { score: { min: 0, max: 3, raw: 2 } } };
    const watched = { ...h5pAnswer('stu-3', WHEN), verb: { id: 'https://w3id.org/xapi/video/verbs/played' }, result: undefined };
    const res = await h.send([h5pAnswer('stu-3', WHEN), quiz, watched]);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as string[]).length, 3);
    const types = (await h.events('stu-3')).map((e) => e.event_type).sort();
    assert.deepEqual(types, ['activity.recorded', 'mastery.calculation.requested', 'response.recorded']);
    const mastery = (await h.get('/v1/students/stu-3/mastery', h.admin)).json() as { components: { quiz: number } };
    assert.ok(mastery.components.quiz > 0.6 && mastery.components.quiz < 0.7, 'the quiz report of 2 of 3 is the quiz input');
  });

  it('an array with statements the mapping cannot use is refused whole: 422, each by index with its field, nothing stored', async (t) => {
    const h = await given(t);
    const good = h5pAnswer('stu-4', WHEN);
    const res = await h.send([good, fixture('adl-long-example'), good, { ...good, actor: { objectType: 'Agent', account: { name: 'a b' } } }]);
    const body = errorOf(res, 422, 'INVALID_STATEMENT');
    const details = body.error.details as unknown as Detail[];
    assert.deepEqual(
      details.map((d) => [d.index, d.field]),
      [
        [1, 'actor.objectType'],
        [3, 'actor.account.name'],
      ],
    );
    assert.equal(details[0]!.statement_id, '6690e6c9-3ef0-4ed3-8b37-7f3964730bee');
    assert.match(body.error.message, /2 of 4 statements are refused, so none was applied/);
    assert.equal(res.headers[V], '1.0.3');
    assert.equal((await h.events('stu-4')).length, 0);
  });

  it("what the engine's own checks refuse (a time in the future, a student without consent) refuses the whole array too, named in the statement's fields", async (t) => {
    const h = await given(t, { policy: { requireConsent: true } });
    const consent = await h.app.inject({
      method: 'PUT',
      url: '/v1/students/stu-5/consent',
      headers: { authorization: `Bearer ${h.admin}` },
      payload: { granted: true },
    });
    assert.equal(consent.statusCode, 200, consent.body);
    const res = await h.send([h5pAnswer('stu-5', WHEN), h5pAnswer('stu-5', '2026-01-15T10:00:00Z'), h5pAnswer('stu-6', WHEN)]);
    const details = errorOf(res, 422, 'INVALID_STATEMENT').error.details as unknown as Detail[];
    assert.deepEqual(
      details.map((d) => [d.index, d.field]),
      [
        [1, 'timestamp'],
        [2, 'actor.account.name'],
      ],
    );
    assert.match(details[1]!.message, /consent/);
    assert.equal((await h.events('stu-5')).length, 0, 'the good statement of stu-5 was not applied either');
  });

  it('one statement refused answers 422 with its reasons; a voiding statement is refused', async (t) => {
    const h = await given(t);
    const body = errorOf(await h.send({ ...h5pAnswer('stu-7', WHEN), result: { success: 'yes' } }), 422, 'INVALID_STATEMENT');
    assert.match(body.error.message, /^the statement is refused \(result\.success\): must be true or false/);
    const voiding = {
      ...h5pAnswer('stu-7', WHEN),
      verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
      object: { objectType: 'StatementRef', id: '0c6a3f5e-2b1d-4e8f-9a7b-1c2d3e4f5a6b' },
    };
    assert.equal((errorOf(await h.send(voiding), 422, 'INVALID_STATEMENT').error.details as unknown as Detail[])[0]!.field, 'verb.id');
  });

  it('without the version header, or with one it does not speak, 400 XAPI_VERSION and the header it speaks', async (t) => {
    const h = await given(t);
    for (const headers of [{}, { [V]: '0.95' }, { [V]: '1.1.0' }] as Array<Record<string, string>>) {
      const res = await h.send(h5pAnswer('stu-8', WHEN), headers);
      errorOf(res, 400, 'XAPI_VERSION');
      assert.equal(res.headers[V], '2.0.0');
    }
    assert.equal((await h.events('stu-8')).length, 0);
  });

  it('the roles of POST /v1/events: no token 401 (with the version header), a student or teacher 403, an admin may', async (t) => {
    const h = await given(t);
    const statement = h5pAnswer('stu-9', WHEN);
    const anonymous = await h.send(statement, { [V]: '1.0.3' }, null);
    errorOf(anonymous, 401, 'UNAUTHORIZED');
    assert.equal(anonymous.headers[V], '1.0.3');
    errorOf(await h.send(statement, { [V]: '1.0.3' }, await h.token('student', 'stu-9')), 403, 'FORBIDDEN');
    errorOf(await h.send(statement, { [V]: '1.0.3' }, await h.token('teacher', 't', ['stu-9'])), 403, 'FORBIDDEN');
    assert.equal((await h.send(statement, { [V]: '1.0.3' }, h.admin)).statusCode, 200);
  });

  it('an empty array is 400, more than 1,000 statements 413, a body that is not JSON 400', async (t) => {
    const h = await given(t);
    errorOf(await h.send([]), 400, 'BAD_REQUEST');
    errorOf(await h.send(Array.from({ length: 1001 }, () => ({}))), 413, 'PAYLOAD_TOO_LARGE');
    errorOf(await h.send('{"actor":'), 400, 'BAD_REQUEST');
  });

  it('is in the OpenAPI document with its operationId and tag', async (t) => {
    const h = await given(t);
    const doc = (await h.get('/docs/json')).json() as { paths: Record<string, Record<string, { operationId?: string; tags?: string[] }>> };
    const op = doc.paths['/xapi/statements']?.post;
    assert.equal(op?.operationId, 'postXapiStatements');
    assert.deepEqual(op?.tags, ['xapi']);
  });

  it("ADL's scored attempt counts as activity on its day for a student with an account", async (t) => {
    const h = await given(t);
    const statement: Statement = withAccount(fixture('adl-attempted-with-score'), 'stu-10');
    const res = await h.send(statement);
    assert.equal(res.statusCode, 200, res.body);
    const [event] = await h.events('stu-10');
    assert.equal(event!.event_type, 'activity.recorded');
    assert.equal(event!.timestamp, '2015-12-18T12:17:00+00:00');
  });
});
