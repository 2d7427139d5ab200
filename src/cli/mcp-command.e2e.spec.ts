import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { signHs256 } from '../access/tokens.js';
import { childProcessBase } from '../config/test-environment.js';
import { TOOL_NAMES } from '../testing/mcp/tool-names.js';
import { postJson } from '../testing/http-json.js';
import { workedExampleB } from '../testing/wire-events.js';
import { runCli, startServer } from '../testing/run-cli.js';

const SECRET = 'mcp-command-secret-at-least-32-bytes-long';
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('mastery mcp: the MCP server over stdio, as an AI tutor client starts it', () => {
  let dataDir: string;
  before(async () => {
    // The class is fed through the service first: on the embedded default the data folder
    // belongs to one process at a time.
    dataDir = await mkdtemp(join(tmpdir(), 'mastery-mcp-'));
    const server = await startServer({ MASTERY_DATA_DIR: dataDir, MASTERY_JWT_SECRET: SECRET });
    try {
      const service = await signHs256(SECRET, { role: 'service', sub: 'producer' });
      assert.equal((await postJson(`${server.url}/v1/events`, service, workedExampleB('tutee'))).status, 200);
    } finally {
      await server.stop();
    }
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  async function connect(token: string): Promise<{ client: Client; stderr: () => string }> {
    const env: Record<string, string> = {
      ...childProcessBase(),
      MASTERY_DATA_DIR: dataDir,
      MASTERY_JWT_SECRET: SECRET,
      MASTERY_RETENTION_DAYS: '36500',
      MASTERY_MCP_TOKEN: token,
    };
    const transport = new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', MAIN, 'mcp'], env, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'mcp-command-e2e', version: '0' });
    await client.connect(transport);
    return { client, stderr: () => stderr };
  }

  it("answers with the token's rights: a teacher reads worked example B of their class, and is refused outside it", async () => {
    const teacher = await signHs256(SECRET, { role: 'teacher', sub: 'ms-k', students: ['tutee'] });
    const { client } = await connect(teacher);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name).sort();
      assert.deepEqual(names, TOOL_NAMES);
      const b = await client.callTool({ name: 'get_student_mastery', arguments: { student_id: 'tutee', as_of: '2026-01-14' } });
      assert.equal(b.isError ?? false, false);
      assert.equal((b.structuredContent as { mastery_score: number }).mastery_score, 0.712);
      const refused = await client.callTool({ name: 'get_student_mastery', arguments: { student_id: 'someone-else' } });
      assert.equal(refused.isError, true);
      assert.match(JSON.stringify(refused.content), /FORBIDDEN/);
    } finally {
      await client.close();
    }
  });

  it('refuses to start without a token, saying why on stderr and nothing on stdout (the protocol)', async () => {
    const r = await runCli(['mcp'], { MASTERY_DATA_DIR: dataDir, MASTERY_JWT_SECRET: SECRET });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /MASTERY_MCP_TOKEN/);
    assert.equal(r.stdout, '');
  });
});
