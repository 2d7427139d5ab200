/**
 * Summarises a .cpuprofile (node --cpu-prof) to the top functions by self time:
 * `node --import tsx bench/summarize-profile.ts FILE [TOP]`.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: summarize-profile.ts FILE.cpuprofile [TOP]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = profile.endTime - profile.startTime;
const agg = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '');
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ''}`;
  agg.set(key, (agg.get(key) ?? 0) + us);
}
const rows = [...agg].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25));
console.log(`profile ${file}: ${(total / 1e6).toFixed(1)} s wall`);
console.log('self ms   self %  function  location');
for (const [key, us] of rows) console.log(`${(us / 1000).toFixed(0).padStart(7)}  ${((100 * us) / total).toFixed(1).padStart(6)}%  ${key}`);
// By area: which part of the code (or dependency) the self time lands in.
const areas = new Map<string, number>();
for (const [key, us] of agg) {
  const loc = key.split('  ')[1] ?? '';
  const area =
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(loc)?.[1] ??
    (/^src\/([^/]+)/.exec(loc)?.[1]
      ? `src/${/^src\/([^/]+)/.exec(loc)![1]}`
      : loc.startsWith('node:')
        ? 'node internals'
        : key.startsWith('(')
          ? key.split('  ')[0]!
          : 'other');
  areas.set(area, (areas.get(area) ?? 0) + us);
}
console.log('\nself time by area');
for (const [area, us] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, 15))
  console.log(`${(us / 1000).toFixed(0).padStart(7)}  ${((100 * us) / total).toFixed(1).padStart(6)}%  ${area}`);
