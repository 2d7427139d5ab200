/** examples/post-xapi-statements.ts, run as a user runs it, against the app listening in this process. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { childProcessBase } from '../config/test-environment.js';
import { testApp } from '../testing/test-app.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/post-xapi-statements.ts', import.meta.url));

async function runExample(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', EXAMPLE, ...args], { env: childProcessBase(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('examples/post-xapi-statements.ts', () => {
  it("posts one statement that the engine takes as the student's answer on the parent activity's topic", async (t) => {
    // The example stamps its statement with the real time: the app's clock must be now too.
    const h = await testApp({ now: new Date().toISOString() });
    t.after(() => h.app.close());
    const base = await h.app.listen({ port: 0, host: '127.0.0.1' });

    const run = await runExample([base, await h.token('service', 'lms'), 'stu-example']);

    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^200 1\.0\.3 \["[0-9a-f-]{36}"\]/);
    const [event] = await h.deps.log.readStudent('stu-example');
    assert.equal(event?.event_type, 'response.recorded');
    assert.equal(event?.topic, 'h5p.org.node.geography-quiz');
  });

  it('exits 1 and prints the refusal when the token may not post events', async (t) => {
    const h = await testApp({ now: new Date().toISOString() });
    t.after(() => h.app.close());
    const base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const run = await runExample([base, await h.token('student', 'stu-example')]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^403 .*FORBIDDEN/);
  });
});
