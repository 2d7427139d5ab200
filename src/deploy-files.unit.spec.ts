import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { SERVICE_NODE_FLAGS } from './cli/node-flags.js';

/**
 * The deployment files (Dockerfile, deploy/): none of them can be run on the development machine
 * (no Docker engine, no cluster), so this checks what can be checked without one: every YAML file
 * parses, the Dapr components and Kubernetes manifests have the shape deploy/README.md describes,
 * they name only variables the engine reads, and the image runs the CLI as a non-root user.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');

/** Variables of the production mode that .env.example does not list (yet). */
const PRODUCTION_VARIABLES = ['MASTERY_DATABASE_URL', 'MASTERY_REDIS_URL', 'MASTERY_DAPR_URL', 'MASTERY_DAPR_STORE', 'MASTERY_KAFKA_BROKERS'];

type Mapping = Record<string, unknown>;

interface Manifest {
  /** Path relative to the repository, for messages. */
  file: string;
  value: Mapping;
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path` under `value`, or undefined when any step is missing. */
function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isMapping(current)) return undefined;
    current = current[key];
  }
  return current;
}

function text(value: unknown, ...path: string[]): string | undefined {
  const found = at(value, ...path);
  return typeof found === 'string' ? found : undefined;
}

function list(value: unknown, ...path: string[]): unknown[] {
  const found = at(value, ...path);
  return Array.isArray(found) ? found : [];
}

function mappings(value: unknown, ...path: string[]): Mapping[] {
  return list(value, ...path).filter(isMapping);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

const deployFiles = filesUnder(DEPLOY).sort();
const yamlFiles = deployFiles.filter((f) => /\.ya?ml$/.test(f));

/** Every document of every YAML file under deploy/; a file that does not parse fails here, by name. */
function loadManifests(): Manifest[] {
  const manifests: Manifest[] = [];
  for (const path of yamlFiles) {
    const file = relative(ROOT, path);
    const documents = parseAllDocuments(readFileSync(path, 'utf8'));
    assert.ok(documents.length > 0, `${file} holds no YAML document`);
    for (const document of documents) {
      assert.deepEqual(
        document.errors.map((e) => e.message),
        [],
        `${file} does not parse`,
      );
      const value: unknown = document.toJS();
      assert.ok(isMapping(value), `${file}: every document must be a mapping, not ${JSON.stringify(value)}`);
      manifests.push({ file, value });
    }
  }
  return manifests;
}

const manifests = loadManifests();

function ofKind(kind: string): Manifest[] {
  return manifests.filter((m) => m.value['kind'] === kind);
}

function named(kind: string, name: string): Manifest {
  const found = ofKind(kind).filter((m) => text(m.value, 'metadata', 'name') === name);
  assert.equal(found.length, 1, `expected exactly one ${kind} named ${name}, found ${found.length}`);
  const [manifest] = found;
  assert.ok(manifest);
  return manifest;
}

/** A Dapr component's spec.metadata as name → entry ({ name, value } or { name, secretKeyRef }). */
function componentMetadata(component: Manifest): Map<string, Mapping> {
  const entries = new Map<string, Mapping>();
  for (const entry of mappings(component.value, 'spec', 'metadata')) {
    const name = text(entry, 'name');
    assert.ok(name, `${component.file}: a metadata entry has no name`);
    assert.ok(!entries.has(name), `${component.file}: metadata ${name} is given twice`);
    entries.set(name, entry);
  }
  return entries;
}

function metadataValue(component: Manifest, name: string): string | undefined {
  return text(componentMetadata(component).get(name), 'value');
}

/** Containers and init containers of a Deployment's pod template. */
function containers(deployment: Manifest, kind: 'containers' | 'initContainers' = 'containers'): Mapping[] {
  return mappings(deployment.value, 'spec', 'template', 'spec', kind);
}

function annotation(deployment: Manifest, key: string): unknown {
  const annotations = at(deployment.value, 'spec', 'template', 'metadata', 'annotations');
  return isMapping(annotations) ? annotations[key] : undefined;
}

/** The names .env.example lists, set or commented out (`# MASTERY_JWT_SECRET=`). */
function envExampleVariables(): Set<string> {
  const source = readFileSync(join(ROOT, '.env.example'), 'utf8');
  return new Set([...source.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? ''));
}

describe('deploy/: every YAML file parses into manifests', () => {
  it('finds the expected files', () => {
    const names = yamlFiles.map((f) => relative(DEPLOY, f));
    for (const expected of [
      'dapr/components/statestore.yaml',
      'k8s/namespace.yaml',
      'k8s/configmap.yaml',
      'k8s/secret.example.yaml',
      'k8s/deployment-api.yaml',
      'k8s/deployment-worker.yaml',
      'k8s/service.yaml',
      'k8s/kustomization.yaml',
    ]) {
      assert.ok(names.includes(expected), `deploy/${expected} is missing`);
    }
  });

  it('every document has an apiVersion and a kind', () => {
    assert.ok(manifests.length >= yamlFiles.length);
    for (const { file, value } of manifests) {
      assert.ok(text(value, 'apiVersion'), `${file}: a document without apiVersion`);
      assert.ok(text(value, 'kind'), `${file}: a document without kind`);
    }
  });

  it('everything namespaced lives in the mastery namespace', () => {
    named('Namespace', 'mastery');
    for (const { file, value } of manifests) {
      if (value['kind'] === 'Namespace' || value['kind'] === 'Kustomization') continue;
      assert.equal(text(value, 'metadata', 'namespace'), 'mastery', `${file}: ${String(value['kind'])} outside the mastery namespace`);
    }
  });
});

describe('deploy/dapr: the components', () => {
  it('the state store is mastery-state, state.redis v1, with keyPrefix none and no default TTL', () => {
    const store = named('Component', 'mastery-state');
    assert.equal(text(store.value, 'apiVersion'), 'dapr.io/v1alpha1');
    assert.equal(text(store.value, 'spec', 'type'), 'state.redis');
    assert.equal(text(store.value, 'spec', 'version'), 'v1');
    assert.equal(metadataValue(store, 'keyPrefix'), 'none', 'Dapr keys must be exactly the engine keys of events.md');
    assert.equal(metadataValue(store, 'actorStateStore'), 'false');
    assert.equal(metadataValue(store, 'enableTLS'), 'false');
    assert.ok(metadataValue(store, 'redisHost'), 'redisHost is set');
    assert.ok(!componentMetadata(store).has('ttlInSeconds'), 'the engine sends ttlInSeconds per write; no component default');
    const password = componentMetadata(store).get('redisPassword');
    assert.ok(password, 'redisPassword is set');
    assert.equal(password['value'], undefined, 'the Redis password is never a literal');
    assert.ok(text(password, 'secretKeyRef', 'name') && text(password, 'secretKeyRef', 'key'), 'redisPassword comes from a secretKeyRef');
  });

  it('has no pub/sub component: the engine talks to Kafka itself (docs/decisions.md, Dapr)', () => {
    assert.deepEqual(
      ofKind('Component').map((c) => text(c.value, 'spec', 'type')),
      ['state.redis'],
    );
  });

  it('the components are scoped to the app-ids the Deployments use', () => {
    const appIds = ofKind('Deployment').map((d) => annotation(d, 'dapr.io/app-id'));
    for (const component of ofKind('Component')) {
      const scopes = list(component.value, 'scopes');
      for (const id of appIds) assert.ok(scopes.includes(id), `${component.file}: ${String(id)} is not in scopes`);
    }
  });

  it('the resiliency policy retries no state call: daprd would retry writes refused for their ETag, and each retry counts for the breaker', () => {
    for (const resiliency of ofKind('Resiliency')) {
      assert.equal(at(resiliency.value, 'spec', 'targets', 'components', 'mastery-state', 'outbound', 'retry'), undefined, resiliency.file);
    }
  });

  it('the resiliency policy targets components that exist', () => {
    const componentNames = ofKind('Component').map((c) => text(c.value, 'metadata', 'name'));
    for (const resiliency of ofKind('Resiliency')) {
      const targets = at(resiliency.value, 'spec', 'targets', 'components');
      assert.ok(isMapping(targets), `${resiliency.file}: no component targets`);
      for (const name of Object.keys(targets)) {
        assert.ok(componentNames.includes(name), `${resiliency.file}: targets unknown component ${name}`);
      }
    }
  });

  it('the ConfigMap points the engine at the state store component', () => {
    const config = named('ConfigMap', 'mastery-config');
    assert.equal(text(config.value, 'data', 'MASTERY_DAPR_STORE'), 'mastery-state');
    assert.equal(text(config.value, 'data', 'MASTERY_DAPR_URL'), 'http://127.0.0.1:3500');
    assert.equal(text(config.value, 'data', 'HOST'), '0.0.0.0', 'probes and the Service reach the pod from outside the container');
  });
});

describe('deploy/k8s: the Deployments', () => {
  const api = named('Deployment', 'mastery-api');
  const worker = named('Deployment', 'mastery-worker');

  it('each Deployment has a Dapr sidecar with its own app-id', () => {
    const ids = new Set<unknown>();
    for (const deployment of ofKind('Deployment')) {
      assert.equal(annotation(deployment, 'dapr.io/enabled'), 'true', `${deployment.file}: dapr.io/enabled must be the string "true"`);
      const id = annotation(deployment, 'dapr.io/app-id');
      assert.ok(typeof id === 'string' && id.length > 0, `${deployment.file}: dapr.io/app-id`);
      assert.ok(!ids.has(id), `${deployment.file}: app-id ${id} is used twice`);
      ids.add(id);
    }
    assert.equal(annotation(api, 'dapr.io/app-id'), 'mastery-engine');
    assert.equal(annotation(api, 'dapr.io/app-port'), '8080');
    assert.equal(annotation(worker, 'dapr.io/app-id'), 'mastery-worker');
  });

  it('the API probes /healthz for liveness and /readyz for readiness, on its port 8080', () => {
    const [container, ...others] = containers(api);
    assert.ok(container);
    assert.equal(others.length, 0, 'one application container (the sidecar is injected by Dapr)');
    assert.deepEqual(list(container, 'args'), ['serve']);
    const ports = mappings(container, 'ports');
    const portOf = (probe: string): unknown => {
      const port = at(container, probe, 'httpGet', 'port');
      return typeof port === 'string' ? ports.find((p) => p['name'] === port)?.['containerPort'] : port;
    };
    assert.equal(text(container, 'livenessProbe', 'httpGet', 'path'), '/healthz');
    assert.equal(text(container, 'readinessProbe', 'httpGet', 'path'), '/readyz');
    assert.equal(portOf('livenessProbe'), 8080);
    assert.equal(portOf('readinessProbe'), 8080);
  });

  it('the API migrates the database in an init container', () => {
    const [migrate] = containers(api, 'initContainers');
    assert.ok(migrate, 'an init container');
    assert.deepEqual(list(migrate, 'args'), ['migrate']);
  });

  it('the worker runs `mastery worker`', () => {
    const [container] = containers(worker);
    assert.ok(container);
    assert.deepEqual(list(container, 'args'), ['worker']);
  });

  it('every container runs as non-root on a read-only root filesystem, with requests and limits', () => {
    for (const deployment of ofKind('Deployment')) {
      assert.equal(at(deployment.value, 'spec', 'template', 'spec', 'securityContext', 'runAsNonRoot'), true, deployment.file);
      for (const container of [...containers(deployment, 'initContainers'), ...containers(deployment)]) {
        const where = `${deployment.file}: ${String(container['name'])}`;
        assert.equal(at(container, 'securityContext', 'readOnlyRootFilesystem'), true, where);
        assert.equal(at(container, 'securityContext', 'allowPrivilegeEscalation'), false, where);
        for (const bound of ['requests', 'limits']) {
          assert.ok(at(container, 'resources', bound, 'cpu') && at(container, 'resources', bound, 'memory'), `${where}: resources.${bound}`);
        }
        const mounts = mappings(container, 'volumeMounts').map((m) => m['mountPath']);
        assert.ok(mounts.includes('/data') && mounts.includes('/tmp'), `${where}: writable /data and /tmp`);
      }
    }
  });

  it('the containers read the ConfigMap and the Secret that deploy/ defines', () => {
    const configMaps = ofKind('ConfigMap').map((m) => text(m.value, 'metadata', 'name'));
    const secrets = ofKind('Secret').map((m) => text(m.value, 'metadata', 'name'));
    for (const deployment of ofKind('Deployment')) {
      for (const container of [...containers(deployment, 'initContainers'), ...containers(deployment)]) {
        const from = mappings(container, 'envFrom');
        const where = `${deployment.file}: ${String(container['name'])}`;
        assert.ok(
          from.some((f) => configMaps.includes(text(f, 'configMapRef', 'name'))),
          `${where}: envFrom the ConfigMap`,
        );
        assert.ok(
          from.some((f) => secrets.includes(text(f, 'secretRef', 'name'))),
          `${where}: envFrom the Secret`,
        );
      }
    }
  });

  it('the Service sends port 80 to the API pods on 8080', () => {
    const service = named('Service', 'mastery-api');
    assert.equal(text(service.value, 'spec', 'type'), 'ClusterIP');
    const selector = at(service.value, 'spec', 'selector');
    const labels = at(api.value, 'spec', 'template', 'metadata', 'labels');
    assert.ok(isMapping(selector) && isMapping(labels));
    for (const [key, value] of Object.entries(selector)) assert.equal(labels[key], value, `selector ${key}`);
    const [port] = mappings(service.value, 'spec', 'ports');
    assert.ok(port);
    assert.equal(port['port'], 80);
    const [container] = containers(api);
    const target = port['targetPort'];
    const targetNumber = typeof target === 'string' ? mappings(container, 'ports').find((p) => p['name'] === target)?.['containerPort'] : target;
    assert.equal(targetNumber, 8080);
  });

  it('kustomization.yaml lists every manifest of deploy/k8s except the secret example', () => {
    const kustomization = ofKind('Kustomization')[0];
    assert.ok(kustomization);
    const resources = list(kustomization.value, 'resources');
    const k8sFiles = yamlFiles
      .filter((f) => relative(DEPLOY, f).startsWith('k8s/'))
      .map((f) => relative(join(DEPLOY, 'k8s'), f))
      .filter((f) => f !== 'kustomization.yaml');
    for (const file of k8sFiles) {
      if (file === 'secret.example.yaml') {
        assert.ok(!resources.includes(file), 'applying the example would overwrite the real Secret');
      } else {
        assert.ok(resources.includes(file), `kustomization.yaml does not list ${file}`);
      }
    }
    for (const resource of resources) assert.ok(k8sFiles.includes(String(resource)), `kustomization.yaml lists a missing ${String(resource)}`);
  });
});

describe('deploy/: only variables the engine reads', () => {
  const known = new Set([...envExampleVariables(), ...PRODUCTION_VARIABLES]);

  it('.env.example is read (sanity)', () => {
    for (const name of ['PORT', 'HOST', 'MASTERY_DATA_DIR', 'MASTERY_JWT_SECRET', 'LOG_LEVEL']) {
      assert.ok(known.has(name), `${name} should be found in .env.example`);
    }
  });

  it('every ConfigMap key, Secret key and container env entry is a known variable', () => {
    const names: { where: string; name: string }[] = [];
    for (const { file, value } of ofKind('ConfigMap')) {
      for (const name of Object.keys(at(value, 'data') ?? {})) names.push({ where: `${file} data`, name });
    }
    for (const { file, value } of ofKind('Secret')) {
      for (const section of ['data', 'stringData']) {
        for (const name of Object.keys(at(value, section) ?? {})) names.push({ where: `${file} ${section}`, name });
      }
    }
    for (const deployment of ofKind('Deployment')) {
      for (const container of [...containers(deployment, 'initContainers'), ...containers(deployment)]) {
        for (const entry of mappings(container, 'env')) {
          names.push({ where: `${deployment.file} env`, name: String(entry['name']) });
        }
      }
    }
    assert.ok(names.length > 0);
    for (const { where, name } of names) {
      assert.ok(known.has(name), `${where}: ${name} is not a variable of .env.example nor of the production mode`);
    }
  });

  it('every MASTERY_* name written anywhere under deploy/, comments and README included, is known', () => {
    for (const path of deployFiles) {
      for (const [name] of readFileSync(path, 'utf8').matchAll(/\bMASTERY_[A-Z0-9_]+\b/g)) {
        assert.ok(known.has(name), `${relative(ROOT, path)} names ${name}, which the engine does not read`);
      }
    }
  });
});

describe('Dockerfile', () => {
  /** Instructions as [KEYWORD, arguments], continuation lines joined, comments dropped. */
  const instructions = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line): [string, string] => {
      const space = line.search(/\s/);
      return space === -1 ? [line.toUpperCase(), ''] : [line.slice(0, space).toUpperCase(), line.slice(space).trim()];
    });
  const lastFrom = instructions.map(([keyword]) => keyword).lastIndexOf('FROM');
  const runtime = instructions.slice(lastFrom);
  const last = (keyword: string): string | undefined => runtime.filter(([k]) => k === keyword).at(-1)?.[1];

  it('is multi-stage on a Node 20 image', () => {
    const froms = instructions.filter(([k]) => k === 'FROM').map(([, args]) => args);
    assert.ok(froms.length >= 2, 'a build stage and a runtime stage');
    const nodeVersion = instructions.find(([k, args]) => k === 'ARG' && args.startsWith('NODE_VERSION='))?.[1].split('=')[1];
    for (const from of froms) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's own ${NODE_VERSION}, not a template.
      const image = from.replace('${NODE_VERSION}', nodeVersion ?? '${NODE_VERSION}');
      assert.match(image, /^node:20(-slim|-alpine)?\s/, `FROM ${from}`);
    }
  });

  it('the runtime stage runs as a non-root user', () => {
    const user = last('USER');
    assert.ok(user, 'the runtime stage sets USER');
    assert.ok(!/^(root|0)(:.*)?$/.test(user), `USER ${user} is root`);
  });

  it('the ENTRYPOINT runs dist/cli/main.js, the package bin, with node and the service node flags; the default command is serve', () => {
    const entrypoint: unknown = JSON.parse(last('ENTRYPOINT') ?? 'null');
    assert.deepEqual(entrypoint, ['node', ...SERVICE_NODE_FLAGS, 'dist/cli/main.js']);
    const pkg: unknown = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(text(pkg, 'bin', 'mastery'), 'dist/cli/main.js');
    assert.deepEqual(JSON.parse(last('CMD') ?? 'null'), ['serve']);
  });

  it('installs only production dependencies, exposes 8080 and checks /healthz', () => {
    assert.ok(
      runtime.some(([k, args]) => k === 'RUN' && args.includes('npm ci --omit=dev')),
      'npm ci --omit=dev in the runtime stage',
    );
    assert.equal(last('EXPOSE'), '8080');
    assert.ok(last('HEALTHCHECK')?.includes('/healthz'));
  });
});

describe('the Dapr release the suite tests', () => {
  const pinned = /^DAPR_VERSION=(\S+)$/m.exec(readFileSync(join(ROOT, 'scripts', 'ensure-daprd.sh'), 'utf8'))?.[1];

  it('is the one README.md and deploy/README.md name', () => {
    assert.match(pinned ?? '', /^\d+\.\d+\.\d+$/, 'scripts/ensure-daprd.sh pins DAPR_VERSION');
    for (const doc of ['README.md', 'deploy/README.md']) {
      assert.ok(readFileSync(join(ROOT, doc), 'utf8').includes(`Dapr ${pinned}`), `${doc} names Dapr ${pinned}`);
    }
  });
});
