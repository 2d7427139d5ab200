import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/*
 * One process at a time per embedded data folder: PGlite keeps its database in the process
 * that opened it, so a second `mastery serve` (or `mastery mcp`) on the same folder would start
 * silently and write where the first never looks. The lock is a file created exclusively,
 * holding the owner's pid; one whose process is gone (a crash, kill -9) is taken over.
 */

interface Owner {
  pid: number;
  command: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function ownerOf(lockFile: string): Promise<Owner | null> {
  try {
    return JSON.parse(await readFile(lockFile, 'utf8')) as Owner;
  } catch {
    return null;
  }
}

/** The message for a folder another process holds: who holds it, and what to do instead. */
function inUse(lockFile: string, owner: Owner): Error {
  return new Error(
    `the embedded data folder ${dirname(lockFile)} is in use by process ${owner.pid} (${owner.command}, since ${owner.since}); ` +
      'one process at a time may hold it. Beside a running service, use its HTTP API (and /mcp for MCP tools); ' +
      'or give this process another MASTERY_DATA_DIR, or MASTERY_DATABASE_URL to share PostgreSQL. ' +
      `If no such process runs, remove ${lockFile}.`,
  );
}

/** Takes the lock of the folder `lockFile` sits in; resolves to its release. */
export async function lockDataFolder(lockFile: string): Promise<() => Promise<void>> {
  await mkdir(dirname(lockFile), { recursive: true });
  const me: Owner = { pid: process.pid, command: process.argv.slice(1).join(' ') || 'node', since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await ownerOf(lockFile);
    if (owner !== null && alive(owner.pid)) throw inUse(lockFile, owner);
    // Its owner is gone (or never finished writing it): taken over once; a second loss is a race with another starter.
    if (attempt > 0) throw inUse(lockFile, owner ?? { pid: 0, command: 'another process starting', since: 'now' });
    await rm(lockFile, { force: true });
  }
}
