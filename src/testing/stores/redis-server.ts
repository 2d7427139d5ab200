/**
 * Test-only: redis-server processes of the tests' own, on free ports and without persistence,
 * so no test ever writes to a Redis it did not start (the one on 6379 may hold someone's data).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasExited, killHard } from '../seeded-events.js';

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** Whether a Redis on the port answers PING. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1_000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString('latin1').startsWith('+PONG'));
    });
    for (const failure of ['error', 'timeout'] as const) socket.once(failure, () => (socket.destroy(), resolve(false)));
  });
}

/**
 * redis-server on `port`, answering once this resolves. Its output is not read (a pipe would
 * keep the test process alive); readiness is a PING.
 */
async function spawnRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`redis-server could not be started (is it installed? scripts/ensure-test-servers.sh installs it): ${error.message}`)),
    );
    child.once('exit', (code, signal) => reject(new Error(`redis-server on port ${port} exited (${signal ?? code})`)));
  });
  failed.catch(() => undefined);
  // Not kept past the test process, whatever way its tests end.
  const stop = () => {
    if (!hasExited(child)) child.kill('SIGKILL');
  };
  process.once('exit', stop);
  child.once('exit', () => process.off('exit', stop));
  const started = Date.now();
  while (!(await Promise.race([answersPing(port), failed]))) {
    if (Date.now() - started > 10_000) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
    }
    await sleep(20);
  }
  return child;
}

/** A Redis server of the test's own: killing it loses everything it held. */
export interface RedisServer {
  port: number;
  url: string;
  /** kill -9 (the store goes away at once, as in a crash). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  running(): boolean;
  /** Lets the process end while the server runs (it is killed at exit): for a server shared by a whole test file. */
  unref(): void;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined = await spawnRedis(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (child) await killHard(child);
      child = undefined;
    },
    async restart() {
      if (child && !hasExited(child)) throw new Error('redis-server is still running');
      child = await spawnRedis(port);
    },
    running: () => child !== undefined && !hasExited(child),
    unref: () => child?.unref(),
  };
}
