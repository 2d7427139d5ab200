import type { Caller } from '../access/caller.js';
import { createMemoryAuditTrail } from '../adapters/memory/memory-audit-trail.js';
import { createMemoryBus } from '../adapters/memory/memory-bus.js';
import { createMemoryEventLog } from '../adapters/memory/memory-event-log.js';
import { createMemoryLearnerParamsStore } from '../adapters/memory/memory-learner-params-store.js';
import { createActiveParams } from '../runtime/active-params.js';
import { createMemoryPrivacyRegistry } from '../adapters/memory/memory-privacy-registry.js';
import { createMemoryStateStore } from '../adapters/memory/memory-state-store.js';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from '../model/model-config.js';
import { DEFAULT_PRIVACY_POLICY, type EngineDeps, type PrivacyPolicy } from '../engine-deps.js';
import { fixedClock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';

/** Test-only: the engine's dependencies on the memory adapters, with a clock that stands still. */
export function memoryDeps(options: { now: string; store?: StateStore; model?: ModelConfig; policy?: Partial<PrivacyPolicy> }): EngineDeps {
  const params = createMemoryLearnerParamsStore();
  return {
    params,
    learner: createActiveParams(params),
    log: createMemoryEventLog(),
    store: options.store ?? createMemoryStateStore(),
    bus: createMemoryBus((error) => {
      throw error;
    }),
    audit: createMemoryAuditTrail(),
    privacy: createMemoryPrivacyRegistry(),
    clock: fixedClock(options.now),
    model: options.model ?? DEFAULT_MODEL_CONFIG,
    // The fixtures' events are from January 2026: keep them inside retention whatever the clock says.
    policy: { ...DEFAULT_PRIVACY_POLICY, retentionDays: 36_500, ...options.policy },
  };
}

/** Test-only callers of each role, with a request id. */
export const callers = {
  admin: { principal: { sub: 'root', role: 'admin', students: new Set<string>() }, requestId: 'req-admin' },
  service: { principal: { sub: 'producer', role: 'service', students: new Set<string>() }, requestId: 'req-service' },
} satisfies Record<string, Caller>;
