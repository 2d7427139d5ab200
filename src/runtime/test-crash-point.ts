import type { TestCrashPoint } from '../config/test-environment.js';
import type { StateStore } from '../ports/state-store.js';

/**
 * Test-only (MASTERY_TEST_CRASH_POINT): the store, made to kill this process with SIGKILL —
 * kill -9, nothing runs after it — as soon as a write that saved updates returns, so that a
 * test sees what a crash between the state write and the publish leaves behind.
 */
export function withTestCrashPoint(store: StateStore, point: TestCrashPoint | undefined): StateStore {
  if (point !== 'after-state-write') return store;
  return {
    ...store,
    async save(writes) {
      const outcome = await store.save(writes);
      const refused = new Set(outcome.conflicts);
      if (writes.some((w) => w.update && !refused.has(w.record.state.student_id))) process.kill(process.pid, 'SIGKILL');
      return outcome;
    },
  };
}
