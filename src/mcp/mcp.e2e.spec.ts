/**
 * The MCP tools through the SDK's own client, over streamable HTTP (the service's /mcp) and over
 * stdio (in process, and one real `mastery mcp`-like child process). Both run the same checks.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Role } from '../access/principal.js';
import { hs256Verifier, signHs256 } from '../access/tokens.js';
import { errorOf, TEST_NOW, TEST_SECRET, testApp } from '../testing/test-app.js';
import type { EngineDeps } from '../engine-deps.js';
import { DEFAULT_MODEL_CONFIG } from '../model/model-config.js';
import { createIngest } from '../pipeline/ingest.js';
import type { AuditEntry } from '../ports/audit-trail.js';
import { createStudentQueries } from '../queries/student-queries.js';
import { memoryDeps } from '../testing/memory-deps.js';
import { runMcpStdio } from './mcp-stdio.js';
import { CLASS, seedClass, TEACHER } from '../testing/mcp/class-fixture.js';
import { TOOL_NAMES } from '../testing/mcp/tool-names.js';

const token = (role: Role, sub: string, students?: readonly string[]) =>
  signHs256(TEST_SECRET, { role, sub, ...(students ? { students } : {}), expiresIn: '1h' });
const teacherToken = () => token('teacher', TEACHER, CLASS);

interface ToolAnswer {
  isError?: boolean;
  structured: Record<string, unknown>;
  text: string;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text?: string }>;
  return {
    ...(result.isError === true ? { isError: true } : {}),
    structured: (result.structuredContent ?? {}) as Record<string, unknown>,
    text: content.map((c) => c.text ?? '').join('\n'),
  };
}

async function refusals(deps: EngineDeps, studentId: string): Promise<AuditEntry[]> {
  const { entries } = await deps.audit.query({ studentId, limit: 100 });
  return entries.filter((e) => e.outcome === 'refused');
}

interface Harness {
  deps: EngineDeps;
  /** A client connected as the teacher of CLASS. */
  teacher: Client;
  /** What a request id of this transport looks like in the audit trail. */
  requestId: RegExp;
}

/** The same specification for every transport. */
function toolSpecification(harness: () => Harness): void {
  test('tools/list shows the seven tools, each with an input and an output schema', async () => {
    const { tools } = await harness().teacher.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), TOOL_NAMES);
    for (const tool of tools) {
      assert.equal(tool.inputSchema.type, 'object', tool.name);
      assert.equal(tool.outputSchema?.type, 'object', `${tool.name} declares an output schema`);
      assert.ok((tool.description ?? '').length > 40, `${tool.name} is described`);
    }
    const mastery = tools.find((t) => t.name === 'get_student_mastery')!;
    assert.deepEqual(mastery.inputSchema.required, ['student_id']);
  });

  test('calculate_mastery: worked example A', async () => {
    const a = await call(harness().teacher, 'calculate_mastery', { completion: 0.8, quiz: 0.9, quality: 0.85, consistency: 0.82 });
    assert.equal(a.isError, undefined);
    assert.deepEqual(a.structured, {
      mastery_score: 0.842,
      level: 'proficient',
      components: { completion: 0.8, quiz: 0.9, quality: 0.85, consistency: 0.82 },
      breakdown: { completion: 0.32, quiz: 0.27, quality: 0.17, consistency: 0.082 },
      recommendations: [],
    });
    assert.match(a.text, /0\.842 \(proficient\)/);
  });

  test('calculate_mastery: a value outside [0, 1] is a tool error, not a crash', async () => {
    const a = await call(harness().teacher, 'calculate_mastery', { completion: 1.5, quiz: 0.9, quality: 0.85, consistency: 0.82 });
    assert.equal(a.isError, true);
    assert.match(a.text, /completion/);
  });

  test('get_student_mastery: worked example B as of 2026-01-14', async () => {
    const b = await call(harness().teacher, 'get_student_mastery', { student_id: 's-b', as_of: '2026-01-14' });
    assert.equal(b.isError, undefined);
    const s = b.structured;
    assert.equal(s.student_id, 's-b');
    assert.equal(s.as_of, '2026-01-14');
    assert.equal(s.topic, null);
    assert.equal(s.mastery_score, 0.712);
    assert.equal(s.level, 'competent');
    assert.deepEqual(s.components, { completion: 0.8, quiz: 0.612, quality: 0.8, consistency: 0.486 });
    assert.deepEqual(s.recommendations, [
      { action: 'review', area: 'concepts', priority: 'medium' },
      { action: 'schedule', area: 'daily practice', priority: 'low' },
    ]);
    assert.deepEqual(s.topics, [{ topic: 'general', mastery_score: 0.712, level: 'competent' }]);
    assert.match(b.text, /s-b as of 2026-01-14: mastery 0\.712 \(competent\)/);
  });

  test('get_student_mastery: one topic, and an unknown topic is a tool error', async () => {
    const general = await call(harness().teacher, 'get_student_mastery', { student_id: 's-b', as_of: '2026-01-14', topic: 'general' });
    assert.equal(general.structured.topic, 'general');
    assert.equal(general.structured.mastery_score, 0.712);
    const none = await call(harness().teacher, 'get_student_mastery', { student_id: 's-b', topic: 'python.loops' });
    assert.equal(none.isError, true);
    assert.match(none.text, /^TOPIC_NOT_FOUND: student s-b has no events in topic python\.loops$/);
  });

  test('get_learning_path: example B, consistency then quiz', async () => {
    const p = await call(harness().teacher, 'get_learning_path', { student_id: 's-b', as_of: '2026-01-14' });
    assert.equal(p.isError, undefined);
    assert.deepEqual(p.structured.path, ['daily_goals', 'streak_reminders', 'study_schedule', 'concept_review', 'practice_quizzes', 'mock_tests']);
    assert.deepEqual(p.structured.weak_components, [
      { component: 'consistency', value: 0.486 },
      { component: 'quiz', value: 0.612 },
    ]);
    assert.deepEqual(p.structured.weak_topics, []);
  });

  test('predict_mastery: the 7-day prediction, and null with too little history', async () => {
    const p = await call(harness().teacher, 'predict_mastery', { student_id: 's-r1', as_of: '2026-01-14' });
    assert.equal(p.isError, undefined);
    const s = p.structured;
    assert.equal(s.student_id, 's-r1');
    assert.equal(s.current, 0.161, '0.4 × 0.2 + 0.1 × 0.81');
    assert.equal(s.prediction, 0);
    assert.equal(s.trend, 'declining');
    assert.equal(s.trend_per_day, -0.12);
    assert.equal(s.confidence, 0.3);
    assert.equal(s.intervention_needed, true);
    assert.match(p.text, /intervention needed/);

    const b = await call(harness().teacher, 'predict_mastery', { student_id: 's-b', as_of: '2026-01-14' });
    assert.equal(b.structured.trend, 'improving');
    assert.equal(b.structured.intervention_needed, false);
    assert.equal(b.structured.confidence, 0.8, 'eight days with events');

    const fresh = await call(harness().teacher, 'predict_mastery', { student_id: 's-new', as_of: '2026-01-14' });
    const { forecast, ...seed } = fresh.structured as { forecast: { score_in_7_days: number; needs_help: boolean } };
    assert.deepEqual(seed, { student_id: 's-new', topic: null, prediction: null, confidence: 0 });
    // One active day: a week without practice is the likeliest; 0.4 × 0.2 + 0.1 × 0.9^9.
    assert.equal(forecast.score_in_7_days, 0.119);
    assert.equal(forecast.needs_help, true);
    assert.match(fresh.text, /forecast 0\.119 .*needs help/);
  });

  test('get_student_knowledge: per topic, with the parameter version used', async () => {
    const k = await call(harness().teacher, 'get_student_knowledge', { student_id: 's-b', as_of: '2026-01-14T12:00:00Z' });
    assert.equal(k.isError, undefined);
    assert.equal(k.structured.model_version, 'default');
    assert.equal(k.structured.as_of, '2026-01-14T12:00:00.000Z');
    // Example B holds no answers: its one topic has the prior of a student never seen answering.
    assert.deepEqual(k.structured.topics, [{ topic: 'general', p_known: 0.245, p_correct: 0.5, responses: 0, last_response_at: null }]);
    const refused = await call(harness().teacher, 'get_student_knowledge', { student_id: 's-out' });
    assert.equal(refused.isError, true);
  });

  test("list_students_at_risk: only the teacher's students the forecast says need help, lowest forecast first", async () => {
    const r = await call(harness().teacher, 'list_students_at_risk', { as_of: '2026-01-14' });
    assert.equal(r.isError, undefined);
    assert.equal(r.structured.as_of, '2026-01-14');
    assert.equal(r.structured.students_seen, 4, 's-ghost is unknown; s-out is not in the class');
    // s-new too: too little history for the seed's prediction, but its consistency is decaying.
    // Each: 0.4 × 0.2 + 0.1 × 0.9^9 = 0.119 after the likeliest week, one without practice.
    assert.equal(r.structured.at_risk, 3);
    const students = r.structured.students as Array<{ forecast: { score_in_7_days: number } } & Record<string, unknown>>;
    assert.deepEqual(
      students.map(({ forecast, ...s }) => ({ ...s, forecast: forecast.score_in_7_days })),
      [
        { student_id: 's-new', mastery_score: 0.161, level: 'beginner', prediction: null, trend: null, forecast: 0.119 },
        { student_id: 's-r1', mastery_score: 0.161, level: 'beginner', prediction: 0, trend: 'declining', forecast: 0.119 },
        { student_id: 's-r2', mastery_score: 0.161, level: 'beginner', prediction: 0.161, trend: 'stable', forecast: 0.119 },
      ],
    );
    const one = await call(harness().teacher, 'list_students_at_risk', { as_of: '2026-01-14', limit: 1 });
    assert.deepEqual(
      (one.structured.students as Array<{ student_id: string }>).map((s) => s.student_id),
      ['s-new'],
    );
    assert.equal(one.structured.at_risk, 3);
  });

  test('a student outside the class: a tool error the model can read, and a refusal in the audit trail', async () => {
    const { deps, teacher, requestId } = harness();
    const before = (await refusals(deps, 's-out')).length;
    const r = await call(teacher, 'get_student_mastery', { student_id: 's-out' });
    assert.equal(r.isError, true);
    assert.equal(r.text, 'FORBIDDEN: a teacher token may not read student s-out');
    assert.deepEqual(r.structured, {});
    const refused = await refusals(deps, 's-out');
    assert.equal(refused.length, before + 1);
    const entry = refused[0]!;
    assert.equal(entry.actor, TEACHER);
    assert.equal(entry.role, 'teacher');
    assert.equal(entry.action, 'mastery.read');
    assert.match(entry.request_id, requestId);
    for (const tool of ['predict_mastery', 'get_learning_path']) {
      const x = await call(teacher, tool, { student_id: 's-out' });
      assert.equal(x.isError, true, tool);
      assert.match(x.text, /^FORBIDDEN: /);
    }
    const actions = (await refusals(deps, 's-out')).map((e) => e.action);
    assert.ok(actions.includes('prediction.read') && actions.includes('path.read'));
  });

  test('an unknown student in the class is a tool error; allowed reads are audited', async () => {
    const { deps, teacher } = harness();
    const r = await call(teacher, 'get_student_mastery', { student_id: 's-ghost' });
    assert.equal(r.isError, true);
    assert.equal(r.text, 'STUDENT_NOT_FOUND: no student s-ghost is known to the engine');
    const { entries } = await deps.audit.query({ studentId: 's-ghost', limit: 10 });
    assert.equal(entries[0]?.outcome, 'not_found');
    const allowed = await deps.audit.query({ studentId: 's-b', limit: 100 });
    assert.ok(allowed.entries.some((e) => e.action === 'mastery.read' && e.outcome === 'allowed' && e.actor === TEACHER));
  });

  test('a calendar day that does not exist is a tool error', async () => {
    const r = await call(harness().teacher, 'get_student_mastery', { student_id: 's-b', as_of: '2026-02-30' });
    assert.equal(r.isError, true);
    assert.match(r.text, /^BAD_REQUEST: as_of must be a calendar day/);
  });
}

describe('MCP over streamable HTTP (/mcp on the service)', () => {
  let h: Harness;
  let url: URL;
  const clients: Client[] = [];

  async function connect(bearer: string): Promise<Client> {
    const client = new Client({ name: 'mcp-e2e', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${bearer}` } } }));
    clients.push(client);
    return client;
  }

  let t: Awaited<ReturnType<typeof testApp>>;
  before(async () => {
    // buildApp serves /mcp, as the service does.
    t = await testApp();
    await seedClass(t.deps);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = new URL(`http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/mcp`);
    h = { deps: t.deps, teacher: await connect(await teacherToken()), requestId: /^req-/ };
  });
  after(async () => {
    for (const client of clients) await client.close();
    await t.app.close();
  });

  toolSpecification(() => h);

  test('no token, or a bad one, is a 401 in the API error shape', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '0' } },
    };
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const none = await t.app.inject({ method: 'POST', url: '/mcp', headers, payload: initialize });
    errorOf(none, 401, 'UNAUTHORIZED');
    const forged = await signHs256('another-secret-0123456789abcdef-0123456789', { role: 'admin', sub: 'mallory' });
    const bad = await t.app.inject({ method: 'POST', url: '/mcp', headers: { ...headers, authorization: `Bearer ${forged}` }, payload: initialize });
    errorOf(bad, 401, 'UNAUTHORIZED');
    const garbage = await t.app.inject({ method: 'POST', url: '/mcp', headers: { ...headers, authorization: 'Bearer abc' }, payload: initialize });
    errorOf(garbage, 401, 'UNAUTHORIZED');
    // And the SDK's client fails to connect.
    await assert.rejects(connect(forged));
  });

  test('GET and DELETE answer 405: the endpoint is stateless', async () => {
    const bearer = { authorization: `Bearer ${await teacherToken()}` };
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await t.app.inject({ method, url: '/mcp', headers: bearer });
      errorOf(res, 405, 'METHOD_NOT_ALLOWED');
      assert.equal(res.headers.allow, 'POST');
    }
  });

  test('list_students_at_risk audits the class read as one entry naming the students it covered', async () => {
    const sub = 'teacher-audited';
    const teacher = await connect(await token('teacher', sub, CLASS));

    await call(teacher, 'list_students_at_risk', { as_of: '2026-01-14' });

    const { entries } = await t.deps.audit.query({ actor: sub, limit: 100 });
    const reads = entries.filter((e) => e.action === 'students.list');
    assert.equal(reads.length, 1, 'one entry for a class of four, not one per student');
    assert.equal(reads[0]!.student_id, null);
    assert.deepEqual(reads[0]!.detail, { students: 4 });
    assert.deepEqual(reads[0]!.students, [...CLASS].filter((id) => id !== 's-ghost').sort());
  });

  test("the caller is the token's principal: a student sees only themself, and no class list", async () => {
    const student = await connect(await token('student', 's-b'));
    const own = await call(student, 'get_student_mastery', { student_id: 's-b', as_of: '2026-01-14' });
    assert.equal(own.structured.mastery_score, 0.712);
    const other = await call(student, 'get_student_mastery', { student_id: 's-r1' });
    assert.equal(other.isError, true);
    const list = await call(student, 'list_students_at_risk');
    assert.equal(list.isError, true);
    assert.equal(list.text, 'FORBIDDEN: a student token may not list students');
  });

  test('an admin sees every student at risk, the one outside the class too', async () => {
    const admin = await connect(await token('admin', 'root'));
    const r = await call(admin, 'list_students_at_risk', { as_of: '2026-01-14' });
    assert.deepEqual(
      (r.structured.students as Array<{ student_id: string }>).map((s) => s.student_id),
      ['s-new', 's-out', 's-r1', 's-r2'],
      'ties on the forecast in student id order',
    );
  });

  test('record_response: a service token records an answer once (a retry with its event_id is a duplicate), and the knowledge moves', async () => {
    const service = await connect(await token('service', 'tutor-agent'));
    const admin = await connect(await token('admin', 'root'));
    const knowledge = async () => {
      const k = await call(admin, 'get_student_knowledge', { student_id: 's-b', topic: 'python.sets', as_of: '2026-01-15' });
      return (k.structured.topics as Array<{ p_correct: number; responses: number }>)[0]!;
    };
    const before = await knowledge();
    const answerOf = {
      student_id: 's-b',
      topic: 'python.sets',
      item_id: 'sets:q1',
      correct: true,
      timestamp: '2026-01-14T10:00:00Z',
      event_id: '6f1d8e2a-4b7c-4d9e-8f0a-1b2c3d4e5f60',
    };
    const first = await call(service, 'record_response', answerOf);
    assert.equal(first.isError, undefined, first.text);
    assert.deepEqual(first.structured, { event_id: answerOf.event_id, status: 'accepted', student_id: 's-b', topic: 'python.sets' });
    const again = await call(service, 'record_response', answerOf);
    assert.equal(again.structured.status, 'duplicate');
    const after = await knowledge();
    assert.equal(after.responses, before.responses + 1, 'one answer, however often it is sent');
    assert.ok(after.p_correct > before.p_correct, `a right answer raises p_correct (${before.p_correct} → ${after.p_correct})`);
    const stored = await t.get('/v1/students/s-b/knowledge?topic=python.sets&as_of=2026-01-15', await token('admin', 'root'));
    assert.equal(stored.json().topics[0].responses, after.responses, 'the HTTP API sees the same answer');
  });

  test('record_response: a bad answer is refused with the field at fault and stores nothing; a teacher may not record', async () => {
    const service = await connect(await token('service', 'tutor-agent'));
    const count = async () => (await t.deps.log.readStudent('s-b')).length;
    const before = await count();
    const bad = await call(service, 'record_response', {
      student_id: 's-b',
      topic: 'python.sets',
      item_id: 'no spaces allowed',
      correct: false,
      timestamp: '2026-01-14T10:00:00Z',
    });
    assert.equal(bad.isError, true);
    assert.equal(bad.text, 'INVALID_EVENT: the answer is refused (data.item_id: must be 1–128 characters of A–Z a–z 0–9 . _ : -)');
    const teacher = await call(h.teacher, 'record_response', {
      student_id: 's-b',
      topic: 'python.sets',
      item_id: 'sets:q2',
      correct: true,
      timestamp: '2026-01-14T10:00:00Z',
    });
    assert.equal(teacher.isError, true);
    assert.equal(teacher.text, 'FORBIDDEN: a teacher token may not post events');
    assert.equal(await count(), before, 'nothing reached the event log');
  });

  test('the tools answer what the HTTP routes answer', async () => {
    const bearer = await teacherToken();
    for (const [tool, route] of [
      ['get_student_mastery', 'mastery'],
      ['get_learning_path', 'path'],
    ] as const) {
      const http = await t.get(`/v1/students/s-b/${route}?as_of=2026-01-14`, bearer);
      const mcp = await call(h.teacher, tool, { student_id: 's-b', as_of: '2026-01-14' });
      assert.deepEqual(mcp.structured, http.json(), tool);
    }
    const http = await t.get('/v1/students/s-r1/prediction?as_of=2026-01-14', bearer);
    const mcp = await call(h.teacher, 'predict_mastery', { student_id: 's-r1', as_of: '2026-01-14' });
    assert.deepEqual(mcp.structured, { student_id: 's-r1', topic: null, ...http.json() });
  });
});

describe('MCP over HTTP under a rate limit: every call of a JSON-RPC batch counts', () => {
  let t: Awaited<ReturnType<typeof testApp>>;
  before(async () => {
    t = await testApp({ ratePerMinute: 10 });
    await seedClass(t.deps);
  });
  after(() => t.app.close());

  // The budget is the token's: one token per teacher, signed once (a token signed a second
  // later is another token, with a budget of its own).
  const tokens = new Map<string, Promise<string>>();
  const headers = async (sub: string) => {
    if (!tokens.has(sub)) tokens.set(sub, token('teacher', sub, CLASS));
    return {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${await tokens.get(sub)!}`,
    };
  };
  const atRisk = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      jsonrpc: '2.0',
      id: i + 1,
      method: 'tools/call',
      params: { name: 'list_students_at_risk', arguments: { as_of: '2026-01-14' } },
    }));
  const post = async (sub: string, payload: unknown) => t.app.inject({ method: 'POST', url: '/mcp', headers: await headers(sub), payload: payload as object });

  test('a batch within the budget is served; the next one that would pass it is a 429 RATE_LIMITED that runs none of its calls', async () => {
    const sub = 'teacher-batch';
    const served = await post(sub, atRisk(6));
    assert.equal(served.statusCode, 200, served.body);
    assert.equal((served.json() as unknown[]).length, 6, 'six answers');

    const audited = async () => (await t.deps.audit.query({ actor: sub, limit: 1000 })).entries.length;
    const before = await audited();
    const refused = await post(sub, atRisk(5));

    errorOf(refused, 429, 'RATE_LIMITED');
    assert.ok(Number(refused.headers['retry-after']) > 0, 'Retry-After says when');
    assert.equal(await audited(), before, 'no call of the refused batch ran');
  });

  test('one batch larger than the whole budget is refused; single calls of another token are not affected', async () => {
    errorOf(await post('teacher-greedy', atRisk(11)), 429, 'RATE_LIMITED');
    const single = await post('teacher-modest', atRisk(1)[0]);
    assert.equal(single.statusCode, 200, single.body);
  });
});

describe('MCP over stdio, in process (runMcpStdio with a linked in-memory transport)', () => {
  let h: Harness;
  let close: () => Promise<void>;
  before(async () => {
    const deps = memoryDeps({ now: TEST_NOW });
    await seedClass(deps);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const session = await runMcpStdio({
      token: await teacherToken(),
      verifyToken: hs256Verifier(TEST_SECRET),
      queries: createStudentQueries(deps),
      model: deps.model,
      ingest: createIngest(deps),
      transport: serverSide,
    });
    const teacher = new Client({ name: 'mcp-e2e', version: '0' });
    await teacher.connect(clientSide);
    h = { deps, teacher, requestId: /^mcp-stdio-[0-9a-f-]{36}$/ };
    close = async () => {
      await teacher.close();
      await session.closed;
    };
  });
  after(() => close());

  toolSpecification(() => h);
});

describe('MCP tool descriptions state the configured model, not the defaults', () => {
  test('weights 0.25 each and a threshold of 0.6 appear in calculate_mastery and get_learning_path', async () => {
    const model = { ...DEFAULT_MODEL_CONFIG, weights: { completion: 0.25, quiz: 0.25, quality: 0.25, consistency: 0.25 }, recommendationThreshold: 0.6 };
    const deps = memoryDeps({ now: TEST_NOW, model });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const session = await runMcpStdio({
      token: await teacherToken(),
      verifyToken: hs256Verifier(TEST_SECRET),
      queries: createStudentQueries(deps),
      model,
      ingest: createIngest(deps),
      transport: serverSide,
    });
    const client = new Client({ name: 'mcp-e2e', version: '0' });
    await client.connect(clientSide);
    try {
      const { tools } = await client.listTools();
      const calculate = tools.find((t) => t.name === 'calculate_mastery')!;
      assert.match(calculate.description!, /weights 0\.25\/0\.25\/0\.25\/0\.25/);
      assert.match(calculate.description!, /each component below 0\.6\./);
      assert.doesNotMatch(calculate.description!, /0\.30|0\.7\b/);
      const input = calculate.inputSchema.properties as Record<string, { description?: string }>;
      for (const c of ['completion', 'quiz', 'quality', 'consistency']) assert.match(input[c]!.description!, /\(weight 0\.25\)/, c);
      const path = tools.find((t) => t.name === 'get_learning_path')!;
      assert.match(path.description!, /below 0\.6\)/);
      assert.doesNotMatch(path.description!, /0\.7/);
      const score = await call(client, 'calculate_mastery', { completion: 1, quiz: 0, quality: 0, consistency: 0 });
      assert.equal(score.structured.mastery_score, 0.25, 'and computes with them');
    } finally {
      await client.close();
      await session.closed;
    }
  });
});

describe('runMcpStdio refuses to start without a valid token', () => {
  const deps = memoryDeps({ now: TEST_NOW });
  const options = { verifyToken: hs256Verifier(TEST_SECRET), queries: createStudentQueries(deps), model: deps.model, ingest: createIngest(deps) };

  test('no token', async () => {
    for (const missing of [undefined, '', '  ']) {
      await assert.rejects(runMcpStdio({ ...options, token: missing }), { code: 'UNAUTHORIZED', message: /a bearer token is needed/ });
    }
  });

  test('a bad token says why', async () => {
    await assert.rejects(runMcpStdio({ ...options, token: 'abc' }), { code: 'UNAUTHORIZED', message: /the MCP token was refused: the token is malformed/ });
    const expired = await signHs256(TEST_SECRET, { role: 'teacher', sub: TEACHER, expiresIn: '-1h' });
    await assert.rejects(runMcpStdio({ ...options, token: expired }), { message: /the MCP token was refused: the token has expired/ });
  });
});

describe('MCP over real stdio (a child process)', () => {
  const fixture = fileURLToPath(new URL('../testing/mcp/stdio-fixture.ts', import.meta.url));

  test('the SDK client spawns it, lists the tools and reads example B; stdout carries only the protocol', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', fixture, await teacherToken()],
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: 'mcp-e2e', version: '0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((x) => x.name).sort(), TOOL_NAMES);
      const b = await call(client, 'get_student_mastery', { student_id: 's-b', as_of: '2026-01-14' });
      assert.equal(b.structured.mastery_score, 0.712);
      const out = await call(client, 'get_student_mastery', { student_id: 's-out' });
      assert.equal(out.isError, true);
    } finally {
      await client.close();
    }
    assert.match(stderr, /MCP server ready on stdio/, 'the log goes to stderr');
  });

  test('without a token it exits 2 with the reason on stderr and nothing on stdout', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', fixture], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /^mastery mcp: a bearer token is needed to act as: set MASTERY_MCP_TOKEN/m);
    assert.equal(run.stdout, '');
  });
});
