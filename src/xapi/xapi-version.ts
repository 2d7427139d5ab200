/** The versions of xAPI whose statements the engine reads, and how it answers each (xAPI Communication §3.3). */
const ACCEPTED = /^(1\.0|2\.0)(\.\d+)?$/;

/** The header each answer carries: the newest patch of the version the client speaks. */
export const ANSWER_VERSION = { '1.0': '1.0.3', '2.0': '2.0.0' } as const;
export const NEWEST_VERSION = ANSWER_VERSION['2.0'];

export type VersionCheck = { ok: true; answer: string } | { ok: false; problem: string };

/**
 * The X-Experience-API-Version header: 1.0, 1.0.x, 2.0 and 2.0.x are read; anything else,
 * and no header at all, is refused, as an LRS must (400).
 */
export function checkVersionHeader(value: string | string[] | undefined): VersionCheck {
  const sent = Array.isArray(value) ? value.join(', ') : value?.trim();
  if (sent === undefined || sent === '') {
    return { ok: false, problem: 'send the X-Experience-API-Version header (1.0.3 or 2.0.0): an xAPI request must name its version' };
  }
  const m = ACCEPTED.exec(sent);
  if (!m) return { ok: false, problem: `X-Experience-API-Version ${sent} is not one this service speaks: send 1.0.x or 2.0.x` };
  return { ok: true, answer: ANSWER_VERSION[m[1] as '1.0' | '2.0'] };
}

/** A statement's own `version` property, when it has one, must be a version the engine reads too. */
export function statementVersionProblem(version: unknown): string | null {
  if (version === undefined) return null;
  if (typeof version !== 'string' || !ACCEPTED.test(version)) return 'must be a 1.0.x or 2.0.x version';
  return null;
}
