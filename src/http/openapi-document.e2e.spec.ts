import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { childProcessBase } from '../config/test-environment.js';
import { CLIENT_TYPES_FILE, clientTypesOf, committed, OPENAPI_FILE, openApiText, REGENERATE, repoPath } from '../testing/openapi-document.js';

const run = promisify(execFile);

interface Operation {
  operationId?: string;
  tags?: string[];
  responses: Record<string, unknown>;
}

/** The first line where two texts part, for a failure message that shows what changed. */
function firstDifference(want: string, got: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  const i = a.findIndex((line, n) => line !== b[n]);
  const at = i === -1 ? a.length : i;
  return `line ${at + 1}: built ${JSON.stringify(a[at] ?? '<end>')}, committed ${JSON.stringify(b[at] ?? '<end>')}`;
}

describe('the committed OpenAPI document', () => {
  it(`${OPENAPI_FILE} is the document the service builds (else: ${REGENERATE})`, async () => {
    const built = await openApiText();
    const file = await committed(OPENAPI_FILE);
    assert.ok(file !== undefined, `${OPENAPI_FILE} is missing: run \`${REGENERATE}\` and commit it`);
    assert.ok(built === file, `${OPENAPI_FILE} is stale: run \`${REGENERATE}\` and commit it (${firstDifference(built, file)})`);
  });

  it(`${CLIENT_TYPES_FILE} holds openapi-typescript's types of the committed document (else: ${REGENERATE})`, async () => {
    const file = await committed(CLIENT_TYPES_FILE);
    const document = await committed(OPENAPI_FILE);
    assert.ok(file !== undefined && document !== undefined, `run \`${REGENERATE}\` and commit what it writes`);
    const generated = await clientTypesOf(document);
    assert.ok(generated === file, `${CLIENT_TYPES_FILE} is stale: run \`${REGENERATE}\` and commit it (${firstDifference(generated, file)})`);
  });

  it('names every operation, tags it with a declared tag, and documents a success answer for each', async () => {
    const doc = JSON.parse((await committed(OPENAPI_FILE)) ?? '{}') as {
      tags: Array<{ name: string }>;
      paths: Record<string, Record<string, Operation>>;
    };
    const declared = new Set(doc.tags.map((t) => t.name));
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        assert.ok(op.operationId, `${where} has no operationId`);
        assert.ok(!ids.has(op.operationId), `${where}: operationId ${op.operationId} is used twice`);
        ids.add(op.operationId);
        assert.ok(op.tags?.length && op.tags.every((t) => declared.has(t)), `${where}: tags ${String(op.tags)} not all declared`);
        assert.ok(
          Object.keys(op.responses).some((s) => /^2\d\d$/.test(s)),
          `${where} documents no success answer`,
        );
      }
    }
    // The ops endpoints and MCP are in it, not only the /v1 API.
    for (const path of ['/healthz', '/readyz', '/metrics', '/mcp', '/v1/students/{id}/export']) assert.ok(doc.paths[path], path);
  });

  it("passes Redocly's lint (redocly.yaml: recommended-strict), offline", async () => {
    // The CLI from node_modules on this Node; redocly.yaml turns its telemetry off, and a
    // non-interactive run checks for no update, so nothing leaves the machine.
    const cli = repoPath('node_modules/@redocly/cli/bin/cli.js');
    const result = await run(process.execPath, [cli, 'lint', OPENAPI_FILE], { cwd: repoPath(''), env: childProcessBase() }).catch(
      (error: { stdout: string; stderr: string }) => assert.fail(`redocly lint ${OPENAPI_FILE} failed:\n${error.stdout}${error.stderr}`),
    );
    assert.match(result.stdout + result.stderr, /Your API description is valid/);
  });
});
