import type { ModelConfig } from '../model/model-config.js';
import type { Bus } from '../ports/bus.js';
import type { Clock } from '../ports/clock.js';
import type { EventLog } from '../ports/event-log.js';
import type { StateStore } from '../ports/state-store.js';

/** What the use cases are built from: the ports, the clock and the model's configuration. */
export interface EngineDeps {
  log: EventLog;
  store: StateStore;
  bus: Bus;
  clock: Clock;
  model: ModelConfig;
}
