import { LRUCache } from 'lru-cache';
import type { LoadedRecord, StateStore } from '../../ports/state-store.js';

export interface CacheOptions {
  /** How long a loaded record may be served from memory (at most 30 s by design). */
  ttlMs: number;
  /** How many students to keep at most; the least recently used go first. */
  maxEntries: number;
  now?: () => number;
}

/**
 * L1: an in-process cache in front of a shared state store (L2). It serves a record for at
 * most `ttlMs` unchecked; an older entry is checked against the store's etag, and served for
 * another `ttlMs` when the store still holds that version (read again when it does not). A
 * record this process writes is kept as written, with the etag the store gave it, so the next
 * batch for that student starts without a read; a write the store refused, or whose etag it
 * cannot tell, is forgotten. This process never reads its own writes stale;
 * other processes' writes show within `ttlMs`, and a write planned from a stale entry is
 * refused by the store's etag check, never lost.
 */
interface Entry {
  record: LoadedRecord;
  /** When the record was read, written or last found current. */
  at: number;
}

export function createCachedStateStore(inner: StateStore, options: CacheOptions): StateStore {
  const now = options.now ?? Date.now;
  // The least recently used students go first when it is full.
  const entries = new LRUCache<string, Entry>({ max: options.maxEntries });
  // Bumped around every write: a load that overlapped a write must not put what it read into
  // the cache (it may be the record the write replaced). Such a load is simply not cached.
  let writes = 0;
  /** Runs a write of these students, forgetting them before and after it. */
  async function writing<T>(studentIds: readonly string[], write: () => Promise<T>): Promise<T> {
    const forget = () => {
      writes++;
      for (const id of studentIds) entries.delete(id);
    };
    forget();
    try {
      return await write();
    } finally {
      forget();
    }
  }
  const remember = (id: string, record: LoadedRecord) => entries.set(id, { record, at: now() });
  return {
    async load(studentIds) {
      const found = new Map<string, LoadedRecord>();
      const misses: string[] = [];
      const expired: Array<[string, Entry]> = [];
      const fresh = now() - options.ttlMs;
      for (const id of studentIds) {
        const hit = entries.get(id);
        if (hit === undefined) misses.push(id);
        else if (hit.at > fresh) found.set(id, hit.record);
        else expired.push([id, hit]);
      }
      if (expired.length > 0) {
        // Checked, not read again: the etag is a few bytes where the record is the student's
        // whole history, and a record kept keeps the answers computed from it. When every
        // entry expires at once (all loaded in the same second), reloading them all held
        // reads up for a second on two cores.
        const etags = await inner.etags(expired.map(([id]) => id));
        for (const [id, hit] of expired) {
          // The same entry still (this process did not write the student meanwhile), and the
          // version the store holds: still current.
          if (entries.get(id) === hit && etags.get(id) === hit.record.etag) {
            remember(id, hit.record);
            found.set(id, hit.record);
          } else misses.push(id);
        }
      }
      if (misses.length > 0) {
        const began = writes;
        for (const [id, record] of await inner.load(misses)) {
          if (writes === began) remember(id, record);
          found.set(id, record);
        }
      }
      return found;
    },

    async save(batch) {
      const outcome = await writing(
        batch.map((w) => w.record.state.student_id),
        () => inner.save(batch),
      );
      for (const w of batch) {
        const etag = outcome.etags.get(w.record.state.student_id);
        if (etag !== undefined) remember(w.record.state.student_id, { ...w.record, etag });
      }
      return outcome;
    },

    remove: (studentIds, eventIds) => writing(studentIds, () => inner.remove(studentIds, eventIds)),

    etags: (studentIds) => inner.etags(studentIds),
    unprocessed: (eventIds) => inner.unprocessed(eventIds),
    pendingUpdates: (studentIds) => inner.pendingUpdates(studentIds),
    acknowledge: (updates) => inner.acknowledge(updates),
    ping: () => inner.ping(),
    async close() {
      entries.clear();
      await inner.close();
    },
  };
}
