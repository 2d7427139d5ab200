import { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/**
 * A client for MASTERY_REDIS_URL: one redis:// (or rediss://) URL for a single server, or a
 * comma-separated list of them for the seed nodes of a Redis Cluster. On a single server,
 * auto-pipelining sends the commands issued in one tick in one write. On a cluster it is off:
 * it would group commands of different slots into one pipeline, which a cluster refuses; the
 * commands of a batch are still all sent before any reply is awaited.
 */
export function connectRedis(url: string): RedisClient {
  const urls = url
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  // A Redis that is down must cost a request at most a couple of seconds (then 503), not the
  // minutes ioredis would otherwise keep a command queued while it reconnects.
  const common = {
    enableAutoPipelining: true,
    lazyConnect: true,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
  };
  if (urls.length === 1) return new Redis(urls[0]!, common);
  const nodes = urls.map((u) => {
    const parsed = new URL(u);
    return { host: parsed.hostname, port: Number(parsed.port || 6379) };
  });
  const first = new URL(urls[0]!);
  return new Cluster(nodes, {
    enableAutoPipelining: false,
    redisOptions: {
      ...common,
      enableAutoPipelining: false,
      username: first.username || undefined,
      password: first.password || undefined,
      tls: first.protocol === 'rediss:' ? {} : undefined,
    },
  });
}
