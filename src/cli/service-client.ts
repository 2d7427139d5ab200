import { UsageError } from './usage-error.js';

/**
 * One JSON call to a running service, for the commands that talk to it (demo, students): the
 * body on success; a usage error that says what to do when no service answers or it refuses.
 */
export async function callService(url: string, token: string, init: RequestInit = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  } catch {
    throw new UsageError(`no service answers at ${new URL(url).origin}: start it first with "npm start"`);
  }
  const body = await response.json();
  if (!response.ok) throw new UsageError(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}
