// `npm run openapi`: writes the OpenAPI document the service serves (docs/openapi.json) and the
// client types generated from it (examples/mastery-api.d.ts). Run it after changing a route's
// schema; src/http/openapi-document.e2e.spec.ts fails until both are written again.
import { writeFile } from 'node:fs/promises';
import { CLIENT_TYPES_FILE, clientTypesOf, OPENAPI_FILE, openApiText, repoPath } from '../src/testing/openapi-document.js';

const document = await openApiText();
await writeFile(repoPath(OPENAPI_FILE), document);
await writeFile(repoPath(CLIENT_TYPES_FILE), await clientTypesOf(document));
console.log(`wrote ${OPENAPI_FILE} and ${CLIENT_TYPES_FILE}`);
