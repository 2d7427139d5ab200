import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The page's own files (HTML, one ES module, CSS). They are not TypeScript, so `tsc` does not
 * copy them: next to this module when the build copied them (dist/dashboard/public), else the
 * sources' folder (running from source, or a build that did not copy them).
 */
export function dashboardRoot(): string {
  const candidates = [fileURLToPath(new URL('./public/', import.meta.url)), fileURLToPath(new URL('../../src/dashboard/public/', import.meta.url))];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error(`the dashboard's files are missing; looked in ${candidates.join(' and ')}`);
  return found;
}

/** uPlot's distributed files, served as they are from node_modules (no bundler, no CDN). */
function uplotRoot(): string {
  return dirname(createRequire(import.meta.url).resolve('uplot/package.json')) + '/dist/';
}

/** The only two of uPlot's files the page loads. */
const UPLOT_FILES = new Set(['/uPlot.esm.js', '/uPlot.min.css']);

/**
 * Scripts, styles and data only from this origin; no inline script, no framing. uPlot sizes its
 * elements through the CSSOM (element.style), which a style-src policy does not restrict.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * The teacher dashboard: a static single page at `/`, its assets under `/dashboard/` and uPlot
 * under `/dashboard/vendor/uplot/`. Everything it shows comes from the /v1 JSON API and the
 * /v1/stream events, called from the browser with the token the user pastes; nothing here
 * needs a token (the page holds no data).
 */
export async function registerDashboard(app: FastifyInstance): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply: FastifyReply, payload) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
      return payload;
    });

    await scope.register(fastifyStatic, {
      root: dashboardRoot(),
      prefix: '/dashboard/',
      // Routes for the files present at start-up only: an unknown path is the API's 404.
      wildcard: false,
      index: false,
      // Revalidated on every load: a new version of the page is seen at once.
      cacheControl: false,
      setHeaders: (reply) => reply.header('cache-control', 'no-cache'),
    });

    await scope.register(fastifyStatic, {
      root: uplotRoot(),
      prefix: '/dashboard/vendor/uplot/',
      decorateReply: false,
      wildcard: false,
      index: false,
      allowedPath: (pathName) => UPLOT_FILES.has(pathName),
      maxAge: '1d',
    });

    scope.get('/', { schema: { hide: true } }, (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
  });
}
