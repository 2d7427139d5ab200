import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `condition` every `intervalMs` until it holds, and resolves with the milliseconds that
 * took; fails naming `what` (and `detail()`) after `timeoutMs`. Specs wait on conditions like
 * this, never on a fixed sleep: on a slow or busy machine a wait only lasts longer, and no
 * assertion depends on how fast the machine is.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  options: { timeoutMs?: number; intervalMs?: number; detail?: () => string | Promise<string> } = {},
): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const started = Date.now();
  for (;;) {
    if (await condition()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) {
      const detail = options.detail ? ` (${await options.detail()})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}
