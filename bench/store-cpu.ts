/**
 * The stores' CPU over a window. PostgreSQL: the backends serving one application_name (the
 * bench tags each of its connection strings), from /proc: the suite's server is shared, so its
 * other backends and its background processes (WAL writer, checkpointer) are left out. Redis:
 * the server's own count (INFO cpu), all of its threads; the bench's redis-server serves the
 * bench alone.
 */
import type { Redis } from 'ioredis';
import { openPostgres } from '../src/adapters/sql/postgres-client.js';
import { processTicks, TICKS_PER_SECOND } from './proc-cpu.js';

/** How often the PostgreSQL backends' CPU is read: a backend that exits loses at most this much. */
const SAMPLE_MS = 100;

/** A connection string that reports `applicationName` in pg_stat_activity. */
export function withApplicationName(url: string, applicationName: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', applicationName);
  return u.toString();
}

export interface StoreCpu {
  /** CPU seconds of the tagged PostgreSQL backends (NaN: none measured). */
  postgresSeconds: number;
  /** CPU seconds of the Redis server (NaN: none measured). */
  redisSeconds: number;
  postgresBackends: number;
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/**
 * Starts measuring; `stop()` returns the CPU used since. `adminUrl`: any connection string of
 * the same server (the monitor's own connection carries another application_name).
 */
export async function startStoreCpu(o: { adminUrl?: string; applicationName?: string; redis?: Redis }): Promise<{ stop: () => Promise<StoreCpu> }> {
  const redisBefore = o.redis ? await redisCpuSeconds(o.redis) : NaN;
  if (!o.adminUrl || !o.applicationName) {
    return {
      stop: async () => ({ postgresSeconds: NaN, redisSeconds: o.redis ? (await redisCpuSeconds(o.redis)) - redisBefore : NaN, postgresBackends: 0 }),
    };
  }
  const monitor = await openPostgres(withApplicationName(o.adminUrl, `${o.applicationName}-monitor`));
  /** pid → ticks when first seen (0 for a backend started inside the window) and when last seen. */
  const backends = new Map<number, { first: number; last: number }>();
  const findBackends = async (startedInWindow: boolean) => {
    const rows = await monitor.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [o.applicationName]);
    for (const { pid } of rows) {
      if (backends.has(pid)) continue;
      const ticks = processTicks(pid)?.ticks;
      if (ticks !== undefined) backends.set(pid, { first: startedInWindow ? 0 : ticks, last: ticks });
    }
  };
  const readTicks = () => {
    for (const [pid, b] of backends) {
      const ticks = processTicks(pid)?.ticks;
      if (ticks !== undefined) b.last = ticks;
    }
  };
  await findBackends(false);
  let polls = 0;
  let busy: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    readTicks();
    // New backends are looked for less often than ticks are read: the query costs the server.
    if (++polls % 5 === 0) busy = busy.then(() => findBackends(true)).catch(() => undefined);
  }, SAMPLE_MS);
  return {
    async stop() {
      clearInterval(timer);
      await busy;
      await findBackends(true);
      readTicks();
      await monitor.close();
      let ticks = 0;
      for (const b of backends.values()) ticks += b.last - b.first;
      return {
        postgresSeconds: ticks / TICKS_PER_SECOND,
        redisSeconds: o.redis ? (await redisCpuSeconds(o.redis)) - redisBefore : NaN,
        postgresBackends: backends.size,
      };
    },
  };
}
