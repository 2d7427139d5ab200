import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { childProcessBase } from '../src/config/test-environment.js';
import { testApp, type TestApp } from '../src/testing/test-app.js';
import { cleanups } from '../src/testing/cleanups.js';
import { dayOfWork, masteryClient, MasteryApiError, readMastery, sendEvents } from './http-producer.js';

const run = promisify(execFile);

/** The real app over the in-memory stores, listening on a free loopback port; its clock stands at now. */
async function listening(t: TestContext): Promise<{ harness: TestApp; url: string }> {
  const harness = await testApp({ now: new Date().toISOString() });
  cleanups(t)(() => harness.app.close());
  await harness.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = harness.app.server.address() as AddressInfo;
  return { harness, url: `http://127.0.0.1:${port}` };
}

describe('examples/http-producer.ts, against the engine over HTTP', () => {
  it('sends a day of work in a batch: every event accepted, logged and applied to the student', async (t) => {
    const { harness, url } = await listening(t);
    const events = dayOfWork('stu-example', 'python.loops', new Date(Date.now() - 60 * 60_000));
    const producer = masteryClient(url, await harness.token('service', 'producer'));

    const [report, ...more] = await sendEvents(producer, events);
    assert.equal(more.length, 0);
    assert.deepEqual({ accepted: report!.accepted, duplicate: report!.duplicate, rejected: report!.rejected }, { accepted: 5, duplicate: 0, rejected: 0 });
    assert.deepEqual(report!.updated, ['stu-example']);
    const logged = await harness.deps.log.readStudent('stu-example');
    assert.deepEqual(new Set(logged.map((e) => e.event_id)), new Set(events.map((e) => e.event_id)));

    // Applied: the student's result is read back through the same typed client.
    const reader = masteryClient(url, await harness.token('admin', 'root'));
    const mastery = await readMastery(reader, 'stu-example', { topic: 'python.loops' });
    assert.equal(mastery.student_id, 'stu-example');
    assert.equal(mastery.topic, 'python.loops');
    assert.equal(mastery.components.completion, 0.8, 'completion: 8 of 10 exercises');
    const knowledge = await reader.GET('/v1/students/{id}/knowledge', { params: { path: { id: 'stu-example' }, query: { topic: 'python.loops' } } });
    assert.equal(knowledge.data?.topics[0]?.responses, 3, 'the three answers reached the learner model');

    // Sent again, the same events change nothing.
    const [again] = await sendEvents(producer, events);
    assert.deepEqual({ accepted: again!.accepted, duplicate: again!.duplicate }, { accepted: 0, duplicate: 5 });
  });

  it("turns the API's error into a MasteryApiError with its status and code", async (t) => {
    const { harness, url } = await listening(t);
    const student = masteryClient(url, await harness.token('student', 'stu-1'));
    const refused = await sendEvents(student, dayOfWork('stu-1', 'python.loops', new Date(Date.now() - 60_000))).catch((e: unknown) => e);
    assert.ok(refused instanceof MasteryApiError, String(refused));
    assert.equal(refused.status, 403);
    assert.equal(refused.body?.error.code, 'FORBIDDEN');
  });

  it('runs as a script: sends the events and prints the student’s mastery', async (t) => {
    const { harness, url } = await listening(t);
    const script = fileURLToPath(new URL('./http-producer.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, url, await harness.token('admin', 'root'), 'stu-script'], {
      env: childProcessBase(),
    });
    assert.match(stdout, /^accepted 5, duplicate 0, rejected 0$/m);
    assert.match(stdout, /^stu-script: 0\.\d+ \([a-z]+\)$/m);
    assert.equal((await harness.deps.log.readStudent('stu-script')).length, 5);
  });
});
