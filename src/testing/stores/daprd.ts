/**
 * Test-only: a real Dapr sidecar (daprd), self-hosted, with the files of deploy/dapr/components:
 * the state store component pointed at a test Redis (src/testing/stores/test-redis.ts: a redis-server
 * of the test process's own, never one on 6379), and the resiliency policy as deployed.
 *
 * The binary is the one scripts/ensure-daprd.sh builds, once, from the dapr/dapr Go module at
 * the pinned release into a cache outside the repository; scripts/ensure-test-servers.sh builds
 * it before the tests, and when it is missing the first spec to ask builds it here (the script
 * logs that it is building). The sidecar runs with no placement, scheduler or app: no
 * --placement-host-address and no --scheduler-host-address leave actors, workflows and jobs
 * off; no --app-port means it calls no app; its mDNS name resolver is not compiled in (daprd
 * logs that it has none and goes on: service invocation is not used).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { parseDocument } from 'yaml';
import { hasExited, killHard } from '../seeded-events.js';
import { freePort } from './redis-server.js';
import { testRedisUrl } from './test-redis.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
// src/ and dist/ sit at the same depth under the repository.
const root = join(here, '..', '..', '..');
const ensureScript = join(root, 'scripts', 'ensure-daprd.sh');
const componentsDir = join(root, 'deploy', 'dapr', 'components');

/** The app-id the sidecar runs as: one the component's scopes admit (the API's, mastery-engine). */
const APP_ID = 'mastery-engine';
const startTimeoutMs = 30_000;

export interface Daprd {
  /** The sidecar's HTTP API, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  /** The state store component's name, as in statestore.yaml (mastery-state). */
  readonly store: string;
  /** What `daprd --version` prints. */
  readonly version: string;
  /** A client on the Redis database the component writes to, to look at what Dapr stored. */
  readonly redis: Redis;
  stop(): Promise<void>;
}

let binary: Promise<string> | undefined;

/**
 * The daprd binary, built first if the cache lacks it. The script's log (its "building daprd"
 * line, then Go's) goes to this process's stderr as it comes; its stdout is the path.
 */
function daprdBinary(): Promise<string> {
  binary ??= new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [ensureScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const path = out.trim().split('\n').pop();
      if (code === 0 && path) resolve(path);
      else reject(new Error(`scripts/ensure-daprd.sh gave no daprd binary (exit ${code}); its log is above`));
    });
  });
  return binary;
}

/**
 * The deployed component with the test Redis in place of the cluster's: its host, port and
 * database, and no password (a test redis-server has none; the deployed one reads a Kubernetes
 * Secret, which self-hosted daprd has no store for). Its namespace is dropped, since a
 * self-hosted sidecar runs in none; every other field, keyPrefix and scopes included, stays.
 */
async function testComponent(redisUrl: string): Promise<{ yaml: string; store: string }> {
  const doc = parseDocument(await readFile(join(componentsDir, 'statestore.yaml'), 'utf8'));
  const url = new URL(redisUrl);
  const metadata = doc.getIn(['spec', 'metadata']) as { items: Array<{ get(k: string): unknown; set(k: string, v: unknown): void; delete(k: string): void }> };
  const set = (name: string, value: string) => {
    const item = metadata.items.find((i) => i.get('name') === name);
    if (item) {
      item.delete('secretKeyRef');
      item.set('value', value);
    } else {
      doc.addIn(['spec', 'metadata'], doc.createNode({ name, value }));
    }
  };
  set('redisHost', `${url.hostname}:${url.port}`);
  set('redisPassword', decodeURIComponent(url.password));
  set('redisDB', url.pathname.replace(/^\//, '') || '0');
  doc.deleteIn(['metadata', 'namespace']);
  return { yaml: doc.toString(), store: String(doc.getIn(['metadata', 'name'])) };
}

/** Waits until the sidecar has loaded its components (the outbound probe answers 204). */
async function untilReady(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const started = Date.now();
  const failed = (why: string) => readFile(logFile, 'utf8').then((log) => new Error(`daprd ${why}; its log:\n${log.slice(-4000)}`));
  for (;;) {
    if (hasExited(child)) throw await failed(`exited (${child.signalCode ?? child.exitCode})`);
    const answer = await fetch(`${url}/v1.0/healthz/outbound`).catch(() => undefined);
    if (answer?.status === 204) return;
    if (Date.now() - started > startTimeoutMs) {
      await killHard(child);
      throw await failed(`did not report ready within ${startTimeoutMs / 1000} s`);
    }
    await sleep(50);
  }
}

/**
 * A daprd of the test file's own, on free ports, with the state store on the test Redis's
 * database `redisDb` (one the other spec files do not use, for when MASTERY_TEST_REDIS_URL makes
 * them share a server). Killed when the test process exits, if not stopped before.
 */
export async function startDaprd(options: { redisDb: number }): Promise<Daprd> {
  const [bin, redisUrl] = await Promise.all([daprdBinary(), testRedisUrl(options.redisDb)]);
  const { stdout: version } = await run(bin, ['--version']);
  const dir = await mkdtemp(join(tmpdir(), 'mastery-daprd-'));
  const component = await testComponent(redisUrl);
  await writeFile(join(dir, 'statestore.yaml'), component.yaml);
  const resiliency = parseDocument(await readFile(join(componentsDir, 'resiliency.yaml'), 'utf8'));
  resiliency.deleteIn(['metadata', 'namespace']);
  await writeFile(join(dir, 'resiliency.yaml'), resiliency.toString());
  const [http, grpc, internalGrpc, metrics] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const logFile = join(dir, 'daprd.log');
  const log = await open(logFile, 'w');
  const child = spawn(
    bin,
    [
      '--mode',
      'standalone',
      '--app-id',
      APP_ID,
      '--resources-path',
      dir,
      '--dapr-listen-addresses',
      '127.0.0.1',
      '--dapr-http-port',
      String(http),
      '--dapr-grpc-port',
      String(grpc),
      '--dapr-internal-grpc-port',
      String(internalGrpc),
      '--dapr-internal-grpc-listen-address',
      '127.0.0.1',
      '--metrics-port',
      String(metrics),
      '--enable-metrics=false',
      '--dapr-graceful-shutdown-seconds',
      '0',
      '--log-level',
      'info',
    ],
    { stdio: ['ignore', log.fd, log.fd] },
  );
  await log.close();
  const stop = () => {
    if (!hasExited(child)) child.kill('SIGKILL');
  };
  process.once('exit', stop);
  child.once('exit', () => process.off('exit', stop));
  const url = `http://127.0.0.1:${http}`;
  await untilReady(url, child, logFile);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let stopping: Promise<void> | undefined;
  return {
    url,
    store: component.store,
    version: version.trim(),
    redis,
    stop: () =>
      (stopping ??= (async () => {
        redis.disconnect();
        await killHard(child);
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}

/** What Dapr's state.redis keeps under a key: a hash with the value as JSON in `data`, the ETag in `version`. */
export interface StoredByDapr {
  value: unknown;
  etag: string;
  /** Milliseconds left before Redis expires the key (PTTL); undefined when it has no expiry. */
  ttlMs: number | undefined;
}

/** The key as the sidecar stored it, or undefined when Redis does not hold it. */
export async function storedByDapr(redis: Redis, key: string): Promise<StoredByDapr | undefined> {
  const [[, hash], [, ttl]] = (await redis.multi().hgetall(key).pttl(key).exec()) as [[unknown, Record<string, string>], [unknown, number]];
  if (hash.data === undefined) return undefined;
  return { value: JSON.parse(hash.data), etag: hash.version!, ttlMs: ttl < 0 ? undefined : ttl };
}

/** The keys Redis holds that start with `prefix`, sorted. */
export async function keysByDapr(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  // A glob: the prefix's own glob characters are escaped.
  const pattern = `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
  for (let cursor = '0'; ; ) {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
    if (cursor === '0') break;
  }
  return keys.sort();
}

/** Resolves once `key` is gone from Redis (an expiry Redis carries out), or throws after `ms`. */
export async function untilGone(redis: Redis, key: string, ms = 10_000): Promise<void> {
  const started = Date.now();
  while ((await redis.exists(key)) === 1) {
    if (Date.now() - started > ms) throw new Error(`${key} is still in Redis after ${ms / 1000} s`);
    await sleep(100);
  }
}
