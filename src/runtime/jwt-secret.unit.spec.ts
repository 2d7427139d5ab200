import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveJwtSecret } from './jwt-secret.js';

/**
 * architecture.md, MASTERY_JWT_SECRET: "embedded: generated once into the data folder". The file is
 * readable by this user only, and the same secret comes back on every later start.
 */

const BASE64URL_OF_32_BYTES = /^[A-Za-z0-9_-]{43}$/;

let root = '';
let count = 0;

/** A data folder path that does not exist yet, inside this suite's temp dir. */
function freshDataDir(): string {
  count += 1;
  return join(root, `data-${count}`);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'mastery-jwt-secret-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('resolveJwtSecret', () => {
  it('a configured secret is returned as is, without touching the disk', async () => {
    const dataDir = freshDataDir();
    const configured = 'a-configured-secret-of-at-least-32-bytes';
    assert.equal(await resolveJwtSecret({ jwtSecret: configured, dataDir }), configured);
    assert.equal(await exists(dataDir), false, 'the data folder was not created');
    assert.deepEqual(await readdir(root), [], 'nothing was written anywhere in the temp dir');
  });

  it('a configured secret wins over one already kept in the data folder', async () => {
    const dataDir = freshDataDir();
    const generated = await resolveJwtSecret({ jwtSecret: undefined, dataDir });
    const configured = 'another-configured-secret-32-bytes-long!';
    assert.equal(await resolveJwtSecret({ jwtSecret: configured, dataDir }), configured);
    assert.equal((await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim(), generated, 'the kept one is left alone');
  });

  it('without one, a secret is generated into the data folder (created if missing), mode 0600', async () => {
    const dataDir = join(freshDataDir(), 'nested', 'deeper');
    const secret = await resolveJwtSecret({ jwtSecret: undefined, dataDir });
    const file = join(dataDir, 'jwt-secret');
    assert.equal((await readFile(file, 'utf8')).trim(), secret, 'the returned secret is the one kept on disk');
    if (process.platform !== 'win32') {
      assert.equal((await stat(file)).mode & 0o777, 0o600, 'readable and writable by this user only');
    }
  });

  it('the generated secret is base64url of 32 random bytes (256 bits)', async () => {
    const secret = await resolveJwtSecret({ jwtSecret: undefined, dataDir: freshDataDir() });
    assert.match(secret, BASE64URL_OF_32_BYTES);
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
    assert.ok(Buffer.byteLength(secret) >= 32, 'long enough for config.ts (≥ 32 bytes)');
  });

  it('the same secret comes back on the second and later calls (tokens outlive restarts)', async () => {
    const dataDir = freshDataDir();
    const first = await resolveJwtSecret({ jwtSecret: undefined, dataDir });
    const second = await resolveJwtSecret({ jwtSecret: undefined, dataDir });
    const third = await resolveJwtSecret({ jwtSecret: undefined, dataDir });
    assert.equal(second, first);
    assert.equal(third, first);
  });

  it('different data folders get different secrets (they are random, not derived)', async () => {
    const secrets = new Set<string>();
    for (let i = 0; i < 5; i += 1) secrets.add(await resolveJwtSecret({ jwtSecret: undefined, dataDir: freshDataDir() }));
    assert.equal(secrets.size, 5);
  });

  it('concurrent first starts agree on one secret', async () => {
    const dataDir = freshDataDir();
    const secrets = await Promise.all(Array.from({ length: 8 }, () => resolveJwtSecret({ jwtSecret: undefined, dataDir })));
    assert.equal(new Set(secrets).size, 1, JSON.stringify(secrets));
    assert.match(secrets[0] ?? '', BASE64URL_OF_32_BYTES);
  });

  it('a secret already kept in the data folder is reused (surrounding newline ignored)', async () => {
    const dataDir = freshDataDir();
    const kept = 'k'.repeat(43);
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'jwt-secret'), `${kept}\n`, { mode: 0o600 });
    assert.equal(await resolveJwtSecret({ jwtSecret: undefined, dataDir }), kept);
  });

  it('an empty secret file is never used as the secret (HS256 with an empty key)', async () => {
    // A crash between creating and writing the file leaves it empty; config.ts refuses secrets under 32 bytes.
    const dataDir = freshDataDir();
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'jwt-secret'), '', { mode: 0o600 });
    const outcome = await resolveJwtSecret({ jwtSecret: undefined, dataDir }).then(
      (secret) => ({ secret }),
      (error: unknown) => ({ error }),
    );
    if ('secret' in outcome) {
      assert.ok(Buffer.byteLength(outcome.secret) >= 32, `an unusable secret was returned: ${JSON.stringify(outcome.secret)}`);
    }
  });
});
