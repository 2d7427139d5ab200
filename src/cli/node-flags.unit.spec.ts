import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from './node-flags.js';

/* Every way of starting the service passes the same node flags (the Dockerfile's entrypoint: deploy-files.unit.spec.ts). */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');

describe('the service node flags', () => {
  it('npm start passes them to node before the program', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    assert.equal(scripts.start, ['node', ...SERVICE_NODE_FLAGS, 'dist/cli/main.js', 'serve'].join(' '));
  });

  it('the mastery command carries them on its first line, through env -S', () => {
    assert.equal(read('src/cli/main.ts').split('\n')[0], `#!/usr/bin/env -S node ${SERVICE_NODE_FLAGS.join(' ')}`);
  });

  it('node accepts them, and they give it a larger young generation', () => {
    // A workload whose objects live a while, as a batch's do, and outgrow any default young
    // generation (Node 20's 32 MB, Node 26's 64 MB): the new space grows to what its semi-spaces
    // allow. (node refuses an unknown option: execFileSync throws.)
    const program = `const keep = [];
      for (let i = 0; i < 4e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 400000) keep.length = 0; }
      console.log(require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);`;
    const newSpace = (flags: readonly string[]) => Number(execFileSync(process.execPath, [...flags, '-e', program], { encoding: 'utf8' }));
    const by = newSpace([]);
    const withFlags = newSpace(SERVICE_NODE_FLAGS);
    assert.ok(withFlags > by, `new space ${withFlags} bytes with the flags, ${by} without`);
  });
});
