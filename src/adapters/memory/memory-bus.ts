import type { Bus, UpdateListener } from '../../ports/bus.js';

/** The in-process bus: updates go to this process's listeners (the dashboard's live view). */
export function createMemoryBus(onListenerError: (error: unknown) => void = () => {}): Bus {
  const listeners = new Set<UpdateListener>();
  return {
    async publish(updates) {
      for (const update of updates) {
        for (const listener of listeners) {
          // One failing listener must not keep the update from the others, nor fail the batch.
          try {
            // A listener typed `void` may still be async; its rejection is caught here too.
            const outcome: unknown = listener(update);
            if (outcome instanceof Promise) outcome.catch(onListenerError);
          } catch (error) {
            onListenerError(error);
          }
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
}
