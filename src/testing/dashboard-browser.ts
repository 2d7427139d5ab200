/**
 * What the dashboard's browser specs share: the real service on the embedded default (PGlite in
 * memory, state in memory, in-process bus) on a free port, tokens for it, Debian's headless
 * Chromium through playwright-core, and screenshots into test-artifacts/dashboard/ (git ignores
 * test-artifacts/).
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createTokenVerifier, signHs256 } from '../access/tokens.js';
import { loadConfig } from '../config.js';
import { registerDashboard } from '../dashboard/register-dashboard.js';
import { installAuthentication } from '../http/authenticate.js';
import { buildApp } from '../http/build-app.js';
import { streamRoutes } from '../http/routes/stream.js';
import { type Engine, openEngine } from '../runtime/engine.js';

const SECRET = 'dashboard-e2e-secret-0123456789abcdef-0123456789';
const ARTIFACTS = new URL('../../test-artifacts/dashboard/', import.meta.url);
const CHROMIUM = '/usr/bin/chromium';

export interface DashboardServer {
  url: string;
  engine: Engine;
  app: FastifyInstance;
}

/**
 * `mastery serve` as serveCommand builds it, in this process. Until build-app.ts registers the
 * dashboard and the stream itself, they are added here exactly as it will; once it does, the
 * test runs against buildApp unchanged.
 */
export async function serveWithDashboard(): Promise<DashboardServer> {
  const config = loadConfig({
    MASTERY_DATA_DIR: ':memory:',
    MASTERY_JWT_SECRET: SECRET,
    MASTERY_RETENTION_DAYS: '36500',
    MASTERY_PURGE_INTERVAL_MINUTES: '0',
    MASTERY_RATE_LIMIT_PER_MINUTE: '0',
    PORT: '0',
  });
  const logger = pino({ level: 'warn' });
  const engine = await openEngine(config, logger);
  const verifyToken = createTokenVerifier({ secret: SECRET, ...config.tokens });
  const app = await buildApp({
    engine: engine.deps,
    ingest: engine.ingest,
    queries: engine.queries,
    verifyToken,
    ready: engine.ready,
    logger,
    limits: config.limits,
  });
  if (!app.hasRoute({ method: 'GET', url: '/' })) await registerDashboard(app);
  if (!app.hasRoute({ method: 'GET', url: '/v1/stream' })) {
    await app.register(
      async (v1) => {
        streamRoutes(v1, engine.deps.bus);
        installAuthentication(v1, verifyToken);
      },
      { prefix: '/v1' },
    );
  }
  app.addHook('onClose', () => engine.close());
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, engine, app };
}

/** A token the server above accepts. */
export const token = (role: 'teacher' | 'service' | 'admin' | 'student', sub: string, students?: string[]) =>
  signHs256(SECRET, { role, sub, ...(students ? { students } : {}), expiresIn: '1h' });

/** Posts events as a producer does, a thousand a request; every one must be accepted. */
export async function postEvents(url: string, serviceToken: string, events: readonly object[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    const res = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(events.slice(i, i + 1000)),
    });
    const body = (await res.json()) as { accepted: number; rejected: number };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.rejected, 0, JSON.stringify(body));
  }
}

/** Debian's Chromium, headless; the screenshots' folder is made on the way. */
export async function launchChromium(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Signs in with the token and waits for the class list. */
export async function signIn(page: Page, url: string, teacherToken: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.fill('#token-input', teacherToken);
  await page.click('#sign-in-form button[type=submit]');
  await page.locator('#student-rows tr').first().waitFor();
}

/** The whole page, or (`fullPage: false`) what the viewport shows, as test-artifacts/dashboard/NAME.png. */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<void> {
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage });
}

/** A box as the page lays it out (getBoundingClientRect). */
export interface Rect {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** The few browser globals the checks in page.evaluate read (this project compiles without the DOM library). */
export interface InPage {
  innerWidth: number;
  innerHeight: number;
  document: {
    documentElement: { scrollWidth: number };
    activeElement: { id: string; closest(selector: string): { getAttribute(name: string): string | null } | null } | null;
    getElementById(id: string): { getBoundingClientRect(): Rect } | null;
    querySelector(selector: string): { getBoundingClientRect(): Rect } | null;
    querySelectorAll(selector: string): ArrayLike<{ className: string; getBoundingClientRect(): Rect }>;
  };
}

/** True while the page is no wider than the viewport: nothing is reached only by scrolling sideways. */
export const noSidewaysScroll = (page: Page): Promise<boolean> =>
  page.evaluate(() => {
    const w = globalThis as unknown as InPage;
    return w.document.documentElement.scrollWidth <= w.innerWidth;
  });
