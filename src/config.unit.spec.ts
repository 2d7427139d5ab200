import assert from 'node:assert/strict';
import { isAbsolute, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, ENVIRONMENT, loadConfig } from './config.js';
import { REMOVED_VARIABLES } from './config/removed-variables.js';

/** The configuration table of architecture.md: defaults, every variable read, bad values refused by name. */

const SECRET = 'x'.repeat(32);

/** loadConfig must throw a ConfigError whose message names `variable`. */
function refuses(env: Record<string, string>, variable: string): void {
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      assert.ok(error.message.includes(variable), `the message should name ${variable}: "${error.message}"`);
      return true;
    },
    `${JSON.stringify(env)} should be refused`,
  );
}

describe('loadConfig: defaults give the embedded mode', () => {
  it('an empty environment gives the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dataDir, resolve('./data'));
    assert.ok(isAbsolute(config.dataDir));
    assert.equal(config.jwtSecret, undefined, 'no secret: one is generated into the data folder');
    assert.equal(config.retentionDays, 90);
    assert.equal(config.logLevel, 'info');
    assert.deepEqual({ ...config.model.weights }, { completion: 0.4, quiz: 0.3, quality: 0.2, consistency: 0.1 });
    assert.equal(config.model.recommendationThreshold, 0.7);
    assert.equal(config.model.quizGuessSeconds, 10);
    assert.equal(config.model.quizAttemptPenalty, 0.15);
  });

  it('an empty or blank variable counts as unset', () => {
    const config = loadConfig({ PORT: '', HOST: '  ', LOG_LEVEL: '', MASTERY_WEIGHTS: '', MASTERY_DATA_DIR: '' });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.logLevel, 'info');
    assert.equal(config.dataDir, resolve('./data'));
    assert.deepEqual({ ...config.model.weights }, { completion: 0.4, quiz: 0.3, quality: 0.2, consistency: 0.1 });
  });

  it('reads only the object it is given, not process.env', () => {
    const saved = process.env.PORT;
    process.env.PORT = '9999';
    try {
      assert.equal(loadConfig({}).port, 8080);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });
});

describe('loadConfig: every variable is read', () => {
  it('PORT and HOST', () => {
    const config = loadConfig({ PORT: '3000', HOST: '0.0.0.0' });
    assert.equal(config.port, 3000);
    assert.equal(config.host, '0.0.0.0');
  });

  it('PORT accepts 0 (any free port) and 65535, and surrounding spaces', () => {
    assert.equal(loadConfig({ PORT: '0' }).port, 0);
    assert.equal(loadConfig({ PORT: '65535' }).port, 65_535);
    assert.equal(loadConfig({ PORT: ' 8081 ' }).port, 8081);
  });

  it('MASTERY_DATA_DIR is made absolute', () => {
    assert.equal(loadConfig({ MASTERY_DATA_DIR: './var/mastery' }).dataDir, resolve('var/mastery'));
    assert.equal(loadConfig({ MASTERY_DATA_DIR: '/srv/mastery' }).dataDir, '/srv/mastery');
  });

  it("MASTERY_DATA_DIR ':memory:' with a secret is fine and stays ':memory:'", () => {
    const config = loadConfig({ MASTERY_DATA_DIR: ':memory:', MASTERY_JWT_SECRET: SECRET });
    assert.equal(config.dataDir, ':memory:');
    assert.equal(config.jwtSecret, SECRET);
  });

  it('MASTERY_JWT_SECRET of 32 bytes or more is kept as given', () => {
    assert.equal(loadConfig({ MASTERY_JWT_SECRET: SECRET }).jwtSecret, SECRET);
    const long = 'a-longer-secret-with-more-than-32-bytes-of-key';
    assert.equal(loadConfig({ MASTERY_JWT_SECRET: long }).jwtSecret, long);
  });

  it('MASTERY_JWT_SECRET is measured in bytes: 16 two-byte characters are 32 bytes', () => {
    assert.equal(loadConfig({ MASTERY_JWT_SECRET: 'é'.repeat(16) }).jwtSecret, 'é'.repeat(16));
  });

  it('MASTERY_RETENTION_DAYS', () => {
    assert.equal(loadConfig({ MASTERY_RETENTION_DAYS: '30' }).retentionDays, 30);
    assert.equal(loadConfig({ MASTERY_RETENTION_DAYS: '1' }).retentionDays, 1);
  });

  it('LOG_LEVEL: every pino level', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const) {
      assert.equal(loadConfig({ LOG_LEVEL: level }).logLevel, level);
    }
  });

  it('MASTERY_WEIGHTS: completion, quiz, quality, consistency in that order', () => {
    assert.deepEqual(
      { ...loadConfig({ MASTERY_WEIGHTS: '0.25,0.25,0.25,0.25' }).model.weights },
      {
        completion: 0.25,
        quiz: 0.25,
        quality: 0.25,
        consistency: 0.25,
      },
    );
    assert.deepEqual(
      { ...loadConfig({ MASTERY_WEIGHTS: ' 0.7 , 0.1 , 0.1 , 0.1 ' }).model.weights },
      {
        completion: 0.7,
        quiz: 0.1,
        quality: 0.1,
        consistency: 0.1,
      },
    );
    assert.deepEqual(
      { ...loadConfig({ MASTERY_WEIGHTS: '1,0,0,0' }).model.weights },
      {
        completion: 1,
        quiz: 0,
        quality: 0,
        consistency: 0,
      },
    );
  });

  it('MASTERY_WEIGHTS that sum to 1 within 1e-9 in floating point are accepted', () => {
    assert.notEqual(0.7 + 0.1 + 0.1 + 0.1, 1, 'test set-up: this float sum is not exactly 1');
    assert.deepEqual(
      { ...loadConfig({ MASTERY_WEIGHTS: '0.7,0.1,0.1,0.1' }).model.weights },
      {
        completion: 0.7,
        quiz: 0.1,
        quality: 0.1,
        consistency: 0.1,
      },
    );
    assert.deepEqual(
      { ...loadConfig({ MASTERY_WEIGHTS: '0.1,0.2,0.3,0.4' }).model.weights },
      {
        completion: 0.1,
        quiz: 0.2,
        quality: 0.3,
        consistency: 0.4,
      },
    );
  });

  it('MASTERY_RECOMMENDATION_THRESHOLD, MASTERY_QUIZ_GUESS_SECONDS, MASTERY_QUIZ_ATTEMPT_PENALTY', () => {
    const { model } = loadConfig({
      MASTERY_RECOMMENDATION_THRESHOLD: '0.6',
      MASTERY_QUIZ_GUESS_SECONDS: '7.5',
      MASTERY_QUIZ_ATTEMPT_PENALTY: '0.2',
    });
    assert.equal(model.recommendationThreshold, 0.6);
    assert.equal(model.quizGuessSeconds, 7.5);
    assert.equal(model.quizAttemptPenalty, 0.2);
  });
});

describe('loadConfig: a bad value stops start-up with a sentence that names it', () => {
  it('PORT not a whole number from 0 to 65535', () => {
    for (const PORT of ['abc', '70000', '65536', '-1', '80.5', '8080abc', '0x50']) refuses({ PORT }, 'PORT');
  });

  it('MASTERY_RETENTION_DAYS not a whole number ≥ 1', () => {
    for (const value of ['0', '1.5', '-3', 'ninety']) refuses({ MASTERY_RETENTION_DAYS: value }, 'MASTERY_RETENTION_DAYS');
  });

  it('MASTERY_WEIGHTS with 3 or 5 parts', () => {
    refuses({ MASTERY_WEIGHTS: '0.5,0.3,0.2' }, 'MASTERY_WEIGHTS');
    refuses({ MASTERY_WEIGHTS: '0.4,0.3,0.2,0.05,0.05' }, 'MASTERY_WEIGHTS');
    refuses({ MASTERY_WEIGHTS: '0.4,0.3,0.2,0.1,0' }, 'MASTERY_WEIGHTS'); // the first four alone sum to 1
  });

  it('MASTERY_WEIGHTS with non-numbers', () => {
    refuses({ MASTERY_WEIGHTS: 'a,b,c,d' }, 'MASTERY_WEIGHTS');
    refuses({ MASTERY_WEIGHTS: '0.4,0.3,,0.3' }, 'MASTERY_WEIGHTS');
    refuses({ MASTERY_WEIGHTS: '0.4;0.3;0.2;0.1' }, 'MASTERY_WEIGHTS');
  });

  it('MASTERY_WEIGHTS whose sum is not 1', () => {
    refuses({ MASTERY_WEIGHTS: '0.5,0.3,0.2,0.1' }, 'MASTERY_WEIGHTS');
    refuses({ MASTERY_WEIGHTS: '0.3,0.3,0.2,0.1' }, 'MASTERY_WEIGHTS');
    refuses({ MASTERY_WEIGHTS: '0,0,0,0' }, 'MASTERY_WEIGHTS');
  });

  it('MASTERY_WEIGHTS with a negative weight or one above 1', () => {
    refuses({ MASTERY_WEIGHTS: '1.2,-0.2,0,0' }, 'MASTERY_WEIGHTS');
    refuses({ MASTERY_WEIGHTS: '-0.1,0.5,0.3,0.3' }, 'MASTERY_WEIGHTS');
  });

  it('LOG_LEVEL not a pino level', () => {
    refuses({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL');
    refuses({ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL');
  });

  it('MASTERY_JWT_SECRET shorter than 32 bytes', () => {
    refuses({ MASTERY_JWT_SECRET: 'x'.repeat(31) }, 'MASTERY_JWT_SECRET');
    refuses({ MASTERY_JWT_SECRET: 'secret' }, 'MASTERY_JWT_SECRET');
  });

  it("MASTERY_DATA_DIR ':memory:' without MASTERY_JWT_SECRET (nowhere to keep a generated one)", () => {
    refuses({ MASTERY_DATA_DIR: ':memory:' }, 'MASTERY_JWT_SECRET');
    refuses({ MASTERY_DATA_DIR: ':memory:' }, 'MASTERY_DATA_DIR');
  });

  it('the model numbers out of range', () => {
    refuses({ MASTERY_RECOMMENDATION_THRESHOLD: '1.5' }, 'MASTERY_RECOMMENDATION_THRESHOLD');
    refuses({ MASTERY_RECOMMENDATION_THRESHOLD: 'high' }, 'MASTERY_RECOMMENDATION_THRESHOLD');
    refuses({ MASTERY_QUIZ_GUESS_SECONDS: '0' }, 'MASTERY_QUIZ_GUESS_SECONDS');
    refuses({ MASTERY_QUIZ_GUESS_SECONDS: '-5' }, 'MASTERY_QUIZ_GUESS_SECONDS');
    refuses({ MASTERY_QUIZ_ATTEMPT_PENALTY: '0.9' }, 'MASTERY_QUIZ_ATTEMPT_PENALTY');
  });

  it('a ConfigError is an Error whose message quotes the bad value', () => {
    try {
      loadConfig({ PORT: 'abc' });
      assert.fail('PORT abc should be refused');
    } catch (error) {
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'ConfigError');
      assert.match(error.message, /^PORT .*abc/);
    }
  });
});

describe('loadConfig: the production stores', () => {
  const pg = 'postgres://mastery@db.internal:5432/mastery';

  it('leaves them unset by default: the embedded mode', () => {
    const c = loadConfig({});
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.redisUrl, undefined);
    assert.equal(c.dapr, undefined);
    assert.equal(c.cacheSeconds, 30);
  });

  it('reads PostgreSQL, Redis (one URL or cluster seed nodes) and the cache lifetime', () => {
    const c = loadConfig({
      MASTERY_DATABASE_URL: pg,
      MASTERY_JWT_SECRET: SECRET,
      MASTERY_REDIS_URL: 'redis://a:7000,redis://b:7001',
      MASTERY_CACHE_SECONDS: '0',
    });
    assert.equal(c.databaseUrl, pg);
    assert.equal(c.redisUrl, 'redis://a:7000,redis://b:7001');
    assert.equal(c.cacheSeconds, 0);
  });

  it('reads the Dapr sidecar and store, with a default store name', () => {
    assert.deepEqual(loadConfig({ MASTERY_DAPR_URL: 'http://127.0.0.1:3500/' }).dapr, {
      url: 'http://127.0.0.1:3500',
      store: 'mastery-state',
    });
    assert.equal(loadConfig({ MASTERY_DAPR_URL: 'http://127.0.0.1:3500', MASTERY_DAPR_STORE: 'state' }).dapr?.store, 'state');
  });

  it('requires the JWT secret once the event log is PostgreSQL', () => {
    refuses({ MASTERY_DATABASE_URL: pg }, 'MASTERY_JWT_SECRET');
  });

  it('refuses URLs of the wrong kind, naming the variable', () => {
    refuses({ MASTERY_DATABASE_URL: 'mysql://x/y', MASTERY_JWT_SECRET: SECRET }, 'MASTERY_DATABASE_URL');
    refuses({ MASTERY_REDIS_URL: 'localhost:6379' }, 'MASTERY_REDIS_URL');
    refuses({ MASTERY_REDIS_URL: 'redis://a:1,http://b:2' }, 'MASTERY_REDIS_URL');
    refuses({ MASTERY_DAPR_URL: 'grpc://127.0.0.1:50001' }, 'MASTERY_DAPR_URL');
  });

  it('refuses Redis and Dapr together, a Dapr store without a sidecar, and an L1 beyond 30 s', () => {
    refuses({ MASTERY_REDIS_URL: 'redis://a:1', MASTERY_DAPR_URL: 'http://b:3500' }, 'MASTERY_REDIS_URL');
    refuses({ MASTERY_DAPR_STORE: 'state' }, 'MASTERY_DAPR_STORE');
    refuses({ MASTERY_CACHE_SECONDS: '31' }, 'MASTERY_CACHE_SECONDS');
  });
});

describe('loadConfig: access and privacy', () => {
  it('has safe defaults', () => {
    const c = loadConfig({});
    assert.deepEqual(c.tokens, { jwksUrl: undefined, issuer: undefined, audience: undefined, maxLifetimeHours: 0 });
    assert.deepEqual(c.privacy, { requireConsent: false, allowSelfErasure: false, purgeIntervalMinutes: 60, durableReadAudit: false });
    assert.deepEqual(c.limits, { ratePerMinute: 3000 });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      MASTERY_JWKS_URL: 'https://id.example/.well-known/jwks.json',
      MASTERY_JWT_ISSUER: 'https://id.example/',
      MASTERY_JWT_AUDIENCE: 'mastery-engine',
      MASTERY_JWT_MAX_LIFETIME_HOURS: '24',
      MASTERY_REQUIRE_CONSENT: 'true',
      MASTERY_ALLOW_SELF_ERASURE: 'yes',
      MASTERY_PURGE_INTERVAL_MINUTES: '0',
      MASTERY_AUDIT_DURABLE_READS: 'true',
      MASTERY_RATE_LIMIT_PER_MINUTE: '0',
    });
    assert.deepEqual(c.tokens, {
      jwksUrl: 'https://id.example/.well-known/jwks.json',
      issuer: 'https://id.example/',
      audience: 'mastery-engine',
      maxLifetimeHours: 24,
    });
    assert.deepEqual(c.privacy, { requireConsent: true, allowSelfErasure: true, purgeIntervalMinutes: 0, durableReadAudit: true });
    assert.deepEqual(c.limits, { ratePerMinute: 0 });
  });

  it('lets a JWKS stand in for the secret in production', () => {
    const c = loadConfig({ MASTERY_DATABASE_URL: 'postgres://db/m', MASTERY_JWKS_URL: 'https://id.example/jwks' });
    assert.equal(c.jwtSecret, undefined);
  });

  it('refuses bad values, naming the variable', () => {
    refuses({ MASTERY_JWKS_URL: 'id.example/jwks' }, 'MASTERY_JWKS_URL');
    refuses({ MASTERY_JWT_MAX_LIFETIME_HOURS: '-1' }, 'MASTERY_JWT_MAX_LIFETIME_HOURS');
    refuses({ MASTERY_REQUIRE_CONSENT: 'maybe' }, 'MASTERY_REQUIRE_CONSENT');
  });
});

describe('loadConfig: the xAPI mapping (docs/xapi.md)', () => {
  it("defaults to ADL's answered and assessment verbs, the engine's topic extension, extension → parent → grouping, account names", () => {
    const { xapi } = loadConfig({});
    assert.deepEqual(xapi.answeredVerbs, ['http://adlnet.gov/expapi/verbs/answered']);
    assert.deepEqual(
      xapi.assessmentVerbs,
      ['completed', 'passed', 'failed', 'scored', 'mastered'].map((v) => `http://adlnet.gov/expapi/verbs/${v}`),
    );
    assert.equal(xapi.topicExtension, 'urn:mastery-engine:xapi:topic');
    assert.deepEqual(xapi.topicFrom, ['extension', 'parent', 'grouping']);
    assert.deepEqual(xapi.studentFrom, ['account']);
  });

  it('reads every MASTERY_XAPI_ variable', () => {
    const { xapi } = loadConfig({
      MASTERY_XAPI_ANSWERED_VERBS: 'http://adlnet.gov/expapi/verbs/answered, https://w3id.org/xapi/dod-isd/verbs/answered',
      MASTERY_XAPI_ASSESSMENT_VERBS: 'http://adlnet.gov/expapi/verbs/passed',
      MASTERY_XAPI_TOPIC_EXTENSION: 'https://school.example.org/xapi/topic',
      MASTERY_XAPI_TOPIC_FROM: 'grouping,extension',
      MASTERY_XAPI_STUDENT_FROM: 'mbox,account',
    });
    assert.deepEqual(xapi, {
      answeredVerbs: ['http://adlnet.gov/expapi/verbs/answered', 'https://w3id.org/xapi/dod-isd/verbs/answered'],
      assessmentVerbs: ['http://adlnet.gov/expapi/verbs/passed'],
      topicExtension: 'https://school.example.org/xapi/topic',
      topicFrom: ['grouping', 'extension'],
      studentFrom: ['mbox', 'account'],
    });
  });

  it('refuses a verb that is no IRI, one verb both ways, two topic extensions, an unknown or repeated source', () => {
    refuses({ MASTERY_XAPI_ANSWERED_VERBS: 'answered' }, 'MASTERY_XAPI_ANSWERED_VERBS');
    refuses({ MASTERY_XAPI_ASSESSMENT_VERBS: 'http://adlnet.gov/expapi/verbs/answered' }, 'MASTERY_XAPI_ASSESSMENT_VERBS');
    refuses({ MASTERY_XAPI_TOPIC_EXTENSION: 'urn:a:topic,urn:b:topic' }, 'MASTERY_XAPI_TOPIC_EXTENSION');
    refuses({ MASTERY_XAPI_TOPIC_FROM: 'parent,category' }, 'MASTERY_XAPI_TOPIC_FROM');
    refuses({ MASTERY_XAPI_STUDENT_FROM: 'account,account' }, 'MASTERY_XAPI_STUDENT_FROM');
    refuses({ MASTERY_XAPI_STUDENT_FROM: 'openid' }, 'MASTERY_XAPI_STUDENT_FROM');
  });
});

describe('loadConfig: a removed variable still set stops start-up (CHANGELOG, "Removed")', () => {
  const removed = Object.keys(REMOVED_VARIABLES);

  it('the three, none of them in the schema any more', () => {
    assert.deepEqual(removed.sort(), ['MASTERY_JWT_CLOCK_SKEW_SECONDS', 'MASTERY_KAFKA_CLIENT_ID', 'MASTERY_REQUEST_TIMEOUT_SECONDS']);
    for (const name of removed) assert.equal(name in ENVIRONMENT.shape, false, name);
  });

  it('set to any value, even the one now fixed, each is refused with a sentence that names it and says what happens now', () => {
    const now = {
      MASTERY_KAFKA_CLIENT_ID: /is no longer read: the Kafka client is named after MASTERY_KAFKA_GROUP_ID .*\. Unset it to start\.$/,
      MASTERY_JWT_CLOCK_SKEW_SECONDS: /is no longer read: the leeway for exp and nbf is fixed at 30 s\. Unset it to start\.$/,
      MASTERY_REQUEST_TIMEOUT_SECONDS: /is no longer read: a request that has not arrived whole within 30 s is cut off\. Unset it to start\.$/,
    };
    for (const [name, sentence] of Object.entries(now)) {
      for (const value of ['30', 'mastery-engine', '5']) {
        assert.throws(
          () => loadConfig({ [name]: value }),
          (e: unknown) => e instanceof ConfigError && e.message.startsWith(`${name} `) && sentence.test(e.message),
          `${name}=${value}`,
        );
      }
    }
  });

  it('before the schema: a removed variable is named even beside a bad value', () => {
    refuses({ MASTERY_REQUEST_TIMEOUT_SECONDS: '30', PORT: 'abc' }, 'MASTERY_REQUEST_TIMEOUT_SECONDS');
  });

  it('empty or blank counts as unset, as for every variable', () => {
    for (const name of removed) assert.equal(loadConfig({ [name]: '', PORT: '3000' }).port, 3000);
    for (const name of removed) assert.equal(loadConfig({ [name]: '  ' }).port, 8080);
  });

  it('other MASTERY_* names are left alone (Kubernetes sets MASTERY_SERVICE_HOST, MASTERY_PORT… for a Service named mastery)', () => {
    assert.equal(loadConfig({ MASTERY_SERVICE_HOST: '10.0.0.7', MASTERY_PORT: 'tcp://10.0.0.7:8080' }).port, 8080);
  });
});
