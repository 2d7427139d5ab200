import { assertCanReadAudit } from '../access/access-rule.js';
import type { Caller } from '../access/caller.js';
import type { EngineDeps } from '../pipeline/engine-deps.js';
import type { AuditEntry, AuditFilter } from '../ports/audit-trail.js';

/** GET /v1/audit: the trail for admins, newest first, filtered and paged. */
export async function readAudit(
  deps: EngineDeps,
  caller: Caller,
  filter: AuditFilter,
): Promise<{ entries: AuditEntry[]; next: string | null }> {
  assertCanReadAudit(caller.principal);
  return deps.audit.query(filter);
}
