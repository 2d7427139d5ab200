import type { Logger } from 'pino';
import { DEFAULT_LEARNER_PARAMS, type LearnerParams } from '../model/learner/learner-params.js';
import type { ActiveParams, LearnerParamsStore } from '../ports/learner-params-store.js';

/** How often a process looks for a newer fit: every instance uses it within a minute (learner-model §3). */
export const PARAMS_REFRESH_MS = 30_000;

export interface RefreshingParams extends ActiveParams {
  /** Looks for a newer version every `intervalMs` until stopped. */
  start(intervalMs?: number): void;
  stop(): void;
}

/**
 * The parameters in use: the newest version in the store, looked up by name (the whole set is
 * read only when the name changed). Before any fit, the defaults (version `default`).
 */
export function createActiveParams(store: LearnerParamsStore, logger?: Logger): RefreshingParams {
  let current: LearnerParams = DEFAULT_LEARNER_PARAMS;
  let timer: NodeJS.Timeout | undefined;
  async function refresh(): Promise<LearnerParams> {
    try {
      const version = await store.latestVersion();
      if (version !== null && version !== current.version) {
        current = (await store.latest()) ?? current;
        logger?.info({ model_version: current.version }, 'learner model parameters in use');
      }
    } catch (error) {
      logger?.warn({ err: error, model_version: current.version }, 'could not look for newer learner model parameters');
    }
    return current;
  }
  return {
    current: () => current,
    refresh,
    start(intervalMs = PARAMS_REFRESH_MS) {
      timer ??= setInterval(() => void refresh(), intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
