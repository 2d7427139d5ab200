import { describe } from 'node:test';
import { auditTrailContract } from '../../testing/contracts/audit-trail-contract.js';
import { busContract } from '../../testing/contracts/bus-contract.js';
import { eventLogContract } from '../../testing/contracts/event-log-contract.js';
import { learnerParamsStoreContract } from '../../testing/contracts/learner-params-store-contract.js';
import { privacyRegistryContract } from '../../testing/contracts/privacy-registry-contract.js';
import { stateStoreContract } from '../../testing/contracts/state-store-contract.js';
import { createMemoryAuditTrail } from './memory-audit-trail.js';
import { createMemoryBus } from './memory-bus.js';
import { createMemoryEventLog } from './memory-event-log.js';
import { createMemoryLearnerParamsStore } from './memory-learner-params-store.js';
import { createMemoryPrivacyRegistry } from './memory-privacy-registry.js';
import { createMemoryStateStore } from './memory-state-store.js';

describe('memory adapters', () => {
  eventLogContract('EventLog contract: memory', async () => createMemoryEventLog());
  stateStoreContract('StateStore contract: memory', async () => createMemoryStateStore());
  busContract('Bus contract: memory', async () => createMemoryBus());
  auditTrailContract('AuditTrail contract: memory', async () => createMemoryAuditTrail());
  privacyRegistryContract('PrivacyRegistry contract: memory', async () => createMemoryPrivacyRegistry());
  learnerParamsStoreContract('LearnerParamsStore contract: memory', async () => createMemoryLearnerParamsStore());
});
