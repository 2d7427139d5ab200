/**
 * Test-only harness for the HTTP API: the real app (buildApp) over the in-memory adapters, a
 * clock that stands still, and a token signer that shares the app's secret. It never listens;
 * tests drive it with app.inject() and close it in t.after() / after().
 */
import type { FastifyInstance, LightMyRequestResponse as Response } from 'fastify';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import type { Role } from '../access/principal.js';
import { hs256Verifier, signHs256 } from '../access/tokens.js';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from '../model/model-config.js';
import { memoryDeps } from './memory-deps.js';
import type { EngineDeps, PrivacyPolicy } from '../engine-deps.js';
import { createIngest } from '../pipeline/ingest.js';
import type { MasteryUpdated } from '../ports/bus.js';
import { createStudentQueries } from '../queries/student-queries.js';
import { buildHttpService } from '../cli/http-service.js';

export { EXAMPLE_B_DAYS, wire, workedExampleB, type WireEvent } from './wire-events.js';

/** The HS256 secret the harness verifies with and signs with. */
export const TEST_SECRET = 'mastery-engine-test-secret-0123456789abcdef';

/** The instant the harness clock stands at unless told otherwise. */
export const TEST_NOW = '2026-01-14T12:00:00Z';

export interface TestAppOptions {
  now?: string;
  model?: ModelConfig;
  policy?: Partial<PrivacyPolicy>;
  /** Requests per minute per token; 0 (the default here): no limit. */
  ratePerMinute?: number;
  /** Served at /metrics when given. */
  registry?: Registry;
  /** Ports that replace the in-memory ones (a spec of the SQL adapters behind the real app). */
  ports?: Partial<Pick<EngineDeps, 'log' | 'audit' | 'privacy'>>;
}

export interface TestApp {
  app: FastifyInstance;
  deps: EngineDeps;
  /** A valid HS256 token for this app, valid for an hour. */
  token(role: Role, sub: string, students?: readonly string[]): Promise<string>;
  /** Every mastery.updated the app has published, in order. */
  updates: MasteryUpdated[];
  /** GET with an optional bearer token. */
  get(url: string, token?: string): Promise<Response>;
  /** POST a JSON body (or raw text) with an optional bearer token. */
  post(url: string, body: unknown, token?: string): Promise<Response>;
}

export async function testApp(options: TestAppOptions = {}): Promise<TestApp> {
  const model = options.model ?? DEFAULT_MODEL_CONFIG;
  const deps: EngineDeps = { ...memoryDeps({ now: options.now ?? TEST_NOW, model, policy: options.policy }), ...options.ports };
  const updates: MasteryUpdated[] = [];
  deps.bus.subscribe((update) => updates.push(update));
  const app = await buildHttpService({
    engine: deps,
    ingest: createIngest(deps),
    queries: createStudentQueries(deps),
    verifyToken: hs256Verifier(TEST_SECRET),
    ready: async () => {},
    logger: pino({ level: 'silent' }),
    limits: { ratePerMinute: options.ratePerMinute ?? 0 },
    ...(options.registry ? { registry: options.registry } : {}),
  });
  const auth = (token?: string): Record<string, string> => (token === undefined ? {} : { authorization: `Bearer ${token}` });
  return {
    app,
    deps,
    updates,
    token: (role, sub, students) => signHs256(TEST_SECRET, { role, sub, ...(students ? { students } : {}), expiresIn: '1h' }),
    get: (url, token) => app.inject({ method: 'GET', url, headers: auth(token) }),
    post: (url, body, token) =>
      app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...auth(token) },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Learning events as a producer sends them (events.md), for the HTTP and pipeline tests.

// ---------------------------------------------------------------------------------------------
// Response bodies as the tests read them.

export interface ErrorBodyJson {
  error: { code: string; message: string; details?: Array<{ field: string; message: string }> };
}

/**
 * The API's error shape (api.md): `{ error: { code, message, details? } }` with the given status
 * and code, nothing else at the top level, and never a stack trace.
 */
export function errorOf(res: Response, status: number, code: string): ErrorBodyJson {
  const context = `${res.statusCode} ${res.body}`;
  if (res.statusCode !== status) throw new Error(`expected status ${status}, got ${context}`);
  const body = res.json() as ErrorBodyJson;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'error') throw new Error(`expected only an "error" key: ${context}`);
  if (body.error.code !== code) throw new Error(`expected code ${code}: ${context}`);
  if (typeof body.error.message !== 'string' || body.error.message.length === 0) {
    throw new Error(`expected a message: ${context}`);
  }
  const allowed = new Set(['code', 'message', 'details']);
  for (const key of Object.keys(body.error)) if (!allowed.has(key)) throw new Error(`unexpected error.${key}: ${context}`);
  if (body.error.details !== undefined && !Array.isArray(body.error.details)) throw new Error(`details must be a list: ${context}`);
  if (/\bstack\b|\n\s+at |node_modules|\.ts:\d+/.test(res.body)) throw new Error(`the body leaks a stack trace: ${context}`);
  return body;
}
