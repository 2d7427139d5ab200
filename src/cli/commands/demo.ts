import { signHs256 } from '../../access/tokens.js';
import { loadConfig } from '../../config.js';
import { generateClass } from '../../demo/class-generator.js';
import { resolveJwtSecret } from '../../runtime/jwt-secret.js';
import { parseFlags, wantsHelp } from '../parse-flags.js';
import { callService } from '../service-client.js';
import { UsageError } from '../usage-error.js';

const USAGE = `usage: mastery demo [--url URL] [--students 30] [--days 21] [--seed 42]

Feeds a realistic class (strong, average, struggling and lapsing students, several topics, the
last few weeks: exercises, quizzes, code quality and answers to single items) to a running
service through POST /v1/events, then prints the class with its 7-day forecast. The
service must be running (npm start) with the same MASTERY_DATA_DIR or MASTERY_JWT_SECRET.
Running it again sends the same events, which the engine recognises as duplicates.`;

const BATCH = 500;

function positive(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}`);
  return n;
}

export async function demoCommand(args: string[]): Promise<void> {
  const flags = parseFlags(args, { url: { type: 'string' }, students: { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' } }, USAGE);
  if (wantsHelp(flags)) return;
  const config = loadConfig();
  const base = (flags.values.url ?? `http://${config.host}:${config.port}`).replace(/\/$/, '');
  const secret = await resolveJwtSecret(config);
  const { students, events } = generateClass({
    students: positive('students', flags.values.students, 30, 10_000),
    days: positive('days', flags.values.days, 21, 90),
    seed: positive('seed', flags.values.seed, 42, 2 ** 31),
    now: new Date(),
  });

  const service = await signHs256(secret, { role: 'service', sub: 'mastery-demo', expiresIn: '10m' });
  const totals = { accepted: 0, duplicate: 0, rejected: 0 };
  for (let i = 0; i < events.length; i += BATCH) {
    const report = (await callService(`${base}/v1/events`, service, {
      method: 'POST',
      body: JSON.stringify(events.slice(i, i + BATCH)),
    })) as typeof totals;
    totals.accepted += report.accepted;
    totals.duplicate += report.duplicate;
    totals.rejected += report.rejected;
  }
  const out = process.stdout;
  const answers = events.filter((e) => (e as { event_type: string }).event_type === 'response.recorded').length;
  out.write(
    `sent ${events.length} events (${answers} answers) for ${students.length} students: ${totals.accepted} accepted, ${totals.duplicate} duplicate, ${totals.rejected} rejected\n\n`,
  );

  const ids = students.map((s) => s.student_id);
  const teacher = await signHs256(secret, { role: 'teacher', sub: 'demo-teacher', students: ids, expiresIn: '8h' });
  const list = (await callService(`${base}/v1/students?limit=1000`, teacher)) as {
    students: Array<{
      student_id: string;
      mastery_score: number;
      level: string;
      trend: string | null;
      forecast: { score_in_7_days: number };
      needs_help: boolean;
    }>;
  };
  const profileOf = new Map(students.map((s) => [s.student_id, s.profile]));
  // "needs help" is the forecast's (learner-model §4), as in the class view and the at-risk list.
  out.write('student   profile     score  level        trend      in 7 days  needs help\n');
  for (const s of list.students) {
    out.write(
      `${s.student_id.padEnd(9)} ${(profileOf.get(s.student_id) ?? '').padEnd(11)} ${s.mastery_score.toFixed(3)}  ${s.level.padEnd(12)} ${(s.trend ?? '–').padEnd(10)} ${s.forecast.score_in_7_days.toFixed(3)}      ${s.needs_help ? 'yes' : ''}\n`,
    );
  }
  out.write(`\nA teacher token for this class (8 hours):\n${teacher}\n\n`);
  out.write(`Try: curl -H "Authorization: Bearer $TOKEN" ${base}/v1/students/${ids[0]}/mastery\n`);
  out.write(`     curl -H "Authorization: Bearer $TOKEN" ${base}/v1/students/${ids[0]}/knowledge\n`);
}
