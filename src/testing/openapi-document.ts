/**
 * The committed OpenAPI document and the client types generated from it: how they are built,
 * where they live. `npm run openapi` writes both (scripts/write-openapi.ts); a spec fails when
 * either is stale. Test-only: it builds the app over the in-memory adapters.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { Registry } from 'prom-client';
import { testApp } from './test-app.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The document as committed, relative to the repository's root. */
export const OPENAPI_FILE = 'docs/openapi.json';

/** The TypeScript types of the API, generated from the committed document with openapi-typescript. */
export const CLIENT_TYPES_FILE = 'examples/mastery-api.d.ts';

/** The command that writes both files again. */
export const REGENERATE = 'npm run openapi';

export function repoPath(relative: string): string {
  return ROOT + relative;
}

/**
 * The document the service serves at /docs/json, as the committed file holds it (two-space
 * JSON and a final newline). The app has a metrics registry so that /metrics is in it, as it is
 * in `mastery serve`.
 */
export async function openApiText(): Promise<string> {
  const { app } = await testApp({ registry: new Registry() });
  try {
    await app.ready();
    return JSON.stringify(app.swagger(), null, 2) + '\n';
  } finally {
    await app.close();
  }
}

/** openapi-typescript's types for a document's text, with its do-not-edit header. */
export async function clientTypesOf(documentText: string): Promise<string> {
  const ast = await openapiTS(JSON.parse(documentText) as OpenAPI3, { alphabetize: false });
  return COMMENT_HEADER + astToString(ast);
}

export async function committed(relative: string): Promise<string | undefined> {
  return readFile(repoPath(relative), 'utf8').catch(() => undefined);
}
