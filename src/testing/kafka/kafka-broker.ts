/**
 * Test-only: Apache Kafka brokers of the tests' own, in KRaft mode (each node broker and
 * controller at once), on free ports, with their data in a temporary folder. The jars come
 * from scripts/kafka/ensure-kafka.sh (Maven Central, checked against scripts/kafka/jars.sha256,
 * cached outside the repository); the version is scripts/kafka/pom.xml's.
 *
 * One broker for most tests; three for the failure tests, where topics are replicated three
 * times with min.insync.replicas=2, so one broker may die without losing an acknowledged write.
 * A broker is a JVM: starting one costs seconds, so a test file shares one where it can.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../stores/redis-server.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
// src/ and dist/ sit at the same depth, so this is the repository's scripts/kafka either way.
const scripts = join(here, '..', '..', '..', 'scripts', 'kafka');

/** How long a broker may take to start; a cold JVM on a busy 2-core machine needs several seconds. */
const START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 20_000;

/**
 * Small and quick to start: the tests move hundreds to tens of thousands of small messages. C1
 * only and the serial collector cost peak throughput, which no test needs, and save start time
 * and CPU on a machine of two cores.
 */
const JVM_OPTIONS = ['-Xms64m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData', '-Djava.awt.headless=true'];

/**
 * Runs the command with its output appended to a log file and its stdin held by a watchdog: the
 * test process keeps the pipe, so when that process goes, however it ends, the broker is killed
 * too. The shell execs the JVM, so the child's pid is the JVM's (kill -9 reaches the broker).
 */
const WATCHDOG = 'log=$1; shift; exec 3<&0; (cat <&3 >/dev/null; kill -9 $$ 2>/dev/null) & exec "$@" >>"$log" 2>&1 </dev/null 3<&-';

export interface KafkaBrokersOptions {
  /** 1 (the default) or 3. */
  brokers?: 1 | 3;
}

export interface KafkaBrokers {
  /** `host:port` of every broker, for a client's bootstrap list. */
  brokers: string[];
  /** The replication factor topics get by default: the number of brokers. */
  replicationFactor: number;
  /** kill -9 of broker `id` (1..N): no controlled shutdown, as in a crash. */
  kill(id: number): Promise<void>;
  /** SIGTERM: a controlled shutdown (leadership moves off first); killed if it hangs. */
  stop(id: number): Promise<void>;
  /** Starts broker `id` again on its ports and data, resolving once it says it has started. */
  start(id: number): Promise<void>;
  running(id: number): boolean;
  /** The end of broker `id`'s log, for failure messages. */
  logTail(id: number, chars?: number): Promise<string>;
  /** Kills every broker and deletes their data. */
  close(): Promise<void>;
  /** Lets the test process end while the brokers run (they die with it): for a cluster shared by a test file. */
  unref(): void;
}

/** The folder of the broker's jars, installing them on first use (the script is a no-op then). */
let jars: Promise<string> | undefined;
export function kafkaJars(): Promise<string> {
  jars ??= run('bash', [join(scripts, 'ensure-kafka.sh')], { maxBuffer: 1 << 20 }).then(
    ({ stdout }) => stdout.trim(),
    (error: unknown) => {
      jars = undefined;
      const stderr = error instanceof Error && 'stderr' in error ? String(error.stderr) : String(error);
      throw new Error(`the Kafka test broker's jars are not there and could not be fetched (scripts/kafka/ensure-kafka.sh):\n${stderr}`);
    },
  );
  return jars;
}

/** The Kafka version of scripts/kafka/pom.xml. */
export async function kafkaVersion(): Promise<string> {
  const pom = await readFile(join(scripts, 'pom.xml'), 'utf8');
  return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1] ?? 'unknown';
}

interface Node {
  id: number;
  port: number;
  controllerPort: number;
  dir: string;
  config: string;
  log: string;
  child?: ChildProcess;
}

/**
 * A cluster id as Kafka makes one: 16 random bytes, base64url without padding, never starting
 * with '-' (as Kafka's Uuid.randomUuid), which the storage tool would take for an option.
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(node: Node, nodes: readonly Node[]): string {
  const n = nodes.length;
  const minIsr = n >= 3 ? 2 : 1;
  return [
    'process.roles=broker,controller',
    `node.id=${node.id}`,
    `controller.quorum.voters=${nodes.map((x) => `${x.id}@127.0.0.1:${x.controllerPort}`).join(',')}`,
    `listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(node.dir, 'data')}`,
    // Topics are made through the admin API, as in production: never by a fetch or a send.
    'auto.create.topics.enable=false',
    `default.replication.factor=${n}`,
    `min.insync.replicas=${minIsr}`,
    `offsets.topic.replication.factor=${n}`,
    'offsets.topic.num.partitions=6',
    `transaction.state.log.replication.factor=${n}`,
    `transaction.state.log.min.isr=${minIsr}`,
    'transaction.state.log.num.partitions=6',
    `share.coordinator.state.topic.replication.factor=${n}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    // A group of test consumers forms at once instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms=0',
    // A killed broker is fenced (its partitions get new leaders) within 3 s rather than 9.
    'broker.heartbeat.interval.ms=500',
    'broker.session.timeout.ms=3000',
    'num.network.threads=2',
    'num.io.threads=2',
    'background.threads=2',
    '',
  ].join('\n');
}

async function format(libs: string, node: Node, id: string): Promise<void> {
  try {
    await run('java', [
      ...JVM_OPTIONS,
      `-Dlog4j2.configurationFile=${join(scripts, 'log4j2.properties')}`,
      '-cp',
      `${libs}/*`,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      id,
      '-c',
      node.config,
    ]);
  } catch (error) {
    const stderr = error instanceof Error && 'stderr' in error ? String(error.stderr) : String(error);
    throw new Error(`formatting Kafka node ${node.id}'s storage failed:\n${stderr}`);
  }
}

async function tail(file: string, chars = 4_000): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).slice(-chars);
  } catch {
    return '';
  }
}

/** Starts the node's JVM and resolves once its log says the server started (after it joined the quorum and was unfenced). */
async function launch(libs: string, node: Node): Promise<void> {
  const from = await stat(node.log).then(
    (s) => s.size,
    () => 0,
  );
  const child = spawn(
    'sh',
    [
      '-c',
      WATCHDOG,
      'kafka-broker',
      node.log,
      'java',
      ...JVM_OPTIONS,
      `-Dlog4j2.configurationFile=${join(scripts, 'log4j2.properties')}`,
      '-cp',
      `${libs}/*`,
      'kafka.Kafka',
      node.config,
    ],
    { stdio: ['pipe', 'ignore', 'ignore'] },
  );
  node.child = child;
  child.stdin!.on('error', () => undefined);
  // Once the JVM is gone the watchdog has nothing to guard: let it go now.
  child.once('exit', () => child.stdin!.destroy());
  let exited = false;
  child.once('exit', () => (exited = true));
  const started = Date.now();
  const file = await open(node.log, 'a+');
  try {
    for (;;) {
      const { size } = await file.stat();
      if (size > from) {
        const buffer = Buffer.alloc(size - from);
        await file.read(buffer, 0, buffer.length, from);
        if (buffer.toString('utf8').includes('Kafka Server started')) return;
      }
      if (exited) throw new Error(`Kafka node ${node.id} exited (${child.signalCode ?? child.exitCode}) before it started:\n${await tail(node.log)}`);
      if (Date.now() - started > START_TIMEOUT_MS) {
        child.kill('SIGKILL');
        throw new Error(`Kafka node ${node.id} did not start within ${START_TIMEOUT_MS} ms:\n${await tail(node.log)}`);
      }
      await sleep(100);
    }
  } finally {
    await file.close();
  }
}

const alive = (child: ChildProcess | undefined): child is ChildProcess => child !== undefined && child.exitCode === null && child.signalCode === null;

async function halt(node: Node, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  const child = node.child;
  if (!alive(child)) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  if (signal === 'SIGTERM') {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  } else {
    await exited;
  }
}

export async function startKafkaBrokers(options: KafkaBrokersOptions = {}): Promise<KafkaBrokers> {
  const count = options.brokers ?? 1;
  const libs = await kafkaJars();
  const root = mkdtempSync(join(tmpdir(), 'mastery-kafka-'));
  const nodes: Node[] = [];
  for (let id = 1; id <= count; id++) {
    const dir = join(root, `node-${id}`);
    nodes.push({ id, port: await freePort(), controllerPort: await freePort(), dir, config: join(dir, 'server.properties'), log: join(dir, 'broker.log') });
  }
  let closed = false;
  let unrefd = false;
  const unrefNode = (n: Node) => {
    n.child?.unref();
    (n.child?.stdin as { unref?: () => void } | null)?.unref?.();
  };
  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.all(nodes.map((n) => halt(n, 'SIGKILL')));
    rmSync(root, { recursive: true, force: true });
  };
  // Not kept past the test process. The watchdog kills a JVM only once this process is gone, so
  // a broker still running here (a file's shared one) is killed first: it would go on writing
  // into the folder being removed (ENOTEMPTY), and an error thrown at exit fails the test file.
  const removeAtExit = () => {
    for (const n of nodes) if (alive(n.child)) n.child.kill('SIGKILL');
    try {
      rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    } catch (error) {
      process.stderr.write(`the Kafka test brokers' folder ${root} was not removed: ${(error as Error).message}\n`);
    }
  };
  process.once('exit', removeAtExit);
  try {
    const id = clusterId();
    await Promise.all(
      nodes.map(async (n) => {
        await mkdir(n.dir, { recursive: true });
        await writeFile(n.config, serverProperties(n, nodes));
        await format(libs, n, id);
      }),
    );
    // Side by side: a node of three waits for a quorum of controllers before it starts.
    await Promise.all(nodes.map((n) => launch(libs, n)));
  } catch (error) {
    await close();
    throw error;
  }
  const node = (id: number): Node => {
    const n = nodes[id - 1];
    if (!n) throw new RangeError(`no Kafka broker ${id}: the brokers are 1..${nodes.length}`);
    return n;
  };
  return {
    brokers: nodes.map((n) => `127.0.0.1:${n.port}`),
    replicationFactor: count,
    kill: (id) => halt(node(id), 'SIGKILL'),
    stop: (id) => halt(node(id), 'SIGTERM'),
    start: async (id) => {
      if (alive(node(id).child)) throw new Error(`Kafka broker ${id} is running`);
      await launch(libs, node(id));
      if (unrefd) unrefNode(node(id));
    },
    running: (id) => alive(node(id).child),
    logTail: (id, chars) => tail(node(id).log, chars),
    close: async () => {
      process.off('exit', removeAtExit);
      await close();
    },
    unref: () => {
      unrefd = true;
      for (const n of nodes) unrefNode(n);
    },
  };
}

let shared: Promise<KafkaBrokers> | undefined;

/**
 * One broker for the whole test file (each file runs in a process of its own), started on first
 * use and gone with the process. Tests that share it use topics and groups of their own.
 */
export function sharedKafkaBroker(): Promise<KafkaBrokers> {
  shared ??= startKafkaBrokers({ brokers: 1 }).then((k) => (k.unref(), k));
  return shared;
}
