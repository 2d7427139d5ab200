import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialState } from '../../model/student-state.js';
import type { StateStore, StudentWrite } from '../../ports/state-store.js';
import { stateStoreContract } from '../../testing/contracts/state-store-contract.js';
import { createMemoryStateStore } from '../memory/memory-state-store.js';
import { createCachedStateStore } from './cached-state-store.js';

stateStoreContract('StateStore contract: L1 cache over the memory store', async () =>
  createCachedStateStore(createMemoryStateStore(), { ttlMs: 30_000, maxEntries: 100 }),
);

/** A store that counts its loads and etag checks, to tell cache hits from misses. */
function counting(inner: StateStore) {
  const loads: string[][] = [];
  const checks: string[][] = [];
  const store: StateStore = {
    ...inner,
    load: (ids) => (loads.push([...ids]), inner.load(ids)),
    etags: (ids) => (checks.push([...ids]), inner.etags(ids)),
  };
  return { loads, checks, store };
}

/** The store with one of its reads held after it has read, until the test releases it. */
function holding(inner: StateStore, read: 'load' | 'etags') {
  let release!: () => void;
  const store: StateStore = {
    ...inner,
    [read]: async (ids: readonly string[]) => {
      const found = await inner[read](ids);
      await new Promise<void>((resolve) => (release = resolve));
      return found;
    },
  };
  return { store, release: () => release() };
}

const write = (id: string, etag: string | null): StudentWrite => ({
  record: { state: initialState(id), current: null },
  etag,
  applied: [],
  days: [],
  incremental: false,
});

describe('L1 cache', () => {
  it('serves a loaded record from memory until the time-to-live has passed, then checks its etag', async () => {
    let now = 0;
    const memory = createMemoryStateStore();
    const inner = counting(memory);
    await memory.save([write('a', null), write('b', null)]);
    const cache = createCachedStateStore(inner.store, { ttlMs: 30_000, maxEntries: 10, now: () => now });

    const first = await cache.load(['a', 'b']);
    now = 29_999;
    await cache.load(['a', 'b']);
    assert.equal(inner.loads.length, 1, 'the second load is a hit');
    assert.equal(inner.checks.length, 0, 'and checks nothing');

    // Another process writes b; a is unchanged.
    await memory.save([write('b', first.get('b')!.etag)]);
    now = 30_001;
    const later = await cache.load(['a', 'b']);
    assert.deepEqual(inner.checks, [['a', 'b']], 'entries older than 30 s are checked');
    assert.equal(later.get('a'), first.get('a'), 'a is still the stored version: the same record, not read again');
    assert.deepEqual(inner.loads, [['a', 'b'], ['b']], 'b had moved: read again');
    assert.equal(later.get('b')!.etag, (await memory.etags(['b'])).get('b'));

    now = 60_000;
    await cache.load(['a', 'b']);
    assert.equal(inner.checks.length, 1, 'a found current counts as fresh for another 30 s');
  });

  it('reads a student again whose etag check overlapped its own write', async () => {
    let now = 0;
    const memory = createMemoryStateStore();
    await memory.save([write('a', null)]);
    const slow = holding(memory, 'etags');
    const cache = createCachedStateStore(slow.store, { ttlMs: 30_000, maxEntries: 10, now: () => now });
    const before = (await cache.load(['a'])).get('a')!;
    now = 30_001;
    const loading = cache.load(['a']);
    await new Promise((resolve) => setImmediate(resolve));
    await cache.save([write('a', before.etag)]);
    slow.release();
    assert.equal((await loading).get('a')!.etag, (await memory.load(['a'])).get('a')!.etag, 'the write, not the etag checked before it');
  });

  it('keeps a record it wrote, with the etag the store gave it: the next batch starts without a read', async () => {
    const inner = counting(createMemoryStateStore());
    const cache = createCachedStateStore(inner.store, { ttlMs: 30_000, maxEntries: 10 });
    await cache.save([write('a', null)]);
    const first = (await cache.load(['a'])).get('a')!;
    await cache.save([write('a', first.etag)]);

    const second = (await cache.load(['a'])).get('a')!;
    assert.notEqual(second.etag, first.etag, 'never its own write stale');
    assert.equal(second.etag, (await inner.store.load(['a'])).get('a')!.etag, 'the etag the store holds');
    assert.deepEqual(inner.loads, [['a']], 'no load reached the store but the check above');
  });

  it('forgets a student whose write was refused, and one whose new etag the store does not tell', async () => {
    const memory = createMemoryStateStore();
    const inner = counting(memory);
    const cache = createCachedStateStore(inner.store, { ttlMs: 30_000, maxEntries: 10 });
    await cache.save([write('a', null)]);
    await cache.load(['a']);
    assert.deepEqual((await cache.save([write('a', 'stale')])).conflicts, ['a']);
    await cache.load(['a']);
    assert.deepEqual(inner.loads, [['a']], 'the refused write dropped the entry: read again');

    const silent: StateStore = { ...inner.store, save: async (w) => ({ ...(await memory.save(w)), etags: new Map() }) };
    const quiet = createCachedStateStore(silent, { ttlMs: 30_000, maxEntries: 10 });
    const etag = (await quiet.load(['a'])).get('a')!.etag;
    await quiet.save([write('a', etag)]);
    const before = inner.loads.length;
    assert.notEqual((await quiet.load(['a'])).get('a')!.etag, etag);
    assert.equal(inner.loads.length, before + 1, 'no etag reported: read from the store');
  });

  it('does not cache what a load read while a write was under way', async () => {
    const memory = createMemoryStateStore();
    await memory.save([write('a', null)]);
    const slow = holding(memory, 'load');
    const cache = createCachedStateStore(slow.store, { ttlMs: 30_000, maxEntries: 10 });
    const loading = cache.load(['a']);
    await new Promise((resolve) => setImmediate(resolve));
    await cache.save([write('a', '1')]);
    slow.release();
    const stale = (await loading).get('a')!;

    const after = cache.load(['a']);
    await new Promise((resolve) => setImmediate(resolve));
    slow.release();
    assert.notEqual((await after).get('a')!.etag, stale.etag, 'the record read before the write was not cached');
  });

  it('keeps at most maxEntries students', async () => {
    const inner = counting(createMemoryStateStore());
    await inner.store.save(['a', 'b', 'c'].map((id) => write(id, null)));
    const cache = createCachedStateStore(inner.store, { ttlMs: 30_000, maxEntries: 2 });
    await cache.load(['a']);
    await cache.load(['b']);
    await cache.load(['c']);
    await cache.load(['a']);
    assert.deepEqual(inner.loads, [['a'], ['b'], ['c'], ['a']], 'a was evicted by c');
  });
});
