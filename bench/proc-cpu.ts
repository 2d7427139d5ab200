import { readFileSync } from 'node:fs';

/** USER_HZ: 100 on every Linux this runs on. */
export const TICKS_PER_SECOND = 100;

/** A process's command name and CPU time so far (utime + stime of all its threads, in ticks); undefined once it has exited. */
export function processTicks(pid: number): { comm: string; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
    return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return undefined;
  }
}
