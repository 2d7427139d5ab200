/**
 * One process per embedded data folder: the lock as openEngine takes it on a real PGlite
 * folder, against a second opener in this process and in another one, and after a crash.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../config.js';
import { openEngine } from './engine.js';

const logger = pino({ level: 'silent' });
const folders: string[] = [];
after(() => Promise.all(folders.map((f) => rm(f, { recursive: true, force: true }))));

async function freshFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'mastery-lock-'));
  folders.push(folder);
  return folder;
}

const configFor = (dataDir: string) =>
  loadConfig({ MASTERY_DATA_DIR: dataDir, MASTERY_JWT_SECRET: 'lock-spec-secret-0123456789abcdef-0123456789', MASTERY_PURGE_INTERVAL_MINUTES: '0' });

describe('the embedded data folder belongs to one process at a time', () => {
  it('a second opener is refused, saying who holds it and what to use instead; once closed, the folder opens again', async () => {
    const dataDir = await freshFolder();
    const first = await openEngine(configFor(dataDir), logger);
    try {
      await assert.rejects(openEngine(configFor(dataDir), logger), (error: Error) => {
        assert.match(error.message, new RegExp(`is in use by process ${process.pid} `));
        assert.match(error.message, /use its HTTP API \(and \/mcp for MCP tools\)/);
        return true;
      });
    } finally {
      await first.close();
    }
    const again = await openEngine(configFor(dataDir), logger);
    await again.close();
  });

  it('a lock left by a process that is gone (kill -9) is taken over', async () => {
    const dataDir = await freshFolder();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const deadPid = child.pid!;
    child.kill('SIGKILL');
    await once(child, 'exit');
    await writeFile(join(dataDir, 'pglite.lock'), JSON.stringify({ pid: deadPid, command: 'mastery serve', since: '2026-12-01T00:00:00Z' }));

    const engine = await openEngine(configFor(dataDir), logger);
    try {
      assert.equal(JSON.parse(await readFile(join(dataDir, 'pglite.lock'), 'utf8')).pid, process.pid);
    } finally {
      await engine.close();
    }
  });

  it('a lock held by another live process is respected', async () => {
    const dataDir = await freshFolder();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      await writeFile(join(dataDir, 'pglite.lock'), JSON.stringify({ pid: holder.pid, command: 'mastery serve', since: '2026-12-01T00:00:00Z' }));
      await assert.rejects(openEngine(configFor(dataDir), logger), new RegExp(`in use by process ${holder.pid} \\(mastery serve`));
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
