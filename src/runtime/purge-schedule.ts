import type { Logger } from 'pino';
import type { EngineDeps } from '../engine-deps.js';
import { purgeExpired } from '../privacy/purge-expired.js';

/**
 * Runs the retention purge every `intervalMinutes` (0: never; `mastery purge` runs it by hand).
 * Returns the function that stops it. A purge that fails is logged and tried at the next tick.
 */
export function schedulePurge(deps: EngineDeps, intervalMinutes: number, logger: Logger): () => void {
  if (intervalMinutes === 0) return () => {};
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const report = await purgeExpired(deps);
      if (report.events + report.erased_leftovers + report.audit_entries > 0) logger.info(report, 'retention purge');
    } catch (error) {
      logger.error({ err: error }, 'retention purge failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMinutes * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
