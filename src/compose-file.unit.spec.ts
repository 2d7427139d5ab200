import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv, type AnySchema } from 'ajv';
import { parseAllDocuments, parseDocument } from 'yaml';
import { ENVIRONMENT, loadConfig } from './config.js';

/**
 * compose.yaml, the production mode in one command. No Docker engine runs on the development
 * machine, so `docker compose up` has never started it: this checks it against the Compose
 * Specification's own JSON schema (vendored in src/testing/compose-spec/), then what the schema
 * cannot see: that every dependency exists and is waited for on a health check, that the engine
 * gets a configuration src/config.ts accepts, and that the files it mounts exist and fit.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCHEMA = join(ROOT, 'src/testing/compose-spec/compose-spec.json');

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mapping(value: unknown, where: string): Mapping {
  assert.ok(isMapping(value), `${where} is a mapping`);
  return value;
}

function strings(value: unknown, where: string): string[] {
  assert.ok(Array.isArray(value) && value.every((v) => typeof v === 'string'), `${where} is a list of strings`);
  return value as string[];
}

const document = parseDocument(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'));
const compose = mapping(document.toJS(), 'compose.yaml');
const services = mapping(compose['services'], 'services');

function service(name: string): Mapping {
  return mapping(services[name], `service ${name}`);
}

function environment(name: string): Record<string, string> {
  const env = mapping(service(name)['environment'], `${name}'s environment`);
  for (const [key, value] of Object.entries(env)) assert.equal(typeof value, 'string', `${name}: ${key} is quoted as a string`);
  return env as Record<string, string>;
}

/**
 * What `docker compose` would read with the two secrets set: `${NAME:?message}` replaced by the
 * given value (the file uses only that form; any other `$` would need a rule of its own).
 */
function interpolated(value: string, variables: Record<string, string>): string {
  const replaced = value.replace(/\$\{([A-Z_][A-Z0-9_]*):\?[^}]*\}/g, (_, name: string) => {
    const given = variables[name];
    assert.ok(given !== undefined, `compose.yaml needs ${name}, which this test does not give`);
    return given;
  });
  assert.ok(!replaced.includes('$'), `an interpolation this test does not understand: ${value}`);
  return replaced;
}

/** The variables the README tells the operator to export. */
const EXPORTED = { MASTERY_JWT_SECRET: 'x'.repeat(64), POSTGRES_PASSWORD: '0123456789abcdef' };

const ENGINE = ['serve', 'worker'];

describe('compose.yaml: the Compose Specification', () => {
  it('parses as YAML without merge keys (every alias is a whole node)', () => {
    assert.deepEqual(
      document.errors.map((e) => e.message),
      [],
    );
    assert.ok(!/^\s*<<:/m.test(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')), 'YAML 1.2 has no << merge');
  });

  it('is valid against the schema, with the draft that the schema declares (draft-07)', () => {
    const schema = JSON.parse(readFileSync(SCHEMA, 'utf8')) as Mapping;
    assert.match(String(schema['$schema']), /draft-07\/schema#?$/);
    // The schema names draft-07 as https://json-schema.org/draft-07/schema, not ajv's canonical
    // http://…# spelling: the same meta-schema is registered under that id too.
    const draft07 = createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-07.json') as Mapping;
    // The schema uses union types (a string or a number), which ajv's strict mode only warns of.
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false });
    ajv.addMetaSchema({ ...draft07, $id: String(schema['$schema']) });
    const validate = ajv.compile(schema as AnySchema);
    const valid = validate(compose);
    assert.deepEqual(validate.errors?.map((e) => `${e.instancePath} ${e.message}`) ?? [], []);
    assert.equal(valid, true);
    // The schema is strict enough to matter: a misspelt key is refused.
    assert.equal(validate({ services: { serve: { image: 'x', healthckeck: {} } } }), false);
  });
});

describe('compose.yaml: what the schema cannot check', () => {
  it('runs PostgreSQL, Redis, a KRaft Kafka broker, the Dapr sidecar, serve and worker', () => {
    assert.deepEqual(Object.keys(services).sort(), ['daprd', 'kafka', 'postgres', 'redis', 'serve', 'worker']);
    assert.match(String(service('postgres')['image']), /^postgres:\d+\.\d+$/);
    assert.match(String(service('redis')['image']), /^redis:\d+\.\d+\.\d+$/);
    assert.equal(service('kafka')['image'], 'apache/kafka:4.4.0');
    // The Dapr release the suite builds and tests (scripts/ensure-daprd.sh).
    const tested = /^DAPR_VERSION=(\S+)$/m.exec(readFileSync(join(ROOT, 'scripts/ensure-daprd.sh'), 'utf8'))?.[1];
    assert.equal(service('daprd')['image'], `daprio/daprd:${tested}`);
    const kafka = environment('kafka');
    assert.equal(kafka['KAFKA_PROCESS_ROLES'], 'broker,controller', 'one node is broker and controller (KRaft)');
    assert.equal(kafka['KAFKA_ZOOKEEPER_CONNECT'], undefined);
  });

  it('every depends_on names a service; a service waited for as healthy has a health check', () => {
    for (const [name, definition] of Object.entries(services)) {
      const dependsOn = mapping(mapping(definition, name)['depends_on'] ?? {}, `${name}.depends_on`);
      for (const [target, condition] of Object.entries(dependsOn)) {
        assert.ok(target in services, `${name} depends on ${target}, which compose.yaml does not define`);
        const wanted = mapping(condition, `${name}.depends_on.${target}`)['condition'];
        if (wanted === 'service_healthy') {
          const check = mapping(service(target)['healthcheck'], `${target}'s healthcheck (${name} waits for it)`);
          assert.ok(check['disable'] !== true && Array.isArray(check['test']), `${target} has a real health check`);
        } else {
          // Only the sidecar is waited for as started: its distroless image cannot run a check,
          // and the engine's /readyz pings it, so the dependents' own checks cover it.
          assert.equal(target, 'daprd', `${name} waits for ${target} as ${String(wanted)}, not healthy`);
          assert.equal(service(target)['healthcheck'], undefined);
          assert.ok(ENGINE.includes(name), `${name} must check the sidecar through /readyz`);
        }
      }
    }
  });

  it('every long-running service but the sidecar has a health check; the engine probes /readyz on its PORT', () => {
    for (const name of Object.keys(services)) {
      if (name === 'daprd') continue;
      assert.ok(isMapping(service(name)['healthcheck']), `${name} has a health check`);
    }
    for (const name of ENGINE) {
      const test = strings(mapping(service(name)['healthcheck'], name)['test'], `${name}'s health check`);
      assert.deepEqual(test.slice(0, 3), ['CMD', 'node', '-e'], 'node asks: the slim image has no curl');
      assert.match(test[3] ?? '', /port:process\.env\.PORT,path:'\/readyz'/);
      assert.ok(environment(name)['PORT'], `${name} sets PORT, which its health check reads`);
    }
  });

  it('serve and worker build the root Dockerfile, tagged with the package version, and run their command', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const name of ENGINE) {
      const build = mapping(service(name)['build'], `${name}.build`);
      assert.ok(existsSync(join(ROOT, String(build['context']), String(build['dockerfile']))), `${name} builds a Dockerfile that exists`);
      assert.equal(service(name)['image'], `mastery-engine:${pkg.version}`);
      assert.deepEqual(service(name)['command'], [name]);
    }
    assert.deepEqual(service('serve')['ports'], [`127.0.0.1:${environment('serve')['PORT']}:${environment('serve')['PORT']}`]);
  });

  it('the engine is given only variables of the configuration schema (or that Node reads), and no test-only knob', () => {
    const known = new Set(Object.keys(ENVIRONMENT.shape));
    for (const name of ENGINE) {
      for (const key of Object.keys(environment(name))) {
        assert.ok(!key.startsWith('MASTERY_TEST_'), `${name}: ${key} is for tests only`);
        assert.ok(key === 'NODE_OPTIONS' || known.has(key), `${name}: src/config.ts does not read ${key}`);
      }
    }
  });

  it('with the two exported secrets, that environment is a configuration the engine accepts, on every shared store', () => {
    for (const name of ENGINE) {
      const env = Object.fromEntries(Object.entries(environment(name)).map(([k, v]) => [k, interpolated(v, EXPORTED)]));
      const config = loadConfig(env);
      assert.equal(config.host, '0.0.0.0');
      assert.equal(config.jwtSecret, EXPORTED.MASTERY_JWT_SECRET);
      assert.ok(config.dapr && config.databaseUrl && config.kafka, `${name} uses Dapr, PostgreSQL and Kafka`);
      assert.equal(config.redisUrl, undefined, 'the state store is Dapr, not Redis directly');

      const database = new URL(config.databaseUrl);
      const postgres = environment('postgres');
      assert.equal(database.hostname, 'postgres');
      assert.equal(database.username, postgres['POSTGRES_USER']);
      assert.equal(database.pathname, `/${postgres['POSTGRES_DB']}`);
      assert.equal(database.password, interpolated(postgres['POSTGRES_PASSWORD'] ?? '', EXPORTED), 'the password PostgreSQL was given');

      const kafka = environment('kafka');
      assert.deepEqual(config.kafka.brokers, [String(kafka['KAFKA_ADVERTISED_LISTENERS']).replace(/^PLAINTEXT:\/\//, '')]);

      const dapr = new URL(config.dapr.url);
      const flags = strings(service('daprd')['command'], 'daprd.command');
      assert.equal(dapr.hostname, 'daprd');
      assert.ok(flags.includes(`--dapr-http-port=${dapr.port}`), 'the sidecar listens where the engine calls it');
    }
  });

  it('the sidecar mounts files of the repository: the state store the engine names, scoped to its app-id, on this Redis', () => {
    const daprd = service('daprd');
    const flags = strings(daprd['command'], 'daprd.command');
    const flag = (name: string) => flags.find((f) => f.startsWith(`--${name}=`))?.split('=')[1];
    const mounts = strings(daprd['volumes'], 'daprd.volumes').map((v) => v.split(':'));
    assert.ok(mounts.length > 0);
    const documents = mounts.flatMap(([source = '', target = '']) => {
      assert.ok(source.startsWith('./') && existsSync(join(ROOT, source)), `the mounted ${source} exists in the repository`);
      assert.ok(target.startsWith(`${flag('resources-path')}/`), `${target} is in the sidecar's resources path`);
      return parseAllDocuments(readFileSync(join(ROOT, source), 'utf8')).map((d) => mapping(d.toJS(), source));
    });
    const store = documents.find((d) => d['kind'] === 'Component' && mapping(d['metadata'], 'metadata')['name'] === environment('serve')['MASTERY_DAPR_STORE']);
    assert.ok(store, 'a mounted component is the state store MASTERY_DAPR_STORE names');
    assert.ok(strings(store['scopes'], 'scopes').includes(flag('app-id') ?? ''), "the component is scoped to the sidecar's app-id");
    const spec = mapping(store['spec'], 'spec');
    assert.equal(spec['type'], 'state.redis');
    const metadata = (spec['metadata'] as Mapping[]).find((m) => m['name'] === 'redisHost');
    const [host, port] = String(metadata?.['value']).split(':');
    const redis = service('redis');
    const aliases = strings(mapping(mapping(redis['networks'], 'redis.networks')['default'], 'default')['aliases'], 'aliases');
    assert.ok(host === 'redis' || aliases.includes(host ?? ''), `redisHost ${host} is the Redis service or one of its aliases`);
    assert.equal(port, '6379');
    // Standalone Dapr has no default secret store: the password reference stays unresolved and
    // the sidecar connects without one, which this Redis (no requirepass) accepts.
    assert.equal(mapping(store['auth'] ?? {}, 'auth')['secretStore'], undefined);
    assert.equal(redis['command'], undefined, 'Redis runs without requirepass');
  });
});
