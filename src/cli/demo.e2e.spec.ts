import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startServer } from './testing/run-cli.js';

const LEVEL_RANK = ['beginner', 'developing', 'competent', 'proficient', 'expert'];

describe('mastery demo against a running service', () => {
  let dataDir: string;
  let server: Awaited<ReturnType<typeof startServer>>;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mastery-demo-'));
    // No MASTERY_JWT_SECRET: the demo must find the secret the service generated in the data folder.
    server = await startServer({ MASTERY_DATA_DIR: dataDir });
  });
  after(async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('feeds the class through the API and prints meaningful, differing results; a rerun is all duplicates', async () => {
    const first = await runCli(['demo', '--url', server.url], { MASTERY_DATA_DIR: dataDir });
    assert.equal(first.code, 0, first.stderr);
    const sent = /sent (\d+) events for 30 students: (\d+) accepted, 0 duplicate, 0 rejected/.exec(first.stdout);
    assert.ok(sent, first.stdout);
    assert.equal(sent[1], sent[2]);

    const rows = first.stdout
      .split('\n')
      .map((line) => /^(stu-\d{3})\s+(\w+)\s+([\d.]+)\s+(\w+)/.exec(line))
      .filter((m) => m !== null);
    assert.equal(rows.length, 30);
    const meanScore = (profile: string) => {
      const scores = rows.filter((r) => r[2] === profile).map((r) => Number(r[3]));
      return scores.reduce((a, b) => a + b, 0) / scores.length;
    };
    assert.ok(meanScore('strong') > meanScore('average') && meanScore('average') > meanScore('struggling'));
    const levels = new Set(rows.map((r) => LEVEL_RANK.indexOf(r[4]!)));
    assert.ok(levels.size >= 3, 'a class spreads over at least three levels');

    const second = await runCli(['demo', '--url', server.url], { MASTERY_DATA_DIR: dataDir });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, new RegExp(`sent ${sent[1]} events for 30 students: 0 accepted, ${sent[1]} duplicate`));
  });

  it('says what to do when no service answers', async () => {
    const r = await runCli(['demo', '--url', 'http://127.0.0.1:9'], { MASTERY_DATA_DIR: dataDir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /start it first with "npm start"/);
  });
});
