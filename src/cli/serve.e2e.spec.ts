import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signHs256 } from '../access/tokens.js';
import { workedExampleB as exampleB } from '../testing/wire-events.js';
import { startServer } from '../testing/run-cli.js';

const SECRET = 'e2e-secret-that-is-at-least-32-bytes-long';

/** 1,000 events over 50 students and three topics, all valid. */
function bigBatch(): object[] {
  return Array.from({ length: 1000 }, (_, i) => ({
    event_id: randomUUID(),
    event_type: 'mastery.calculation.requested',
    timestamp: `2026-01-${String(1 + (i % 13)).padStart(2, '0')}T08:00:00Z`,
    student_id: `batch-${i % 50}`,
    topic: ['python.loops', 'python.lists', 'python.functions'][i % 3],
    component: 'quiz',
    data: { total_questions: 10, correct_answers: i % 11 },
  }));
}

describe('mastery serve, end to end on the embedded default', () => {
  let dataDir: string;
  let admin: string;
  let service: string;
  const env = () => ({ MASTERY_DATA_DIR: dataDir, MASTERY_JWT_SECRET: SECRET });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mastery-e2e-'));
    admin = await signHs256(SECRET, { role: 'admin', sub: 'e2e-admin' });
    service = await signHs256(SECRET, { role: 'service', sub: 'e2e-producer' });
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const get = async (url: string, token: string) => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const post = async (url: string, token: string, body: unknown) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('serves worked example B, takes 1,000 events in one request, and answers the same after a restart', async () => {
    const first = await startServer(env());
    let before: unknown[];
    const reads = (url: string) => [
      `${url}/v1/students/learner-b/mastery?as_of=2026-01-14`,
      `${url}/v1/students/learner-b/path?as_of=2026-01-14`,
      `${url}/v1/students/learner-b/prediction?as_of=2026-01-14`,
      `${url}/v1/students/learner-b/history?to=2026-01-14`,
      `${url}/v1/students/batch-7/mastery?as_of=2026-01-14&topic=python.lists`,
      `${url}/v1/students?as_of=2026-01-14&limit=1000`,
    ];
    try {
      const ingestB = await post(`${first.url}/v1/events`, service, exampleB('learner-b'));
      assert.equal(ingestB.status, 200);
      assert.equal(ingestB.body.accepted, 11);

      const ingestBig = await post(`${first.url}/v1/events`, service, bigBatch());
      assert.equal(ingestBig.status, 200);
      assert.equal(ingestBig.body.accepted, 1000);
      assert.equal(ingestBig.body.rejected, 0);

      const mastery = await get(`${first.url}/v1/students/learner-b/mastery?as_of=2026-01-14`, admin);
      assert.equal(mastery.status, 200);
      assert.equal(mastery.body.mastery_score, 0.712);
      assert.equal(mastery.body.level, 'competent');
      assert.deepEqual(mastery.body.components, { completion: 0.8, quiz: 0.612, quality: 0.8, consistency: 0.486 });
      const path = await get(`${first.url}/v1/students/learner-b/path?as_of=2026-01-14`, admin);
      assert.deepEqual(path.body.path, ['daily_goals', 'streak_reminders', 'study_schedule', 'concept_review', 'practice_quizzes', 'mock_tests']);

      const list = await get(`${first.url}/v1/students?as_of=2026-01-14&limit=1000`, admin);
      assert.equal(list.body.total, 51);
      before = await Promise.all(reads(first.url).map(async (u) => (await get(u, admin)).body));
    } finally {
      await first.stop();
    }

    const second = await startServer(env());
    try {
      const afterRestart = await Promise.all(reads(second.url).map(async (u) => (await get(u, admin)).body));
      assert.deepEqual(afterRestart, before);
      // The log remembers every id: sending example B again changes nothing.
      const again = await post(`${second.url}/v1/events`, service, bigBatch().slice(0, 1));
      assert.equal(again.body.accepted, 1, 'fresh ids are still accepted after a restart');
    } finally {
      await second.stop();
    }
  });

  it('refuses a student token that asks for another student, and answers 401 without a token', async () => {
    const server = await startServer(env());
    try {
      await post(`${server.url}/v1/events`, service, exampleB('learner-c'));
      const own = await signHs256(SECRET, { role: 'student', sub: 'learner-c' });
      const other = await signHs256(SECRET, { role: 'student', sub: 'someone-else' });
      assert.equal((await get(`${server.url}/v1/students/learner-c/mastery`, own)).status, 200);
      const refused = await get(`${server.url}/v1/students/learner-c/mastery`, other);
      assert.equal(refused.status, 403);
      assert.equal((refused.body.error as { code: string }).code, 'FORBIDDEN');
      const anonymous = await fetch(`${server.url}/v1/students/learner-c/mastery`);
      assert.equal(anonymous.status, 401);
    } finally {
      await server.stop();
    }
  });
});
