import type { TestContext } from 'node:test';

/**
 * Cleanups of a test, run after it last-registered first, each even when an earlier one failed
 * (a server stopped before the client that talks to it would leave the client hanging); the
 * first failure is reported.
 */
export function cleanups(t: TestContext): (f: () => Promise<unknown>) => void {
  const stack: Array<() => Promise<unknown>> = [];
  t.after(async () => {
    const failures: unknown[] = [];
    for (const f of stack.reverse()) await f().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
  });
  return (f) => stack.push(f);
}
