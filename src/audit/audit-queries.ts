import { assertCanReadAudit } from '../access/access-rule.js';
import type { Caller } from '../access/caller.js';
import type { EngineDeps } from '../engine-deps.js';
import { audit } from './audit-access.js';
import type { AuditEntry, AuditFilter } from '../ports/audit-trail.js';

/** GET /v1/audit: the trail for admins, newest first, filtered and paged. */
export async function readAudit(deps: EngineDeps, caller: Caller, filter: AuditFilter): Promise<{ entries: AuditEntry[]; next: string | null }> {
  try {
    assertCanReadAudit(caller.principal);
  } catch (error) {
    await audit(deps, caller, filter.studentId ?? null, 'audit.read', 'refused');
    throw error;
  }
  const page = await deps.audit.query(filter);
  // Reading the trail is itself recorded: who looked, and at whom.
  await audit(deps, caller, filter.studentId ?? null, 'audit.read', 'allowed', { entries: page.entries.length });
  return page;
}
