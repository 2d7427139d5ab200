import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactTokens } from './logger.js';

describe('the request log', () => {
  it('never holds a token given in the query', () => {
    assert.equal(redactTokens('/v1/stream?access_token=eyJ.a.b'), '/v1/stream?access_token=[redacted]');
    assert.equal(redactTokens('/v1/stream?x=1&access_token=eyJ.a.b&y=2'), '/v1/stream?x=1&access_token=[redacted]&y=2');
    assert.equal(redactTokens('/v1/students?limit=5'), '/v1/students?limit=5');
  });
});
