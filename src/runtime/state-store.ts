import { createCachedStateStore } from '../adapters/cache/cached-state-store.js';
import { createDaprStateStore } from '../adapters/dapr/dapr-state-store.js';
import { createMemoryStateStore } from '../adapters/memory/memory-state-store.js';
import { connectRedis } from '../adapters/redis/connect-redis.js';
import { createRedisStateStore } from '../adapters/redis/redis-state-store.js';
import type { Config } from '../config.js';
import { testCrashPoint } from '../config/test-environment.js';
import type { StateStore } from '../ports/state-store.js';
import { withTestCrashPoint } from './test-crash-point.js';

/** L1 keeps 10,000 students at most, each for MASTERY_CACHE_SECONDS (30 s at most, by design). */
const L1_MAX_STUDENTS = 10_000;

function withL1(store: StateStore, config: Config): StateStore {
  if (config.cacheSeconds === 0) return store;
  return createCachedStateStore(store, { ttlMs: config.cacheSeconds * 1000, maxEntries: L1_MAX_STUDENTS });
}

/** The configured state store; `shared` when other processes see it too (not in memory). */
export function openStateStore(config: Config): { store: StateStore; shared: boolean } {
  const { store, shared } = configuredStore(config);
  return { store: withTestCrashPoint(store, testCrashPoint()), shared };
}

function configuredStore(config: Config): { store: StateStore; shared: boolean } {
  if (config.redisUrl) {
    const redis = createRedisStateStore(connectRedis(config.redisUrl), { retentionDays: config.retentionDays });
    return { store: withL1(redis, config), shared: true };
  }
  if (config.dapr) {
    const dapr = createDaprStateStore({ ...config.dapr, retentionDays: config.retentionDays });
    return { store: withL1(dapr, config), shared: true };
  }
  return { store: createMemoryStateStore(), shared: false };
}
