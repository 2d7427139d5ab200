import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getJson } from '../testing/http-json.js';
import { runCli, startServer } from '../testing/run-cli.js';

const LEVEL_RANK = ['beginner', 'developing', 'competent', 'proficient', 'expert'];

interface Knowledge {
  student_id: string;
  model_version: string;
  topics: Array<{ topic: string; p_known: number; p_correct: number; responses: number; last_response_at: string | null }>;
}

interface Forecast {
  score_in_7_days: number;
  low: number;
  high: number;
  needs_help: boolean;
  method: string;
  model_version: string;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

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
    const sent = /sent (\d+) events \((\d+) answers\) for 30 students: (\d+) accepted, 0 duplicate, 0 rejected/.exec(first.stdout);
    assert.ok(sent, first.stdout);
    assert.equal(sent[1], sent[3]);
    assert.ok(Number(sent[2]) > 30 * 10, `${sent[2]} answers`);

    const rows = first.stdout
      .split('\n')
      .map((line) => /^(stu-\d{3})\s+(\w+)\s+([\d.]+)\s+(\w+)\s+\S+\s+([\d.]+)/.exec(line))
      .filter((m) => m !== null);
    assert.equal(rows.length, 30);
    const meanScore = (profile: string) => {
      const scores = rows.filter((r) => r[2] === profile).map((r) => Number(r[3]));
      return scores.reduce((a, b) => a + b, 0) / scores.length;
    };
    assert.ok(meanScore('strong') > meanScore('average') && meanScore('average') > meanScore('struggling'));
    const levels = new Set(rows.map((r) => LEVEL_RANK.indexOf(r[4]!)));
    assert.ok(levels.size >= 3, 'a class spreads over at least three levels');
    for (const r of rows) assert.ok(Number(r[5]) >= 0 && Number(r[5]) <= 1, `${r[1]}'s forecast ${r[5]}`);

    // The printed teacher token reads the learner model's view of every student.
    const token = /A teacher token for this class \(8 hours\):\n(\S+)\n/.exec(first.stdout)?.[1];
    assert.ok(token, first.stdout);
    const pKnown = new Map<string, number>();
    for (const r of rows) {
      const knowledge = await getJson(`${server.url}/v1/students/${r[1]}/knowledge`, token);
      assert.equal(knowledge.status, 200, JSON.stringify(knowledge.body));
      const k = knowledge.body as Knowledge;
      assert.equal(k.student_id, r[1]);
      const answered = k.topics.filter((t) => t.responses > 0);
      assert.ok(answered.length >= 1, `${r[1]} has knowledge from answers: ${JSON.stringify(k)}`);
      for (const t of k.topics) assert.ok(t.p_known >= 0 && t.p_known <= 1 && t.p_correct >= 0 && t.p_correct <= 1, JSON.stringify(t));
      pKnown.set(r[1]!, mean(answered.map((t) => t.p_known)));

      const prediction = await getJson(`${server.url}/v1/students/${r[1]}/prediction`, token);
      assert.equal(prediction.status, 200, JSON.stringify(prediction.body));
      const forecast = (prediction.body as { forecast: Forecast }).forecast;
      assert.ok(forecast.low <= forecast.score_in_7_days && forecast.score_in_7_days <= forecast.high, JSON.stringify(forecast));
      assert.equal(forecast.score_in_7_days.toFixed(3), r[5], `${r[1]}: the printed forecast is the prediction's`);
      assert.equal(forecast.needs_help, forecast.score_in_7_days < 0.5 || forecast.high < 0.6);
      assert.equal(forecast.model_version, k.model_version);
    }
    const meanKnown = (profile: string) => mean(rows.filter((r) => r[2] === profile).map((r) => pKnown.get(r[1]!)!));
    assert.ok(meanKnown('strong') > meanKnown('struggling'), `p_known: strong ${meanKnown('strong')}, struggling ${meanKnown('struggling')}`);

    const second = await runCli(['demo', '--url', server.url], { MASTERY_DATA_DIR: dataDir });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, new RegExp(`sent ${sent[1]} events \\(${sent[2]} answers\\) for 30 students: 0 accepted, ${sent[1]} duplicate`));
  });

  it('mastery students --needs-help prints who needs help, lowest forecast first; a teacher token shows its class only', async () => {
    const env = { MASTERY_DATA_DIR: dataDir };
    // Runs after the demo above has fed the class.
    const all = await runCli(['students', '--url', server.url, '--limit', '1000'], env);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^30 students known as of \d{4}-\d{2}-\d{2}\n/);
    const rowsOf = (text: string) =>
      [...text.matchAll(/^(stu-\d{3})\s+([\d.]+)\s+\w+\s+\S+\s+([\d.]+) \(([\d.]+)–([\d.]+)\)\s*(yes)?$/gm)].map((m) => ({
        id: m[1]!,
        forecast: Number(m[3]),
        needsHelp: m[6] === 'yes',
      }));
    const everyone = rowsOf(all.stdout);
    assert.equal(everyone.length, 30);
    const expected = everyone.filter((r) => r.needsHelp);
    assert.ok(expected.length > 0 && expected.length < 30, `some, not all, need help: ${expected.length}`);

    const helped = await runCli(['students', '--url', server.url, '--needs-help', '--limit', '1000'], env);
    assert.equal(helped.code, 0, helped.stderr);
    assert.match(helped.stdout, new RegExp(`^${expected.length} students? need help as of`));
    const rows = rowsOf(helped.stdout);
    assert.deepEqual(new Set(rows.map((r) => r.id)), new Set(expected.map((r) => r.id)));
    assert.ok(
      rows.every((r, i) => i === 0 || rows[i - 1]!.forecast <= r.forecast),
      'lowest forecast first',
    );

    const token = (await runCli(['token', '--role', 'teacher', '--sub', 't-cli', '--students', 'stu-001,stu-002,stu-003'], env)).stdout.trim();
    const mine = await runCli(['students', '--url', server.url, '--token', token], env);
    assert.equal(mine.code, 0, mine.stderr);
    assert.deepEqual(
      rowsOf(mine.stdout).map((r) => r.id),
      ['stu-001', 'stu-002', 'stu-003'],
    );

    const bad = await runCli(['students', '--url', server.url, '--sort', 'name'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--sort must be one of student_id, mastery_score/);
  });

  it('says what to do when no service answers', async () => {
    const r = await runCli(['demo', '--url', 'http://127.0.0.1:9'], { MASTERY_DATA_DIR: dataDir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /start it first with "npm start"/);
  });
});
