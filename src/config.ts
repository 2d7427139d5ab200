import { resolve } from 'node:path';
import { DEFAULT_MODEL_CONFIG, type ModelConfig, weightsProblem } from './model/model-config.js';
import { DEFAULT_XAPI_MAPPING, STUDENT_SOURCES, TOPIC_SOURCES, type XapiMapping } from './xapi/xapi-mapping.js';

/**
 * The one reader of the environment. Every variable has a default that gives the embedded
 * mode; a bad value stops start-up with a sentence that names the variable.
 */
export interface Config {
  port: number;
  host: string;
  /** Where the embedded event log and the generated secret live; ':memory:' keeps nothing. */
  dataDir: string;
  /** The HS256 secret; undefined means "generate one into the data folder". */
  jwtSecret: string | undefined;
  retentionDays: number;
  logLevel: LogLevel;
  model: ModelConfig;
  /** postgres://… for the event log; undefined: the embedded PGlite log in dataDir. */
  databaseUrl: string | undefined;
  /** redis://… (a comma-separated list: Redis Cluster seed nodes); undefined: state in memory. */
  redisUrl: string | undefined;
  /** The Dapr sidecar's state API, as the state store instead of Redis. */
  dapr: { url: string; store: string } | undefined;
  /** How long this process may serve a student from its in-process cache (L1); 0: no L1. */
  cacheSeconds: number;
  /** Token verification beyond the HS256 secret. */
  tokens: {
    /** RS256/ES256 tokens of an identity provider, verified against its JWKS. */
    jwksUrl: string | undefined;
    issuer: string | undefined;
    audience: string | undefined;
    /** Leeway for exp and nbf, in seconds. */
    clockSkewSeconds: number;
    /** The longest lifetime (exp − iat) a token may have, in hours; 0: any. */
    maxLifetimeHours: number;
  };
  privacy: {
    /** Refuse the events of students who have not granted consent. */
    requireConsent: boolean;
    /** Let students erase themselves (DELETE /v1/students/{own id}); admins always may. */
    allowSelfErasure: boolean;
    /** How often serve purges what is older than the retention period; 0: only `mastery purge`. */
    purgeIntervalMinutes: number;
    /** Reads wait until their audit entries reach the database's disk, not only its commit. */
    durableReadAudit: boolean;
  };
  limits: {
    /** Requests per minute per token; 0: no limit. */
    ratePerMinute: number;
    /** A request that takes longer is cut off. */
    requestTimeoutSeconds: number;
  };
  /** Kafka: undefined without MASTERY_KAFKA_BROKERS (the in-process bus). */
  kafka: KafkaConfig | undefined;
  /** The bearer token `mastery mcp` acts with over stdio (whose data the AI tutor may read). */
  mcpToken: string | undefined;
  /** How xAPI statements become engine events (docs/xapi.md), over HTTP and Kafka alike. */
  xapi: XapiMapping;
  /**
   * Test-only: where the process kills itself (SIGKILL), so a test can prove what a crash at
   * that point leaves. `after-state-write`: once a state write that saved updates returns,
   * before they are published. Never set in production.
   */
  testCrashPoint: TestCrashPoint | undefined;
}

export const TEST_CRASH_POINTS = ['after-state-write'] as const;
export type TestCrashPoint = (typeof TEST_CRASH_POINTS)[number];

export interface KafkaTopic {
  name: string;
  partitions: number;
}

export interface KafkaConfig {
  brokers: string[];
  groupId: string;
  clientId: string;
  topics: { requests: KafkaTopic; updated: KafkaTopic; retry: KafkaTopic; dlq: KafkaTopic };
  /** How events travel on the topics: JSON (the default) or Avro in Confluent's wire format. */
  encoding: 'json' | 'avro';
  /** The schema ids written in Avro messages' headers (Confluent wire format). */
  avroSchemaIds: { event: number; updated: number };
  /** First retry back-off; each further retry doubles it. */
  retryBackoffMs: number;
  /** How long the group waits for a silent worker before handing its partitions to others. */
  sessionTimeoutMs: number;
  /** `serve` sends HTTP-ingested events to mastery.requests instead of applying them itself. */
  httpIngest: 'apply' | 'forward';
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const MEMORY_DATA_DIR = ':memory:';

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return Number(raw);
}

function decimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be a number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

function weights(env: Env): ModelConfig['weights'] {
  const raw = read(env, 'MASTERY_WEIGHTS');
  if (raw === undefined) return DEFAULT_MODEL_CONFIG.weights;
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length !== 4 || parts.some((p) => !/^\d*\.?\d+$/.test(p))) {
    throw new ConfigError('MASTERY_WEIGHTS', `must be four numbers separated by commas (completion,quiz,quality,consistency), not "${raw}"`);
  }
  const [completion, quiz, quality, consistency] = parts.map(Number) as [number, number, number, number];
  const w = { completion, quiz, quality, consistency };
  const problem = weightsProblem(w);
  if (problem) throw new ConfigError('MASTERY_WEIGHTS', `is unusable: ${problem}`);
  return w;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, not "${raw}"`);
}

function choice<T extends string>(env: Env, name: string, options: readonly T[], fallback: T): T {
  const raw = read(env, name) ?? fallback;
  if (!(options as readonly string[]).includes(raw)) throw new ConfigError(name, `must be one of ${options.join(', ')}, not "${raw}"`);
  return raw as T;
}

function topic(env: Env, name: string, fallbackName: string, fallbackPartitions: number): KafkaTopic {
  const topicName = read(env, `MASTERY_KAFKA_TOPIC_${name}`) ?? fallbackName;
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topicName)) {
    throw new ConfigError(`MASTERY_KAFKA_TOPIC_${name}`, `must be a Kafka topic name, not "${topicName}"`);
  }
  return { name: topicName, partitions: integer(env, `MASTERY_KAFKA_PARTITIONS_${name}`, fallbackPartitions, 1, 10_000) };
}

function kafka(env: Env): KafkaConfig | undefined {
  const raw = read(env, 'MASTERY_KAFKA_BROKERS');
  if (raw === undefined) {
    if (read(env, 'MASTERY_HTTP_INGEST') === 'forward') {
      throw new ConfigError('MASTERY_HTTP_INGEST', 'is forward, but MASTERY_KAFKA_BROKERS is not set');
    }
    return undefined;
  }
  const brokers = raw.split(',').map((b) => b.trim());
  if (brokers.some((b) => !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(b))) {
    throw new ConfigError('MASTERY_KAFKA_BROKERS', `must be host:port pairs separated by commas, not "${raw}"`);
  }
  return {
    brokers,
    groupId: read(env, 'MASTERY_KAFKA_GROUP_ID') ?? 'mastery-engine',
    clientId: read(env, 'MASTERY_KAFKA_CLIENT_ID') ?? 'mastery-engine',
    topics: {
      requests: topic(env, 'REQUESTS', 'mastery.requests', 6),
      updated: topic(env, 'UPDATED', 'mastery.updated', 6),
      retry: topic(env, 'RETRY', 'mastery.retry', 6),
      dlq: topic(env, 'DLQ', 'mastery.dlq', 3),
    },
    encoding: choice(env, 'MASTERY_KAFKA_ENCODING', ['json', 'avro'] as const, 'json'),
    avroSchemaIds: {
      event: integer(env, 'MASTERY_KAFKA_AVRO_SCHEMA_ID_EVENT', 1, 0, 2 ** 31 - 1),
      updated: integer(env, 'MASTERY_KAFKA_AVRO_SCHEMA_ID_UPDATED', 2, 0, 2 ** 31 - 1),
    },
    retryBackoffMs: integer(env, 'MASTERY_KAFKA_RETRY_BACKOFF_MS', 1000, 0, 3_600_000),
    sessionTimeoutMs: integer(env, 'MASTERY_KAFKA_SESSION_TIMEOUT_MS', 30_000, 1_000, 3_600_000),
    httpIngest: choice(env, 'MASTERY_HTTP_INGEST', ['apply', 'forward'] as const, 'apply'),
  };
}

/** A comma-separated list of absolute IRIs (each with a scheme), or the fallback when unset. */
function iris(env: Env, name: string, fallback: readonly string[]): string[] {
  const raw = read(env, name);
  if (raw === undefined) return [...fallback];
  const list = raw.split(',').map((p) => p.trim());
  for (const iri of list) {
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(iri)) {
      throw new ConfigError(name, `must be absolute IRIs (scheme:…) separated by commas, not "${iri}"`);
    }
  }
  return list;
}

/** A comma-separated, duplicate-free list drawn from `options`, in the order given. */
function ordered<T extends string>(env: Env, name: string, options: readonly T[], fallback: readonly T[]): T[] {
  const raw = read(env, name);
  if (raw === undefined) return [...fallback];
  const list = raw.split(',').map((p) => p.trim());
  for (const item of list) {
    if (!(options as readonly string[]).includes(item)) throw new ConfigError(name, `must list some of ${options.join(', ')}, not "${item}"`);
  }
  if (new Set(list).size !== list.length) throw new ConfigError(name, `names one source twice: "${raw}"`);
  return list as T[];
}

function xapi(env: Env): XapiMapping {
  const answeredVerbs = iris(env, 'MASTERY_XAPI_ANSWERED_VERBS', DEFAULT_XAPI_MAPPING.answeredVerbs);
  const assessmentVerbs = iris(env, 'MASTERY_XAPI_ASSESSMENT_VERBS', DEFAULT_XAPI_MAPPING.assessmentVerbs);
  const both = answeredVerbs.find((v) => assessmentVerbs.includes(v));
  if (both !== undefined) {
    throw new ConfigError('MASTERY_XAPI_ASSESSMENT_VERBS', `names ${both}, which MASTERY_XAPI_ANSWERED_VERBS names too: a verb maps one way`);
  }
  const topicExtensions = iris(env, 'MASTERY_XAPI_TOPIC_EXTENSION', [DEFAULT_XAPI_MAPPING.topicExtension]);
  if (topicExtensions.length !== 1) throw new ConfigError('MASTERY_XAPI_TOPIC_EXTENSION', 'must be one IRI, not a list');
  return {
    answeredVerbs,
    assessmentVerbs,
    topicExtension: topicExtensions[0]!,
    topicFrom: ordered(env, 'MASTERY_XAPI_TOPIC_FROM', TOPIC_SOURCES, DEFAULT_XAPI_MAPPING.topicFrom),
    studentFrom: ordered(env, 'MASTERY_XAPI_STUDENT_FROM', STUDENT_SOURCES, DEFAULT_XAPI_MAPPING.studentFrom),
  };
}

function logLevel(env: Env): LogLevel {
  const raw = read(env, 'LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, not "${raw}"`);
  }
  return raw as LogLevel;
}

function url(env: Env, name: string, schemes: readonly string[], list = false): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  for (const part of list ? raw.split(',') : [raw]) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(part.trim());
    } catch {
      parsed = undefined;
    }
    if (!parsed || !schemes.includes(parsed.protocol)) {
      throw new ConfigError(name, `must be a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}, not "${part.trim()}"`);
    }
  }
  return raw;
}

function dapr(env: Env): Config['dapr'] {
  const daprUrl = url(env, 'MASTERY_DAPR_URL', ['http:', 'https:']);
  const store = read(env, 'MASTERY_DAPR_STORE');
  if (daprUrl === undefined) {
    if (store !== undefined) throw new ConfigError('MASTERY_DAPR_STORE', 'is set, but MASTERY_DAPR_URL is not');
    return undefined;
  }
  if (store !== undefined && !/^[A-Za-z0-9._-]+$/.test(store)) {
    throw new ConfigError('MASTERY_DAPR_STORE', `must be a Dapr component name, not "${store}"`);
  }
  return { url: daprUrl.replace(/\/$/, ''), store: store ?? 'mastery-state' };
}

function jwtSecret(env: Env, dataDir: string, production: boolean, jwks: boolean): string | undefined {
  const raw = read(env, 'MASTERY_JWT_SECRET');
  if (raw !== undefined && Buffer.byteLength(raw) < 32) {
    throw new ConfigError('MASTERY_JWT_SECRET', 'must be at least 32 bytes long (HS256 wants 256 bits of key)');
  }
  if (raw === undefined && production && !jwks) {
    throw new ConfigError(
      'MASTERY_JWT_SECRET',
      'is required when MASTERY_DATABASE_URL is set (or set MASTERY_JWKS_URL): every instance must verify tokens the same way',
    );
  }
  if (raw === undefined && dataDir === MEMORY_DATA_DIR) {
    throw new ConfigError('MASTERY_JWT_SECRET', `must be set when MASTERY_DATA_DIR is ${MEMORY_DATA_DIR}: there is no folder to keep a generated one in`);
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const rawDir = read(env, 'MASTERY_DATA_DIR') ?? './data';
  const dataDir = rawDir === MEMORY_DATA_DIR ? rawDir : resolve(rawDir);
  const databaseUrl = url(env, 'MASTERY_DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = url(env, 'MASTERY_REDIS_URL', ['redis:', 'rediss:'], true);
  const daprStore = dapr(env);
  const jwksUrl = url(env, 'MASTERY_JWKS_URL', ['https:', 'http:']);
  if (redisUrl !== undefined && daprStore !== undefined) {
    throw new ConfigError('MASTERY_REDIS_URL', 'and MASTERY_DAPR_URL are both set: the state store is one or the other');
  }
  return {
    port: integer(env, 'PORT', 8080, 0, 65_535),
    host: read(env, 'HOST') ?? '127.0.0.1',
    dataDir,
    jwtSecret: jwtSecret(env, dataDir, databaseUrl !== undefined, jwksUrl !== undefined),
    databaseUrl,
    redisUrl,
    dapr: daprStore,
    cacheSeconds: integer(env, 'MASTERY_CACHE_SECONDS', 30, 0, 30),
    tokens: {
      jwksUrl,
      issuer: read(env, 'MASTERY_JWT_ISSUER'),
      audience: read(env, 'MASTERY_JWT_AUDIENCE'),
      clockSkewSeconds: integer(env, 'MASTERY_JWT_CLOCK_SKEW_SECONDS', 30, 0, 300),
      maxLifetimeHours: integer(env, 'MASTERY_JWT_MAX_LIFETIME_HOURS', 0, 0, 87_600),
    },
    privacy: {
      requireConsent: flag(env, 'MASTERY_REQUIRE_CONSENT', false),
      allowSelfErasure: flag(env, 'MASTERY_ALLOW_SELF_ERASURE', false),
      purgeIntervalMinutes: integer(env, 'MASTERY_PURGE_INTERVAL_MINUTES', 60, 0, 10_080),
      durableReadAudit: flag(env, 'MASTERY_AUDIT_DURABLE_READS', false),
    },
    limits: {
      ratePerMinute: integer(env, 'MASTERY_RATE_LIMIT_PER_MINUTE', 3000, 0, 10_000_000),
      requestTimeoutSeconds: integer(env, 'MASTERY_REQUEST_TIMEOUT_SECONDS', 30, 1, 3600),
    },
    kafka: kafka(env),
    mcpToken: read(env, 'MASTERY_MCP_TOKEN'),
    xapi: xapi(env),
    testCrashPoint:
      read(env, 'MASTERY_TEST_CRASH_POINT') === undefined ? undefined : choice(env, 'MASTERY_TEST_CRASH_POINT', TEST_CRASH_POINTS, 'after-state-write'),
    retentionDays: integer(env, 'MASTERY_RETENTION_DAYS', 90, 1, 36_500),
    logLevel: logLevel(env),
    model: {
      weights: weights(env),
      recommendationThreshold: decimal(env, 'MASTERY_RECOMMENDATION_THRESHOLD', DEFAULT_MODEL_CONFIG.recommendationThreshold, 0, 1),
      quizGuessSeconds: decimal(env, 'MASTERY_QUIZ_GUESS_SECONDS', DEFAULT_MODEL_CONFIG.quizGuessSeconds, 0.001, 3600),
      quizAttemptPenalty: decimal(env, 'MASTERY_QUIZ_ATTEMPT_PENALTY', DEFAULT_MODEL_CONFIG.quizAttemptPenalty, 0, 0.5),
    },
  };
}

/**
 * Where the test suites find real servers: the machine's PostgreSQL (a database of the suite's
 * own) and, only when told, a Redis; otherwise the tests start their own (see the README's
 * "Tests" section).
 */
export function testServers(env: Env = process.env): { databaseUrl: string; redisUrl: string | undefined } {
  return {
    databaseUrl: read(env, 'MASTERY_TEST_DATABASE_URL') ?? 'postgres://postgres@127.0.0.1:5432/test',
    // Unset: the tests start redis-servers of their own (src/testing/test-redis.ts).
    redisUrl: read(env, 'MASTERY_TEST_REDIS_URL'),
  };
}

/**
 * The seed of the suite's property tests: `MASTERY_TEST_SEED` replays a failed run exactly;
 * unset, each run draws a new one (and prints it), so runs keep exploring new cases.
 */
export function testSeed(env: Env = process.env): number {
  return integer(env, 'MASTERY_TEST_SEED', Math.floor(Math.random() * 2 ** 31), 0, 2 ** 31 - 1);
}

/** What a child `mastery` process started by the tests inherits: where to find executables. */
export function childProcessBase(env: Env = process.env): Record<string, string> {
  return env.PATH === undefined ? {} : { PATH: env.PATH };
}
