import type { MasteryUpdated } from '../../ports/bus.js';
import type { LoadedRecord, StateStore } from '../../ports/state-store.js';

/**
 * The state store in this process's memory, the embedded default. Records are immutable values
 * (the fold never mutates a state), so they are kept by reference; the etag is a counter of the
 * store's writes, so a record removed and written again never gets an etag it had before.
 * Processed markers and pending updates live as long as the process (the store is rebuilt from
 * the log at start, and the listeners of its in-process bus went with the process).
 */
export function createMemoryStateStore(): StateStore {
  const records = new Map<string, LoadedRecord>();
  const processed = new Set<string>();
  const outbox = new Map<string, MasteryUpdated>();
  let written = 0;
  return {
    async load(studentIds) {
      const found = new Map<string, LoadedRecord>();
      for (const id of studentIds) {
        const record = records.get(id);
        if (record) found.set(id, record);
      }
      return found;
    },

    async etags(studentIds) {
      const found = new Map<string, string>();
      for (const id of studentIds) {
        const etag = records.get(id)?.etag;
        if (etag !== undefined) found.set(id, etag);
      }
      return found;
    },

    async save(writes) {
      const conflicts: string[] = [];
      const etags = new Map<string, string>();
      for (const { record, etag, applied, update } of writes) {
        const id = record.state.student_id;
        const held = records.get(id);
        if ((held?.etag ?? null) !== etag) {
          conflicts.push(id);
          continue;
        }
        const next = String(++written);
        records.set(id, { ...record, etag: next });
        etags.set(id, next);
        for (const e of applied) processed.add(e.event_id);
        if (update) outbox.set(id, update);
      }
      return { conflicts, etags };
    },

    async pendingUpdates(studentIds) {
      return studentIds.flatMap((id) => outbox.get(id) ?? []);
    },

    async acknowledge(updates) {
      for (const { student_id, event_id } of updates) {
        if (outbox.get(student_id)?.event_id === event_id) outbox.delete(student_id);
      }
    },

    async remove(studentIds, eventIds) {
      for (const id of studentIds) {
        records.delete(id);
        outbox.delete(id);
      }
      for (const id of eventIds) processed.delete(id);
    },

    async unprocessed(eventIds) {
      return new Set(eventIds.filter((id) => !processed.has(id)));
    },

    async ping() {},
    async close() {
      records.clear();
      processed.clear();
      outbox.clear();
    },
  };
}
