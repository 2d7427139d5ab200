import { signHs256 } from '../../access/tokens.js';
import { loadConfig } from '../../config.js';
import { STUDENT_SORTS, type StudentSort, type StudentSummary } from '../../queries/student-queries.js';
import { resolveJwtSecret } from '../../runtime/jwt-secret.js';
import { parseFlags, wantsHelp } from '../parse-flags.js';
import { callService } from '../service-client.js';
import { UsageError } from '../usage-error.js';

const USAGE = `usage: mastery students [--needs-help] [--sort forecast] [--as-of YYYY-MM-DD] [--limit 100] [--token JWT] [--url URL]

Prints the students a token may see (GET /v1/students) as a table: score, level, the seed's
trend, the learner model's score in 7 days with its 80 % interval, and whether they need help.
--needs-help keeps only those the forecast says need help; --sort orders by ${STUDENT_SORTS.join(', ')}
(lowest first; a leading - for highest first; default: forecast with --needs-help, else student_id).
Without --token it signs a short-lived admin token with the service's secret (MASTERY_JWT_SECRET,
or the one the embedded service keeps in its data folder): an operator's view of every student.
With a teacher's token, the access rule shows their class only.`;

const COLUMNS = 'student          score  level        trend      in 7 days (80 %)       needs help';

function row(s: StudentSummary): string {
  const f = s.forecast;
  const interval = `${f.score_in_7_days.toFixed(3)} (${f.low.toFixed(3)}–${f.high.toFixed(3)})`;
  return `${s.student_id.padEnd(16)} ${s.mastery_score.toFixed(3)}  ${s.level.padEnd(12)} ${(s.trend ?? '–').padEnd(10)} ${interval.padEnd(22)} ${s.needs_help ? 'yes' : ''}`;
}

export async function studentsCommand(args: string[]): Promise<void> {
  const flags = parseFlags(
    args,
    {
      'needs-help': { type: 'boolean' },
      sort: { type: 'string' },
      'as-of': { type: 'string' },
      limit: { type: 'string' },
      token: { type: 'string' },
      url: { type: 'string' },
    },
    USAGE,
  );
  if (wantsHelp(flags)) return;
  const sort = flags.values.sort ?? (flags.values['needs-help'] ? 'forecast' : 'student_id');
  if (!(STUDENT_SORTS as readonly string[]).includes(sort)) throw new UsageError(`--sort must be one of ${STUDENT_SORTS.join(', ')}, not ${sort}`);
  const config = loadConfig();
  const base = (flags.values.url ?? `http://${config.host}:${config.port}`).replace(/\/$/, '');
  const token = flags.values.token ?? (await signHs256(await resolveJwtSecret(config), { role: 'admin', sub: 'mastery-cli', expiresIn: '5m' }));
  const query = new URLSearchParams({ sort: sort as StudentSort, limit: flags.values.limit ?? '100' });
  if (flags.values['needs-help']) query.set('needs_help', 'true');
  if (flags.values['as-of'] !== undefined) query.set('as_of', flags.values['as-of']);
  const list = (await callService(`${base}/v1/students?${query}`, token)) as { as_of: string; total: number; students: StudentSummary[] };

  const out = process.stdout;
  const what = flags.values['needs-help'] ? 'need help' : 'known';
  out.write(
    `${list.total} student${list.total === 1 ? '' : 's'} ${what} as of ${list.as_of}${list.students.length < list.total ? ` (the first ${list.students.length} shown; --limit for more)` : ''}\n`,
  );
  if (list.students.length === 0) return;
  out.write(`\n${COLUMNS}\n`);
  for (const s of list.students) out.write(`${row(s)}\n`);
}
