import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { Errors } from '../errors.js';
import { ROLES, type Principal, type Role } from './principal.js';

const ALGORITHMS = ['HS256'];

export type TokenVerifier = (token: string) => Promise<Principal>;

/** What a valid token's claims mean; a token whose claims say nothing usable is refused. */
function principalOf(claims: Record<string, unknown>): Principal {
  const { sub, role, students } = claims;
  if (typeof sub !== 'string' || sub.length === 0) throw Errors.unauthorized('the token has no sub claim');
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw Errors.unauthorized(`the token's role claim must be one of: ${ROLES.join(', ')}`);
  }
  if (students !== undefined && !(Array.isArray(students) && students.every((s) => typeof s === 'string'))) {
    throw Errors.unauthorized("the token's students claim must be a list of student ids");
  }
  return { sub, role: role as Role, students: new Set((students as string[] | undefined) ?? []) };
}

/** Verifies HS256 bearer tokens with the shared secret; `exp` is required, `alg` is pinned. */
export function hs256Verifier(secret: string): TokenVerifier {
  const key = new TextEncoder().encode(secret);
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ALGORITHMS, requiredClaims: ['exp'] });
      return principalOf(payload);
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw Errors.unauthorized('the token has expired');
      if (error instanceof joseErrors.JOSEError) throw Errors.unauthorized(`the token is not valid (${error.code})`);
      throw error;
    }
  };
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
