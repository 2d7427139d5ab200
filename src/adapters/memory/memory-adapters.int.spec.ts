import { describe } from 'node:test';
import { busContract } from '../../ports/testing/bus-contract.js';
import { eventLogContract } from '../../ports/testing/event-log-contract.js';
import { stateStoreContract } from '../../ports/testing/state-store-contract.js';
import { createMemoryBus } from './memory-bus.js';
import { createMemoryEventLog } from './memory-event-log.js';
import { createMemoryStateStore } from './memory-state-store.js';

describe('memory adapters', () => {
  eventLogContract('EventLog contract: memory', async () => createMemoryEventLog());
  stateStoreContract('StateStore contract: memory', async () => createMemoryStateStore());
  busContract('Bus contract: memory', async () => createMemoryBus());
});
