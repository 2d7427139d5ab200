import { ROLES, type Role } from '../../access/principal.js';
import { signHs256 } from '../../access/tokens.js';
import { loadConfig } from '../../config.js';
import { resolveJwtSecret } from '../../runtime/jwt-secret.js';
import { parseFlags, wantsHelp } from '../parse-flags.js';
import { UsageError } from '../usage-error.js';

const USAGE = `usage: mastery token --role ROLE --sub ID [--students ID,ID,…] [--ttl 8h]

Signs a development token (HS256) with the configured secret and prints it.
  --role      ${ROLES.join(', ')}
  --sub       who the token speaks for (a student's id, for the student role)
  --students  for a teacher: the ids of the students in the class
  --ttl       lifetime, e.g. 30m, 8h, 7d (default 8h)`;

export async function tokenCommand(args: string[]): Promise<void> {
  const flags = parseFlags(args, { role: { type: 'string' }, sub: { type: 'string' }, students: { type: 'string' }, ttl: { type: 'string' } }, USAGE);
  if (wantsHelp(flags)) return;
  const { role, sub, students, ttl } = flags.values;
  if (!role || !(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}\n\n${USAGE}`);
  if (!sub) throw new UsageError(`--sub is required\n\n${USAGE}`);
  if (ttl !== undefined && !/^\d+\s*(s|m|h|d|w)$/.test(ttl)) throw new UsageError(`--ttl must look like 30m, 8h or 7d, not "${ttl}"`);
  const token = await signHs256(await resolveJwtSecret(loadConfig()), {
    role: role as Role,
    sub,
    students: students
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    expiresIn: ttl,
  });
  process.stdout.write(`${token}\n`);
}
