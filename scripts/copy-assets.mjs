// The dashboard's page, script and styles are served as they are: the build copies them next to
// the compiled code, which the TypeScript compiler alone would not.
import { cpSync } from 'node:fs';

cpSync('src/dashboard/public', 'dist/dashboard/public', { recursive: true });
