import { EngineError, Errors } from '../errors.js';

/**
 * Wraps every method of a port so that a failure of the server behind it (a refused
 * connection, a timeout, a closed socket) reaches the caller as STORE_UNAVAILABLE: HTTP 503,
 * and for the Kafka worker a transient failure worth retrying. Errors the engine raised on
 * purpose pass through unchanged.
 */
export function guardPort<T extends object>(port: T, name: string): T {
  const guarded = {} as T;
  for (const key of Object.keys(port) as Array<keyof T>) {
    const member = port[key];
    if (typeof member !== 'function') {
      guarded[key] = member;
      continue;
    }
    guarded[key] = function (this: unknown, ...args: unknown[]) {
      const unavailable = (error: unknown) => {
        if (error instanceof EngineError) throw error;
        throw Object.assign(Errors.storeUnavailable(`${name} is not reachable: ${(error as Error).message}`), { cause: error });
      };
      try {
        const result = (member as (...a: unknown[]) => unknown).apply(port, args);
        if (result instanceof Promise) return result.catch(unavailable);
        // Async iterables (the log's scan) fail inside their own next(); leave them as they are.
        return result;
      } catch (error) {
        return unavailable(error);
      }
    } as T[keyof T];
  }
  return guarded;
}
