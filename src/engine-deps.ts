import type { ModelConfig } from './model/model-config.js';
import type { AuditTrail } from './ports/audit-trail.js';
import type { PrivacyRegistry } from './ports/privacy-registry.js';
import type { Bus } from './ports/bus.js';
import type { Clock } from './ports/clock.js';
import type { EventLog } from './ports/event-log.js';
import type { ActiveParams, LearnerParamsStore } from './ports/learner-params-store.js';
import type { StateStore } from './ports/state-store.js';

/** The privacy rules the use cases apply. */
export interface PrivacyPolicy {
  retentionDays: number;
  requireConsent: boolean;
  allowSelfErasure: boolean;
}

export const DEFAULT_PRIVACY_POLICY: PrivacyPolicy = Object.freeze({
  retentionDays: 90,
  requireConsent: false,
  allowSelfErasure: false,
});

/** What the use cases are built from: the ports, the clock and the configuration. */
export interface EngineDeps {
  log: EventLog;
  store: StateStore;
  bus: Bus;
  audit: AuditTrail;
  privacy: PrivacyRegistry;
  clock: Clock;
  model: ModelConfig;
  policy: PrivacyPolicy;
  /** The learner model's parameter versions, and the one in use. */
  params: LearnerParamsStore;
  learner: ActiveParams;
}
