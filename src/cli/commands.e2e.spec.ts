import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hs256Verifier } from '../access/tokens.js';
import { runCli } from '../testing/run-cli.js';

const SECRET = 'cli-secret-that-is-at-least-32-bytes-long!';
const env = { MASTERY_DATA_DIR: ':memory:', MASTERY_JWT_SECRET: SECRET };

describe('mastery calc', () => {
  it('computes worked example A from flags', async () => {
    const r = await runCli(['calc', '--completion', '0.8', '--quiz', '0.9', '--quality', '0.85', '--consistency', '0.82'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      mastery_score: 0.842,
      level: 'proficient',
      components: { completion: 0.8, quiz: 0.9, quality: 0.85, consistency: 0.82 },
      breakdown: { completion: 0.32, quiz: 0.27, quality: 0.17, consistency: 0.082 },
      recommendations: [],
    });
  });

  it('reads JSON on stdin and honours MASTERY_WEIGHTS', async () => {
    const input = JSON.stringify({ completion: 1, quiz: 0, quality: 0, consistency: 0 });
    const r = await runCli(['calc'], { ...env, MASTERY_WEIGHTS: '0.7,0.1,0.1,0.1' }, input);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).mastery_score, 0.7);
  });

  it('refuses a value outside [0, 1] and names it', async () => {
    const r = await runCli(['calc', '--completion', '1.2', '--quiz', '0.9', '--quality', '0.85', '--consistency', '0.82'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /completion/);
    assert.equal(r.stdout, '');
  });

  it('refuses a missing value and names it', async () => {
    const r = await runCli(['calc'], env, JSON.stringify({ completion: 0.5, quiz: 0.5, quality: 0.5 }));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /consistency is required/);
  });
});

describe('mastery token', () => {
  it('signs a teacher token that the service verifies, with the class in it', async () => {
    const r = await runCli(['token', '--role', 'teacher', '--sub', 't-1', '--students', 's1, s2'], env);
    assert.equal(r.code, 0, r.stderr);
    const principal = await hs256Verifier(SECRET)(r.stdout.trim());
    assert.equal(principal.role, 'teacher');
    assert.equal(principal.sub, 't-1');
    assert.deepEqual([...principal.students], ['s1', 's2']);
  });

  it('refuses an unknown role', async () => {
    const r = await runCli(['token', '--role', 'principal', '--sub', 'x'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--role must be one of/);
  });
});

describe('configuration errors', () => {
  it('stop start-up with a sentence that names the variable', async () => {
    const r = await runCli(['serve'], { ...env, PORT: 'eighty' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /PORT must be a whole number/);
  });

  it('a removed variable still set stops start-up too, saying what happens now (CHANGELOG, "Removed")', async () => {
    const r = await runCli(['serve'], { ...env, MASTERY_REQUEST_TIMEOUT_SECONDS: '30' });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /MASTERY_REQUEST_TIMEOUT_SECONDS is no longer read: a request that has not arrived whole within 30 s is cut off\. Unset it to start\./,
    );
  });

  it('an unknown command lists the commands', async () => {
    const r = await runCli(['fly'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "fly"/);
    assert.match(r.stderr, /serve/);
  });
});
