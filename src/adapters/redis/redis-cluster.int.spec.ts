import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cluster } from 'ioredis';
import { initialState } from '../../model/student-state.js';
import { stateStoreContract } from '../../testing/contracts/state-store-contract.js';
import { connectRedis } from './connect-redis.js';
import { createRedisStateStore } from './redis-state-store.js';
import { startLocalRedisCluster } from '../../testing/stores/local-redis-cluster.js';

describe('Redis state store on a real three-node Redis Cluster', () => {
  let cluster: Awaited<ReturnType<typeof startLocalRedisCluster>>;
  before(async () => {
    cluster = await startLocalRedisCluster();
  });
  after(() => cluster.stop());

  stateStoreContract('StateStore contract: Redis Cluster', async () => createRedisStateStore(connectRedis(cluster.url), { retentionDays: 90 }));

  it('spreads students over the nodes while each student keeps all its keys in one slot', async () => {
    const store = createRedisStateStore(connectRedis(cluster.url), { retentionDays: 90 });
    const ids = Array.from({ length: 30 }, (_, i) => `spread-${i}`);
    await store.save(ids.map((id) => ({ record: { state: initialState(id), current: null }, etag: null, applied: [], days: [], incremental: false })));
    await store.close();

    const client = connectRedis(cluster.url) as Cluster;
    try {
      const slots = await Promise.all(ids.map((id) => client.cluster('KEYSLOT', `student:{${id}}:state`) as Promise<number>));
      const sameSlot = await Promise.all(ids.map((id) => client.cluster('KEYSLOT', `student:{${id}}:profile:current_mastery`) as Promise<number>));
      assert.deepEqual(sameSlot, slots, "a student's keys hash to one slot");
      const owners = new Set(slots.map((slot) => client.slots[slot]?.[0]));
      assert.ok(owners.size > 1, `30 students all landed on one node: ${[...owners].join(', ')}`);
    } finally {
      await client.quit();
    }
  });
});
