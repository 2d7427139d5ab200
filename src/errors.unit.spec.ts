import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type EngineError, errorBody, Errors } from './errors.js';

/** Every error the engine can report, one of each factory (arguments are placeholders). */
const ALL: EngineError[] = Object.entries(Errors).map(([name, make]) =>
  name === 'stateConflict' ? Errors.stateConflict(['s-1']) : (make as (...args: unknown[]) => EngineError)('x', 'y'),
);

/** The rows of docs/api.md's error table: `| status | \`CODE\` | … |`. */
function documented(): Array<{ status: number; code: string }> {
  const api = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
  return [...api.matchAll(/^\| (\d{3}) \| `([A-Z_]+)` \|/gm)].map((m) => ({ status: Number(m[1]), code: m[2]! }));
}

describe('errors: one vocabulary', () => {
  it('every code the engine reports is in the API reference with its status, and the reference names no other', () => {
    const rows = documented();
    const made = new Map(ALL.map((e) => [e.code, e.statusCode]));
    for (const [code, status] of made) {
      assert.ok(
        rows.some((r) => r.code === code && r.status === status),
        `docs/api.md's error table lists ${status} ${code}`,
      );
    }
    for (const row of rows) assert.ok(made.has(row.code), `docs/api.md lists ${row.code}, which errors.ts never makes`);
  });

  it('builds the one error body: code and message, details only when there are some', () => {
    assert.deepEqual(errorBody(Errors.forbidden()), { error: { code: 'FORBIDDEN', message: 'this token may not do that' } });
    const details = [{ field: 'topic', message: 'must be a string' }];
    assert.deepEqual(errorBody(Errors.badRequest('the body is invalid', details)), {
      error: { code: 'BAD_REQUEST', message: 'the body is invalid', details },
    });
    assert.ok(!('details' in errorBody(Errors.internal()).error));
  });

  it('says which errors can succeed on retry: the store, a conflict, the limit, readiness; never a client mistake', () => {
    const retriable = ALL.filter((e) => e.canRetry)
      .map((e) => e.code)
      .sort();
    assert.deepEqual(retriable, ['NOT_READY', 'RATE_LIMITED', 'STATE_CONFLICT', 'STORE_UNAVAILABLE', 'TOO_MANY_STREAMS']);
  });
});
