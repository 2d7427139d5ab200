import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { childProcessBase } from '../config/test-environment.js';

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

/** The `mastery` command as a user runs it, from source (no build needed), in a child process. */
export function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    // The fixtures (worked example B…) are from January 2026: keep them inside retention
    // whatever today's date is. Tests of retention set their own.
    env: { ...childProcessBase(), MASTERY_RETENTION_DAYS: '36500', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs the command to its end; resolves with its exit code and output. */
export async function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdin!.end(stdin ?? '');
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Starts `mastery serve` on a free port and resolves with its base URL once it listens. */
export async function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawnCli(['serve'], { PORT: '0', LOG_LEVEL: 'info', ...env });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      log += d;
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m) resolve(m[1]!);
    });
    child.stderr!.on('data', (d: Buffer) => (log += d));
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening:\n${log}`)));
  });
  const stop = async () => {
    // A child already gone (exited, or killed by a signal) would never emit 'exit' again.
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  return { url, child, stop };
}
