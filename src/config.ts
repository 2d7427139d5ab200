import { resolve } from 'node:path';
import { z } from 'zod';
import { refuseRemovedVariables } from './config/removed-variables.js';
import { choice, ConfigError, decimal, type Env, flag, integer, MAX_INT32, refuse, setting, text, url } from './config/variables.js';
import { DEFAULT_MODEL_CONFIG, type ModelConfig, weightsProblem } from './model/model-config.js';
import { DEFAULT_XAPI_MAPPING, STUDENT_SOURCES, TOPIC_SOURCES, type XapiMapping } from './xapi/xapi-mapping.js';

/**
 * The service's configuration, which loadConfig alone reads from the environment (the test
 * suite's own variables are read apart, in config/test-environment.ts). Every variable has a
 * default that gives the embedded mode; a bad value stops start-up with a sentence that names
 * the variable.
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
  };
  /** Kafka: undefined without MASTERY_KAFKA_BROKERS (the in-process bus). */
  kafka: KafkaConfig | undefined;
  /** The bearer token `mastery mcp` acts with over stdio (whose data the AI tutor may read). */
  mcpToken: string | undefined;
  /** How xAPI statements become engine events (docs/xapi.md), over HTTP and Kafka alike. */
  xapi: XapiMapping;
}

export interface KafkaTopic {
  name: string;
  partitions: number;
}

export interface KafkaConfig {
  brokers: string[];
  /** The worker's consumer group, and the Kafka client's name (client.id). */
  groupId: string;
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

export { ConfigError };

/*
 * The environment as one schema: every variable the service reads, how its text becomes a
 * value, and its default when unset (an empty or blank value counts as unset). A value the
 * schema refuses stops start-up with a ConfigError that names the variable; the rules between
 * variables come after it, in loadConfig.
 */

const weights = setting(DEFAULT_MODEL_CONFIG.weights, (raw, ctx) => {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length !== 4 || parts.some((p) => !/^\d*\.?\d+$/.test(p))) {
    return refuse(ctx, `must be four numbers separated by commas (completion,quiz,quality,consistency), not "${raw}"`);
  }
  const [completion, quiz, quality, consistency] = parts.map(Number) as [number, number, number, number];
  const w = { completion, quiz, quality, consistency };
  const problem = weightsProblem(w);
  return problem ? refuse(ctx, `is unusable: ${problem}`) : w;
});

const brokers = setting<string[] | undefined>(undefined, (raw, ctx) => {
  const list = raw.split(',').map((b) => b.trim());
  return list.every((b) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(b)) ? list : refuse(ctx, `must be host:port pairs separated by commas, not "${raw}"`);
});

const topicName = (fallback: string) =>
  setting(fallback, (raw, ctx) => (/^[A-Za-z0-9._-]{1,249}$/.test(raw) ? raw : refuse(ctx, `must be a Kafka topic name, not "${raw}"`)));

/** A comma-separated list of absolute IRIs (each with a scheme). */
const iris = (fallback: readonly string[]) =>
  setting([...fallback], (raw, ctx) => {
    const list = raw.split(',').map((p) => p.trim());
    const bad = list.find((iri) => !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(iri));
    return bad === undefined ? list : refuse(ctx, `must be absolute IRIs (scheme:…) separated by commas, not "${bad}"`);
  });

/** A comma-separated, duplicate-free list drawn from `options`, in the order given. */
function ordered<T extends string>(options: readonly T[], fallback: readonly T[]) {
  return setting([...fallback], (raw, ctx) => {
    const list = raw.split(',').map((p) => p.trim());
    const bad = list.find((item) => !(options as readonly string[]).includes(item));
    if (bad !== undefined) return refuse(ctx, `must list some of ${options.join(', ')}, not "${bad}"`);
    if (new Set(list).size !== list.length) return refuse(ctx, `names one source twice: "${raw}"`);
    return list as T[];
  });
}

/**
 * What an operator sets for a deployment (README, "Configuration", "What matters"): where the
 * API listens, the stores and the bus, how tokens are verified, the privacy policy, the weights.
 */
export const ESSENTIAL_VARIABLES = {
  PORT: integer(8080, 0, 65_535),
  HOST: text('127.0.0.1'),
  LOG_LEVEL: choice(LOG_LEVELS, 'info'),
  MASTERY_DATA_DIR: text('./data'),
  MASTERY_DATABASE_URL: url(['postgres:', 'postgresql:']),
  MASTERY_REDIS_URL: url(['redis:', 'rediss:'], true),
  MASTERY_DAPR_URL: url(['http:', 'https:']),
  MASTERY_DAPR_STORE: setting<string | undefined>(undefined, (raw, ctx) =>
    /^[A-Za-z0-9._-]+$/.test(raw) ? raw : refuse(ctx, `must be a Dapr component name, not "${raw}"`),
  ),
  MASTERY_KAFKA_BROKERS: brokers,
  MASTERY_HTTP_INGEST: choice(['apply', 'forward'] as const, 'apply'),
  MASTERY_JWT_SECRET: setting<string | undefined>(undefined, (raw, ctx) =>
    Buffer.byteLength(raw) >= 32 ? raw : refuse(ctx, 'must be at least 32 bytes long (HS256 wants 256 bits of key)'),
  ),
  MASTERY_JWKS_URL: url(['https:', 'http:']),
  MASTERY_JWT_ISSUER: text(undefined),
  MASTERY_JWT_AUDIENCE: text(undefined),
  MASTERY_MCP_TOKEN: text(undefined),
  MASTERY_RETENTION_DAYS: integer(90, 1, 36_500),
  MASTERY_REQUIRE_CONSENT: flag(false),
  MASTERY_ALLOW_SELF_ERASURE: flag(false),
  MASTERY_WEIGHTS: weights,
};

/**
 * Tuning, rarely set (README, "Configuration", "Tuning, rarely set"): each default is what the
 * design asks or what suits a deployment that has no reason to differ; the design names some
 * of them configuration (the model's numbers, the topics), the others answer a need of their
 * own (a Kafka cluster shared by deployments, an LRS's vocabulary, a stricter audit).
 */
export const TUNING_VARIABLES = {
  MASTERY_CACHE_SECONDS: integer(30, 0, 30),
  MASTERY_JWT_MAX_LIFETIME_HOURS: integer(0, 0, 87_600),
  MASTERY_PURGE_INTERVAL_MINUTES: integer(60, 0, 10_080),
  MASTERY_AUDIT_DURABLE_READS: flag(false),
  MASTERY_RATE_LIMIT_PER_MINUTE: integer(3000, 0, 10_000_000),
  MASTERY_RECOMMENDATION_THRESHOLD: decimal(DEFAULT_MODEL_CONFIG.recommendationThreshold, 0, 1),
  MASTERY_QUIZ_GUESS_SECONDS: decimal(DEFAULT_MODEL_CONFIG.quizGuessSeconds, 0.001, 3600),
  MASTERY_QUIZ_ATTEMPT_PENALTY: decimal(DEFAULT_MODEL_CONFIG.quizAttemptPenalty, 0, 0.5),
  MASTERY_KAFKA_GROUP_ID: text('mastery-engine'),
  MASTERY_KAFKA_TOPIC_REQUESTS: topicName('mastery.requests'),
  MASTERY_KAFKA_TOPIC_UPDATED: topicName('mastery.updated'),
  MASTERY_KAFKA_TOPIC_RETRY: topicName('mastery.retry'),
  MASTERY_KAFKA_TOPIC_DLQ: topicName('mastery.dlq'),
  MASTERY_KAFKA_PARTITIONS_REQUESTS: integer(6, 1, 10_000),
  MASTERY_KAFKA_PARTITIONS_UPDATED: integer(6, 1, 10_000),
  MASTERY_KAFKA_PARTITIONS_RETRY: integer(6, 1, 10_000),
  MASTERY_KAFKA_PARTITIONS_DLQ: integer(3, 1, 10_000),
  MASTERY_KAFKA_ENCODING: choice(['json', 'avro'] as const, 'json'),
  MASTERY_KAFKA_AVRO_SCHEMA_ID_EVENT: integer(1, 0, MAX_INT32),
  MASTERY_KAFKA_AVRO_SCHEMA_ID_UPDATED: integer(2, 0, MAX_INT32),
  MASTERY_KAFKA_RETRY_BACKOFF_MS: integer(1000, 0, 3_600_000),
  MASTERY_KAFKA_SESSION_TIMEOUT_MS: integer(30_000, 1_000, 3_600_000),
  MASTERY_XAPI_ANSWERED_VERBS: iris(DEFAULT_XAPI_MAPPING.answeredVerbs),
  MASTERY_XAPI_ASSESSMENT_VERBS: iris(DEFAULT_XAPI_MAPPING.assessmentVerbs),
  MASTERY_XAPI_TOPIC_EXTENSION: iris([DEFAULT_XAPI_MAPPING.topicExtension]),
  MASTERY_XAPI_TOPIC_FROM: ordered(TOPIC_SOURCES, DEFAULT_XAPI_MAPPING.topicFrom),
  MASTERY_XAPI_STUDENT_FROM: ordered(STUDENT_SOURCES, DEFAULT_XAPI_MAPPING.studentFrom),
};

/** Every variable of the service, with its default: the two groups above. */
export const ENVIRONMENT = z.object({ ...ESSENTIAL_VARIABLES, ...TUNING_VARIABLES });

type Variables = z.output<typeof ENVIRONMENT>;

/** The variables as the schema reads them, or the ConfigError of a removed one still set, or of the first one it refuses. */
function readVariables(env: Env): Variables {
  refuseRemovedVariables(env);
  const parsed = ENVIRONMENT.safeParse(Object.fromEntries(Object.keys(ENVIRONMENT.shape).map((name) => [name, env[name]])));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ConfigError(String(issue.path[0]), issue.message);
}

function jwtSecret(v: Variables, dataDir: string): string | undefined {
  const secret = v.MASTERY_JWT_SECRET;
  if (secret === undefined && v.MASTERY_DATABASE_URL !== undefined && v.MASTERY_JWKS_URL === undefined) {
    throw new ConfigError(
      'MASTERY_JWT_SECRET',
      'is required when MASTERY_DATABASE_URL is set (or set MASTERY_JWKS_URL): every instance must verify tokens the same way',
    );
  }
  if (secret === undefined && dataDir === MEMORY_DATA_DIR) {
    throw new ConfigError('MASTERY_JWT_SECRET', `must be set when MASTERY_DATA_DIR is ${MEMORY_DATA_DIR}: there is no folder to keep a generated one in`);
  }
  return secret;
}

function dapr(v: Variables): Config['dapr'] {
  if (v.MASTERY_DAPR_URL === undefined) {
    if (v.MASTERY_DAPR_STORE !== undefined) throw new ConfigError('MASTERY_DAPR_STORE', 'is set, but MASTERY_DAPR_URL is not');
    return undefined;
  }
  if (v.MASTERY_REDIS_URL !== undefined) {
    throw new ConfigError('MASTERY_REDIS_URL', 'and MASTERY_DAPR_URL are both set: the state store is one or the other');
  }
  return { url: v.MASTERY_DAPR_URL.replace(/\/$/, ''), store: v.MASTERY_DAPR_STORE ?? 'mastery-state' };
}

function kafka(v: Variables): KafkaConfig | undefined {
  if (v.MASTERY_KAFKA_BROKERS === undefined) {
    if (v.MASTERY_HTTP_INGEST === 'forward') throw new ConfigError('MASTERY_HTTP_INGEST', 'is forward, but MASTERY_KAFKA_BROKERS is not set');
    return undefined;
  }
  return {
    brokers: v.MASTERY_KAFKA_BROKERS,
    groupId: v.MASTERY_KAFKA_GROUP_ID,
    topics: {
      requests: { name: v.MASTERY_KAFKA_TOPIC_REQUESTS, partitions: v.MASTERY_KAFKA_PARTITIONS_REQUESTS },
      updated: { name: v.MASTERY_KAFKA_TOPIC_UPDATED, partitions: v.MASTERY_KAFKA_PARTITIONS_UPDATED },
      retry: { name: v.MASTERY_KAFKA_TOPIC_RETRY, partitions: v.MASTERY_KAFKA_PARTITIONS_RETRY },
      dlq: { name: v.MASTERY_KAFKA_TOPIC_DLQ, partitions: v.MASTERY_KAFKA_PARTITIONS_DLQ },
    },
    encoding: v.MASTERY_KAFKA_ENCODING,
    avroSchemaIds: { event: v.MASTERY_KAFKA_AVRO_SCHEMA_ID_EVENT, updated: v.MASTERY_KAFKA_AVRO_SCHEMA_ID_UPDATED },
    retryBackoffMs: v.MASTERY_KAFKA_RETRY_BACKOFF_MS,
    sessionTimeoutMs: v.MASTERY_KAFKA_SESSION_TIMEOUT_MS,
    httpIngest: v.MASTERY_HTTP_INGEST,
  };
}

function xapi(v: Variables): XapiMapping {
  const both = v.MASTERY_XAPI_ANSWERED_VERBS.find((verb) => v.MASTERY_XAPI_ASSESSMENT_VERBS.includes(verb));
  if (both !== undefined) {
    throw new ConfigError('MASTERY_XAPI_ASSESSMENT_VERBS', `names ${both}, which MASTERY_XAPI_ANSWERED_VERBS names too: a verb maps one way`);
  }
  if (v.MASTERY_XAPI_TOPIC_EXTENSION.length !== 1) throw new ConfigError('MASTERY_XAPI_TOPIC_EXTENSION', 'must be one IRI, not a list');
  return {
    answeredVerbs: v.MASTERY_XAPI_ANSWERED_VERBS,
    assessmentVerbs: v.MASTERY_XAPI_ASSESSMENT_VERBS,
    topicExtension: v.MASTERY_XAPI_TOPIC_EXTENSION[0]!,
    topicFrom: v.MASTERY_XAPI_TOPIC_FROM,
    studentFrom: v.MASTERY_XAPI_STUDENT_FROM,
  };
}

export function loadConfig(env: Env = process.env): Config {
  const v = readVariables(env);
  const dataDir = v.MASTERY_DATA_DIR === MEMORY_DATA_DIR ? MEMORY_DATA_DIR : resolve(v.MASTERY_DATA_DIR);
  return {
    port: v.PORT,
    host: v.HOST,
    dataDir,
    jwtSecret: jwtSecret(v, dataDir),
    databaseUrl: v.MASTERY_DATABASE_URL,
    redisUrl: v.MASTERY_REDIS_URL,
    dapr: dapr(v),
    cacheSeconds: v.MASTERY_CACHE_SECONDS,
    tokens: {
      jwksUrl: v.MASTERY_JWKS_URL,
      issuer: v.MASTERY_JWT_ISSUER,
      audience: v.MASTERY_JWT_AUDIENCE,
      maxLifetimeHours: v.MASTERY_JWT_MAX_LIFETIME_HOURS,
    },
    privacy: {
      requireConsent: v.MASTERY_REQUIRE_CONSENT,
      allowSelfErasure: v.MASTERY_ALLOW_SELF_ERASURE,
      purgeIntervalMinutes: v.MASTERY_PURGE_INTERVAL_MINUTES,
      durableReadAudit: v.MASTERY_AUDIT_DURABLE_READS,
    },
    limits: { ratePerMinute: v.MASTERY_RATE_LIMIT_PER_MINUTE },
    kafka: kafka(v),
    mcpToken: v.MASTERY_MCP_TOKEN,
    xapi: xapi(v),
    retentionDays: v.MASTERY_RETENTION_DAYS,
    logLevel: v.LOG_LEVEL,
    model: {
      weights: v.MASTERY_WEIGHTS,
      recommendationThreshold: v.MASTERY_RECOMMENDATION_THRESHOLD,
      quizGuessSeconds: v.MASTERY_QUIZ_GUESS_SECONDS,
      quizAttemptPenalty: v.MASTERY_QUIZ_ATTEMPT_PENALTY,
    },
  };
}
