import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const here = dirname(fileURLToPath(import.meta.url));
const sourcePath = join(here, 'mock-cluster.c');
// src/ and dist/ sit at the same depth, so this is the project's node_modules either way.
const cacheDir = join(here, '..', '..', '..', '..', 'node_modules', '.cache', 'mastery-kafka-mock');

const installHint = 'run `apt-get install -y gcc librdkafka-dev` (Debian/Ubuntu, as root)';
const startTimeoutMs = 10_000;
const commandTimeoutMs = 10_000;
const stopTimeoutMs = 5_000;

export interface KafkaMockClusterOptions {
  /** Broker count; brokers are numbered 1..N. Default 3. */
  brokers?: number;
  /** Topics created before the cluster is handed out (the mock has no CreateTopics API). */
  topics?: Array<{ name: string; partitions: number }>;
}

export interface KafkaMockCluster {
  /** `host:port` of every broker, for KafkaJS's `brokers` option. */
  brokers: string[];
  /** Drops the broker's connections and refuses new ones; its partitions keep it as leader. */
  brokerDown(id: number): Promise<void>;
  brokerUp(id: number): Promise<void>;
  createTopic(name: string, partitions: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Kafka cluster for tests: librdkafka's mock cluster (real Kafka protocol, in memory), run by
 * mock-cluster.c, which is compiled on first use into node_modules/.cache. Needs gcc and
 * librdkafka-dev. `stop()` ends it; if the test process dies instead, the program sees its stdin
 * close and exits by itself.
 */
export async function startKafkaMockCluster(options: KafkaMockClusterOptions = {}): Promise<KafkaMockCluster> {
  const brokerCount = options.brokers ?? 3;
  if (!Number.isInteger(brokerCount) || brokerCount < 1 || brokerCount > 32) {
    throw new RangeError(`brokers must be an integer from 1 to 32, got ${brokerCount}`);
  }
  const args = ['--brokers', String(brokerCount)];
  for (const topic of options.topics ?? []) {
    checkTopic(topic.name, topic.partitions);
    args.push('--topic', `${topic.name}:${topic.partitions}`);
  }
  return spawnCluster(await compiledBinary(), args);
}

/**
 * leaderSyncsLast(): the assigner every consumer group of two or more members needs on this
 * mock (see its comment). Pass it as `partitionAssigners: [leaderSyncsLast()]` to a test's own
 * consumers; a `mastery worker` child takes it with MASTERY_TEST_KAFKA_LEADER_SYNCS_LAST=true.
 */
export { leaderSyncsLast } from '../partition-assigners.js';

function checkTopic(name: string, partitions: number): void {
  // Also keeps the line protocol intact: a name with a space or newline would split a command.
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(name)) {
    throw new RangeError(`topic name ${JSON.stringify(name)} must be 1-249 chars of [A-Za-z0-9._-]`);
  }
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`topic ${name} needs a whole number of partitions >= 1, got ${partitions}`);
  }
}

/**
 * The binary for the current source, compiled at most once per process: clusters started side
 * by side in one test file (concurrent subtests) share the one compilation.
 */
let compiling: Promise<string> | undefined;
function compiledBinary(): Promise<string> {
  compiling ??= compileBinary().catch((error: unknown) => {
    compiling = undefined;
    throw error;
  });
  return compiling;
}

/** Compiles the binary when no binary for this exact source exists yet. */
async function compileBinary(): Promise<string> {
  const source = await readFile(sourcePath);
  const key = createHash('sha256').update(source).update(`${process.platform}-${process.arch}`).digest('hex').slice(0, 16);
  const binary = join(cacheDir, `mock-cluster-${key}`);
  try {
    await access(binary, constants.X_OK);
    return binary;
  } catch {
    // not built yet for this source
  }
  await mkdir(cacheDir, { recursive: true });
  // Test files run in parallel processes: each compiles to its own file and renames it into
  // place, which is atomic, so nobody ever executes a half-written binary.
  const partial = `${binary}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    await run('gcc', ['-O2', '-o', partial, sourcePath, '-lrdkafka']);
  } catch (error) {
    await rm(partial, { force: true });
    throw compileError(error);
  }
  await rename(partial, binary);
  return binary;
}

function compileError(error: unknown): Error {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'ENOENT') {
    return new Error(`The Kafka mock cluster needs gcc, which is not installed: ${installHint}.`);
  }
  const stderr = error instanceof Error && 'stderr' in error ? String(error.stderr) : String(error);
  if (/librdkafka\/\S+\.h: No such file|cannot find -lrdkafka/.test(stderr)) {
    return new Error(`The Kafka mock cluster needs librdkafka's headers and library, which are not installed: ${installHint}.\n${stderr}`);
  }
  return new Error(`Compiling ${sourcePath} failed:\n${stderr}`);
}

interface Waiter {
  resolve(line: string): void;
  reject(error: Error): void;
}

async function spawnCluster(binary: string, args: string[]): Promise<KafkaMockCluster> {
  const child: ChildProcessWithoutNullStreams = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  // Keep the last few KiB of librdkafka's log for error messages; the rest is noise in tests.
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4096);
  });
  // A write after the program died fails with EPIPE; the exit handler already reports that.
  child.stdin.on('error', () => {});

  // The program answers strictly in order, one line per command, so a FIFO of waiters pairs
  // every answer with its command even when calls overlap.
  const waiters: Waiter[] = [];
  let exitError: Error | null = null;
  const exited = new Promise<void>((resolve) => {
    const onGone = (reason: string) => {
      if (exitError) return;
      exitError = new Error(`The Kafka mock cluster ${reason}.${explainStderr(stderr)}`);
      for (const waiter of waiters.splice(0)) waiter.reject(exitError);
      resolve();
    };
    child.on('error', (error) => onGone(`could not be started (${error.message})`));
    // 'close', not 'exit': it waits for the pipes to drain, so the message has the whole stderr.
    child.on('close', (code, signal) => onGone(`exited (${signal ?? `code ${code}`})`));
  });
  createInterface({ input: child.stdout }).on('line', (line) => waiters.shift()?.resolve(line));

  // The program must never keep the test process alive on its own: a test that forgets stop()
  // still ends, and the program follows when its stdin closes.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) unref(stream);

  const nextLine = (what: string, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      if (exitError) return reject(exitError);
      // A cluster that does not answer is broken; killing it also fails the waiters left behind,
      // which could otherwise take the answers meant for later commands.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`The Kafka mock cluster did not answer ${what} within ${timeoutMs} ms.${explainStderr(stderr)}`));
      }, timeoutMs);
      waiters.push({
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });

  const command = async (text: string): Promise<void> => {
    const answer = nextLine(`'${text}'`, commandTimeoutMs);
    if (!exitError) child.stdin.write(`${text}\n`);
    const line = await answer;
    if (line === 'OK') return;
    throw new Error(`Kafka mock cluster: '${text}' failed: ${line.startsWith('ERR ') ? line.slice(4) : line}`);
  };

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      if (exitError) return;
      await command('quit').catch(() => {});
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };

  let bootstrap: string;
  try {
    bootstrap = await nextLine('with its bootstrap address', startTimeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const match = /^BOOTSTRAP (\S+)$/.exec(bootstrap);
  if (!match?.[1]) {
    await stop();
    throw new Error(`The Kafka mock cluster printed '${bootstrap}' instead of 'BOOTSTRAP host:port,...'.`);
  }

  return {
    brokers: match[1].split(','),
    brokerDown: (id) => command(`down ${id}`),
    brokerUp: (id) => command(`up ${id}`),
    createTopic: async (name, partitions) => {
      checkTopic(name, partitions);
      await command(`topic ${name} ${partitions}`);
    },
    stop,
  };
}

/** Adds what to install when the program died because the shared library is missing. */
function explainStderr(stderr: string): string {
  if (/error while loading shared libraries: librdkafka/.test(stderr)) {
    return ` The librdkafka shared library is missing: ${installHint}.`;
  }
  return stderr.trim() ? `\n${stderr.trim()}` : '';
}

function unref(handle: unknown): void {
  if (typeof handle === 'object' && handle !== null && 'unref' in handle && typeof handle.unref === 'function') {
    handle.unref();
  }
}
