import type { FittedParams } from '../model/learner/fit-learner-params.js';
import type { LearnerParams } from '../model/learner/learner-params.js';

/**
 * The learner model's fitted parameter versions, kept in the event-log database beside the log
 * they were fitted from (learner-model §3). Versions only ever get newer: the newest is active.
 */
export interface LearnerParamsStore {
  /** Stores a fit as the newest version; returns it with the version and time it was given. */
  save(fitted: FittedParams, fittedAt: Date): Promise<LearnerParams>;
  /** The newest version, or null before any fit. */
  latest(): Promise<LearnerParams | null>;
  /** The newest version's name alone (what every instance polls), or null before any fit. */
  latestVersion(): Promise<string | null>;
}

/** The parameter version a process uses now: refreshed from the store (runtime/active-params). */
export interface ActiveParams {
  current(): LearnerParams;
  /** Takes up the newest stored version now (after a fit); keeps the one in use when the store does not answer. */
  refresh(): Promise<LearnerParams>;
}

/** Parameters that never change: an evaluation's fixed fit. */
export function staticParams(params: LearnerParams): ActiveParams {
  return { current: () => params, refresh: async () => params };
}
