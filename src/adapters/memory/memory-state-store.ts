import type { StateStore, StudentRecord } from '../../ports/state-store.js';

/**
 * The state store in this process's memory, the embedded default. Records are immutable values
 * (the fold never mutates a state), so they are kept by reference.
 */
export function createMemoryStateStore(): StateStore {
  const records = new Map<string, StudentRecord>();
  let sortedIds: string[] | null = null;
  return {
    async load(studentIds) {
      const found = new Map<string, StudentRecord>();
      for (const id of studentIds) {
        const record = records.get(id);
        if (record) found.set(id, record);
      }
      return found;
    },

    async save(batch) {
      for (const record of batch) {
        if (!records.has(record.state.student_id)) sortedIds = null;
        records.set(record.state.student_id, record);
      }
    },

    async list({ offset, limit }) {
      sortedIds ??= [...records.keys()].sort();
      return { studentIds: sortedIds.slice(offset, offset + limit), total: sortedIds.length };
    },

    async ping() {},
    async close() {
      records.clear();
      sortedIds = null;
    },
  };
}
