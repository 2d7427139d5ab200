import { SignJWT, createRemoteJWKSet, customFetch, errors as joseErrors, jwtVerify, type FetchImplementation, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { EngineError, Errors } from '../errors.js';
import { KEY_SAFE_PATTERN } from '../validation/event-schema.js';
import { ROLES, type Principal, type Role } from './principal.js';

export type TokenVerifier = (token: string) => Promise<Principal>;

export interface TokenVerifierOptions {
  /** The HS256 shared secret; without it HS256 tokens are refused. */
  secret?: string;
  /** An identity provider's JWKS; without it RS256/ES256 tokens are refused. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** Leeway for exp and nbf, in seconds (default CLOCK_SKEW_SECONDS; the tests' 0 checks exp to the second). */
  clockSkewSeconds?: number;
  /** The longest lifetime (exp − iat) accepted, in hours; 0 or absent: any. */
  maxLifetimeHours?: number;
  /** Replaces the global fetch for the JWKS (tests, proxies). */
  fetchJwks?: FetchImplementation;
  /** The clock, in epoch ms (tests). */
  now?: () => number;
}

/**
 * Leeway for exp and nbf. Clocks kept by NTP differ by well under a second; 30 s covers a host
 * whose clock drifted or an identity provider a little ahead, and is small beside any token's
 * lifetime, so it lets no expired token live on in practice.
 */
const CLOCK_SKEW_SECONDS = 30;

/** Verified tokens remembered, at most, and for how long at most (never past their exp). */
const REMEMBERED_TOKENS = 10_000;
const REMEMBER_MS = 60_000;

const ASYMMETRIC = ['RS256', 'ES256'] as const;

/** The message of the 401 sent when the JWKS cannot be had; its `cause` says why, for the log. */
export const JWKS_UNAVAILABLE = "the identity provider's signing keys (JWKS) could not be fetched; try again later";

/** True for the refusal that is our infrastructure's fault, not the client's: worth logging. */
export function isJwksUnavailable(error: unknown): error is EngineError {
  return error instanceof EngineError && error.message === JWKS_UNAVAILABLE;
}

function unauthorizedBecause(message: string, cause: unknown): EngineError {
  const error = Errors.unauthorized(message);
  error.cause = cause;
  return error;
}

/** What a valid token's claims mean; a token whose claims say nothing usable is refused. */
/** A subject the audit trail can store: printable text, at most 256 characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this pattern refuses.
const PRINTABLE_SUBJECT = /^[^\u0000-\u001f\u007f\ud800-\udfff]{1,256}$/u;
const STUDENT_ID = new RegExp(KEY_SAFE_PATTERN);

function principalOf(claims: Record<string, unknown>): Principal {
  const { sub, role, students } = claims;
  if (typeof sub !== 'string' || sub.length === 0) throw Errors.unauthorized('the token has no sub claim');
  if (!PRINTABLE_SUBJECT.test(sub)) throw Errors.unauthorized("the token's sub claim must be printable text of at most 256 characters");
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw Errors.unauthorized(`the token's role claim must be one of: ${ROLES.join(', ')}`);
  }
  if (students !== undefined && !(Array.isArray(students) && students.every((s) => typeof s === 'string' && STUDENT_ID.test(s)))) {
    throw Errors.unauthorized("the token's students claim must be a list of student ids (1–64 characters of A–Z a–z 0–9 . _ -)");
  }
  const principal: Principal = { sub, role: role as Role, students: new Set((students as string[] | undefined) ?? []) };
  if (typeof claims.exp === 'number') principal.expiresAt = claims.exp * 1000;
  return principal;
}

function claimRefusal(claim: string, reason: string, options: TokenVerifierOptions): EngineError {
  if (reason === 'missing') {
    return Errors.unauthorized(claim === 'exp' ? 'the token has no exp claim; an expiry time is required' : `the token has no ${claim} claim`);
  }
  if (reason === 'invalid') return Errors.unauthorized(`the token's ${claim} claim must be a number of seconds since 1970`);
  switch (claim) {
    case 'nbf':
      return Errors.unauthorized('the token is not valid yet (its nbf is in the future)');
    case 'iss':
      return Errors.unauthorized(`the token was issued by another issuer (expected iss "${options.issuer}")`);
    case 'aud':
      return Errors.unauthorized(`the token is meant for another audience (expected aud "${options.audience}")`);
    default:
      return Errors.unauthorized(`the token's ${claim} claim is not acceptable`);
  }
}

/** jose's errors in words a client developer understands; never the token, never a stack. */
function refusal(error: unknown, allowed: readonly string[], options: TokenVerifierOptions): EngineError {
  if (error instanceof EngineError) return error;
  if (error instanceof joseErrors.JWTExpired) return Errors.unauthorized('the token has expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) return claimRefusal(error.claim, error.reason, options);
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return Errors.unauthorized(`the token's signing algorithm is not allowed here (allowed: ${allowed.join(', ')})`);
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return Errors.unauthorized("the token's signature is not valid");
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    return Errors.unauthorized("no signing key of the identity provider matches the token's kid and alg");
  }
  if (error instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return Errors.unauthorized('several signing keys of the identity provider match; the token needs a kid');
  }
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) {
    return Errors.unauthorized('the token is malformed: expected a signed JWT (header.payload.signature) with a JSON object payload');
  }
  if (error instanceof joseErrors.JOSENotSupported) return Errors.unauthorized('the token uses a JOSE feature this service does not support');
  // Anything else is not the client's doing; the cause stays attached for whoever logs it.
  return unauthorizedBecause('the token could not be verified', error);
}

/**
 * Verifies bearer JWTs. The allow-list follows the configuration (HS256 with a secret; RS256 and
 * ES256 with a JWKS URL), and the key follows the token's alg, so an HS256 token can never be
 * checked against the identity provider's public key (algorithm confusion). `exp` is required.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { secret, jwksUrl } = options;
  if (secret === undefined && jwksUrl === undefined) {
    throw new Error('createTokenVerifier needs a secret (HS256) or a JWKS URL (RS256/ES256), or no token could ever be verified');
  }
  const now = options.now ?? Date.now;
  // Imported once: handing jose the raw bytes would import a new key on every request, which
  // was the read path's largest cost.
  const secretKey =
    secret === undefined ? undefined : crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const jwks = jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(jwksUrl), options.fetchJwks ? { [customFetch]: options.fetchJwks } : {});
  const algorithms = [...(secretKey ? ['HS256'] : []), ...(jwks ? ASYMMETRIC : [])];

  // jose checks the allow-list before it calls this, so alg is one of `algorithms` here.
  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === 'HS256' && secretKey) return await secretKey;
    if ((ASYMMETRIC as readonly string[]).includes(header.alg) && jwks) {
      try {
        return await jwks(header, token);
      } catch (error) {
        if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) throw error;
        // Connection refused, timeout, non-200, not a JWKS: the provider's problem, not the token's.
        throw unauthorizedBecause(JWKS_UNAVAILABLE, error);
      }
    }
    throw new joseErrors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
  };

  const verifyOptions = {
    algorithms,
    requiredClaims: ['exp'],
    clockTolerance: options.clockSkewSeconds ?? CLOCK_SKEW_SECONDS,
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  };
  // A client sends the same token with every request: a token verified once is remembered for
  // a minute at most and never past its exp, so most requests skip the signature check. Only
  // tokens that passed every check are remembered, keyed by their whole text.
  const remembered = new LRUCache<string, { principal: Principal; until: number }>({ max: REMEMBERED_TOKENS });
  return async (token) => {
    const at = now();
    const known = remembered.get(token);
    if (known !== undefined && known.until > at) return known.principal;
    if (known !== undefined) remembered.delete(token);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, getKey, { ...verifyOptions, currentDate: new Date(at) }));
    } catch (error) {
      throw refusal(error, algorithms, options);
    }
    checkLifetime(payload, options.maxLifetimeHours ?? 0);
    const principal = principalOf(payload);
    remembered.set(token, { principal, until: Math.min(at + REMEMBER_MS, (payload.exp as number) * 1000) });
    return principal;
  };
}

/**
 * A token minted to live for years is as good as a password that never changes: with a maximum
 * lifetime set, one whose exp − iat exceeds it is refused, and so is one without iat (its
 * lifetime cannot be told).
 */
function checkLifetime(payload: Record<string, unknown>, maxHours: number): void {
  if (maxHours === 0) return;
  const { iat, exp } = payload;
  if (typeof iat !== 'number') throw Errors.unauthorized(`the token has no iat claim, so its lifetime cannot be checked (at most ${maxHours} h are accepted)`);
  const hours = ((exp as number) - iat) / 3600;
  if (hours > maxHours) {
    throw Errors.unauthorized(`the token lives ${Math.round(hours * 10) / 10} h (exp − iat); at most ${maxHours} h are accepted`);
  }
}

/** Verifies HS256 bearer tokens with the shared secret only. */
export function hs256Verifier(secret: string): TokenVerifier {
  return createTokenVerifier({ secret });
}

export interface TokenRequest {
  sub: string;
  role: Role;
  students?: readonly string[];
  /** Lifetime, e.g. '8h' or '30m' (jose's time span syntax). */
  expiresIn?: string;
}

/** Signs an HS256 token: for the `mastery token` command, the demo and tests. */
export async function signHs256(secret: string, request: TokenRequest): Promise<string> {
  const claims: Record<string, unknown> = { role: request.role };
  if (request.students) claims.students = [...request.students];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuedAt()
    .setExpirationTime(request.expiresIn ?? '8h')
    .sign(new TextEncoder().encode(secret));
}
