import assert from 'node:assert/strict';

/** Freezes a state all the way down; a frozen Map also refuses set, delete and clear. */
export function deepFreeze<T>(value: T): T {
  if (value instanceof Map) {
    for (const method of ['set', 'delete', 'clear']) {
      Object.defineProperty(value, method, { value: () => assert.fail(`Map.${method} on a frozen state`) });
    }
    for (const v of value.values()) deepFreeze(v);
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return typeof value === 'object' && value !== null ? Object.freeze(value) : value;
}
