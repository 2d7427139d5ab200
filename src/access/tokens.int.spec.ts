import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CompactSign, SignJWT, type JWTPayload } from 'jose';
import { EngineError } from '../errors.js';
import { startJwksServer, type JwksServer } from '../testing/jwks-server.js';
import { createTokenVerifier, hs256Verifier, isJwksUnavailable, signHs256, type TokenVerifier } from './tokens.js';

const SECRET = 'tokens-spec-secret-0123456789abcdef-0123';
const ISSUER = 'https://id.example';
const AUDIENCE = 'mastery-engine';
const now = (): number => Math.floor(Date.now() / 1000);
const b64 = (text: string): string => Buffer.from(text).toString('base64url');
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A teacher's claims, valid for an hour unless overridden; `undefined` removes a claim. */
function claims(overrides: Record<string, unknown> = {}): JWTPayload {
  const all: Record<string, unknown> = { sub: 't-1', role: 'teacher', students: ['s-1'], iat: now(), exp: now() + 3600, ...overrides };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

function hmac(payload: JWTPayload, alg = 'HS256', key: Uint8Array = bytes(SECRET)): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);
}

/** The token is refused with a 401 whose message matches `reason` and does not echo the token. */
async function refused(verify: TokenVerifier, token: string, reason: RegExp): Promise<void> {
  await assert.rejects(verify(token), (error: unknown) => {
    assert.ok(error instanceof EngineError, `expected an EngineError, got ${String(error)}`);
    assert.equal(error.statusCode, 401);
    assert.equal(error.code, 'UNAUTHORIZED');
    assert.match(error.message, reason);
    if (token.length > 3) assert.ok(!error.message.includes(token), 'the message echoes the token');
    assert.doesNotMatch(error.message, /\n\s+at |node_modules/);
    return true;
  });
}

let idp: JwksServer;
let secretOnly: TokenVerifier;
let jwksOnly: TokenVerifier;
let both: TokenVerifier;
let checked: TokenVerifier;

before(async () => {
  idp = await startJwksServer();
  secretOnly = createTokenVerifier({ secret: SECRET });
  jwksOnly = createTokenVerifier({ jwksUrl: idp.url });
  both = createTokenVerifier({ secret: SECRET, jwksUrl: idp.url });
  checked = createTokenVerifier({ secret: SECRET, jwksUrl: idp.url, issuer: ISSUER, audience: AUDIENCE });
});
after(() => idp.close());

describe('accepted', () => {
  test('a valid HS256 token, by both the secret verifier and hs256Verifier', async () => {
    const token = await signHs256(SECRET, { sub: 't-1', role: 'teacher', students: ['s-1', 's-2'], expiresIn: '5m' });
    for (const verify of [secretOnly, hs256Verifier(SECRET), both]) {
      const p = await verify(token);
      assert.equal(p.sub, 't-1');
      assert.equal(p.role, 'teacher');
      assert.deepEqual([...p.students], ['s-1', 's-2']);
    }
  });

  test('valid RS256 and ES256 tokens from the JWKS, fetched once and cached', async () => {
    const before = idp.requests();
    for (const alg of ['RS256', 'ES256'] as const) {
      for (const verify of [jwksOnly, both]) {
        const exp = now() + 3600;
        const p = await verify(await idp.sign(alg, claims({ sub: `u-${alg}`, role: 'student', students: undefined, exp })));
        assert.deepEqual(
          { ...p, students: [...p.students] },
          { sub: `u-${alg}`, role: 'student', students: [], expiresAt: exp * 1000 },
          'the principal, and when its token expires',
        );
      }
    }
    assert.ok(idp.requests() - before <= 2, 'each verifier fetches the JWKS once');
  });

  test('iss and aud when configured and matching (aud may be a list)', async () => {
    assert.equal((await checked(await hmac(claims({ iss: ISSUER, aud: AUDIENCE })))).sub, 't-1');
    assert.equal((await checked(await idp.sign('ES256', claims({ iss: ISSUER, aud: ['other', AUDIENCE] })))).sub, 't-1');
  });

  test('a token expired by less than the clock skew', async () => {
    assert.equal((await secretOnly(await hmac(claims({ exp: now() - 10 })))).sub, 't-1');
    assert.equal((await secretOnly(await hmac(claims({ nbf: now() + 10 })))).sub, 't-1');
  });

  test('a custom fetch is used for the JWKS', async () => {
    let calls = 0;
    const verify = createTokenVerifier({
      jwksUrl: idp.url,
      fetchJwks: (url, options) => {
        calls += 1;
        return fetch(url, options);
      },
    });
    assert.equal((await verify(await idp.sign('RS256', claims()))).sub, 't-1');
    assert.equal(calls, 1);
  });
});

describe('refused: algorithms', () => {
  test('alg none, built by hand, whatever is configured', async () => {
    const token = `${b64('{"alg":"none","typ":"JWT"}')}.${b64(JSON.stringify(claims({ role: 'admin' })))}.`;
    for (const verify of [secretOnly, jwksOnly, both]) await refused(verify, token, /algorithm is not allowed/);
  });

  test('HS256 signed with the RSA public key (PEM, DER, JWK) as the HMAC secret', async () => {
    const { pem, der, jwk } = idp.rsaPublic;
    for (const key of [bytes(pem), der, bytes(JSON.stringify(jwk))]) {
      const token = await new SignJWT(claims({ role: 'admin' })).setProtectedHeader({ alg: 'HS256', kid: idp.kids.RS256 }).sign(key);
      await refused(both, token, /signature is not valid/); // HS256 is checked with the secret only
      await refused(jwksOnly, token, /algorithm is not allowed/);
    }
  });

  test('HS256 when only a JWKS is configured', async () => {
    await refused(jwksOnly, await hmac(claims()), /algorithm is not allowed.*RS256, ES256/);
  });

  test('RS256 and ES256 when only a secret is configured', async () => {
    for (const alg of ['RS256', 'ES256'] as const) {
      await refused(secretOnly, await idp.sign(alg, claims()), /algorithm is not allowed.*HS256\)/);
    }
  });

  test('HS384 and HS512 signed with the right secret', async () => {
    for (const alg of ['HS384', 'HS512']) await refused(both, await hmac(claims(), alg), /algorithm is not allowed/);
  });
});

describe('refused: time, issuer, audience', () => {
  test('expired beyond the skew', async () => {
    await refused(secretOnly, await hmac(claims({ exp: now() - 120 })), /has expired/);
    await refused(createTokenVerifier({ secret: SECRET, clockSkewSeconds: 0 }), await hmac(claims({ exp: now() - 10 })), /has expired/);
  });

  test('nbf in the future beyond the skew', async () => {
    await refused(secretOnly, await hmac(claims({ nbf: now() + 120 })), /not valid yet/);
  });

  test('no exp, or an exp that is not a number', async () => {
    await refused(secretOnly, await hmac(claims({ exp: undefined })), /no exp claim/);
    await refused(secretOnly, await hmac(claims({ exp: 'tomorrow' })), /exp claim must be a number/);
  });

  test('wrong iss and wrong aud', async () => {
    await refused(checked, await hmac(claims({ iss: 'https://evil.example', aud: AUDIENCE })), /another issuer/);
    await refused(checked, await idp.sign('RS256', claims({ iss: ISSUER, aud: 'someone-else' })), /another audience/);
  });

  test('a lifetime (exp − iat) over the configured maximum, or no iat to tell it by, when one is set', async () => {
    const dayLong = createTokenVerifier({ secret: SECRET, maxLifetimeHours: 24 });
    await refused(
      dayLong,
      await hmac(claims({ iat: now(), exp: now() + 10 * 365 * 86_400 })),
      /^the token lives 87600 h \(exp − iat\); at most 24 h are accepted$/,
    );
    await refused(dayLong, await hmac(claims({ iat: undefined })), /no iat claim/);
    assert.equal((await dayLong(await hmac(claims({ iat: now() - 3600, exp: now() + 23 * 3600 })))).sub, 't-1', 'exactly 24 h is accepted');
    assert.equal((await secretOnly(await hmac(claims({ iat: undefined, exp: now() + 10 * 365 * 86_400 })))).sub, 't-1', 'without a maximum, any lifetime');
  });

  test('missing iss or aud when configured', async () => {
    await refused(checked, await hmac(claims({ aud: AUDIENCE })), /no iss claim/);
    await refused(checked, await hmac(claims({ iss: ISSUER })), /no aud claim/);
  });
});

describe('refused: not a token of ours', () => {
  test('garbage strings', async () => {
    const junk = `${b64('junk-1')}.${b64('junk-2')}.${b64('junk-3')}`;
    for (const token of ['', 'abc', 'a.b.c', junk]) await refused(both, token, /malformed/);
  });

  test('a JWT whose payload is a JSON array', async () => {
    const token = await new CompactSign(bytes('[1,2,3]')).setProtectedHeader({ alg: 'HS256' }).sign(bytes(SECRET));
    await refused(both, token, /malformed/);
  });

  test('a token signed with another secret', async () => {
    await refused(secretOnly, await hmac(claims(), 'HS256', bytes('another-secret-0123456789abcdef-0123456')), /signature is not valid/);
  });

  test('an unknown kid', async () => {
    await refused(jwksOnly, await idp.sign('RS256', claims(), { kid: 'rotated-away' }), /no signing key .* matches/);
  });
});

describe('refused: claims', () => {
  test('missing sub', async () => {
    await refused(both, await hmac(claims({ sub: undefined })), /no sub claim/);
    await refused(both, await idp.sign('ES256', claims({ sub: '' })), /no sub claim/);
  });

  test('unknown role', async () => {
    await refused(both, await hmac(claims({ role: 'root' })), /role claim must be one of/);
  });

  test('students not a list of strings', async () => {
    for (const students of ['s-1', [1, 2], [null]]) {
      await refused(both, await hmac(claims({ students })), /students claim must be a list/);
    }
  });
});

describe('configuration and the identity provider', () => {
  test('neither a secret nor a JWKS URL throws at construction', () => {
    assert.throws(() => createTokenVerifier({}), /needs a secret .* or a JWKS URL/);
  });

  test('a JWKS URL where nothing listens is a 401, not a crash', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const verify = createTokenVerifier({ secret: SECRET, jwksUrl: `http://127.0.0.1:${port}/jwks.json` });
    const token = await idp.sign('RS256', claims());
    await refused(verify, token, /JWKS\) could not be fetched/);
    const error: unknown = await verify(token).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isJwksUnavailable(error), 'the caller can tell it apart, to log it');
    assert.ok(error.cause instanceof Error, 'the cause is kept for the log');
    assert.equal((await verify(await hmac(claims()))).sub, 't-1', 'HS256 still works without the provider');
  });
});

describe('verified tokens remembered', () => {
  test('a remembered token is still refused once its exp (and the skew) has passed', async () => {
    let clockMs = Date.now();
    const verify = createTokenVerifier({ secret: SECRET, now: () => clockMs });
    const exp = Math.floor(clockMs / 1000) + 100;
    const token = await hmac(claims({ exp }));
    assert.equal((await verify(token)).sub, 't-1');
    clockMs += 50_000;
    assert.equal((await verify(token)).sub, 't-1', 'still valid, from memory');
    clockMs = (exp + 31) * 1000;
    await refused(verify, token, /has expired/);
  });

  test('each token keeps its own principal, and a refused one is refused every time', async () => {
    const verify = createTokenVerifier({ secret: SECRET });
    const teacher = await hmac(claims());
    const student = await hmac(claims({ sub: 's-1', role: 'student', students: undefined }));
    for (let i = 0; i < 2; i++) {
      assert.equal((await verify(teacher)).role, 'teacher');
      assert.equal((await verify(student)).role, 'student');
      await refused(verify, await hmac(claims(), 'HS256', bytes('another-secret-0123456789abcdef-0123')), /signature is not valid/);
    }
  });
});
