import { Errors } from '../../errors.js';
import { validCursor } from '../../ports/audit-trail.js';
import type { AuditEntry, AuditTrail } from '../../ports/audit-trail.js';

function decode(cursor: string): { at: number; id: number } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !validCursor(at, id)) throw Errors.badRequest('cursor is not one this service gave');
  return { at: Date.parse(at), id: Number(id) };
}

/** The audit trail in memory (MASTERY_DATA_DIR=:memory: and tests). */
export function createMemoryAuditTrail(): AuditTrail {
  const entries: Array<AuditEntry & { id: number }> = [];
  let nextId = 1;
  return {
    async record(batch) {
      for (const e of batch) entries.push({ ...structuredClone(e), id: nextId++ });
    },

    async query({ studentId, actor, from, to, limit, cursor }) {
      const at = (e: AuditEntry) => Date.parse(e.at);
      const after = cursor === undefined ? undefined : decode(cursor);
      const matching = entries
        .filter(
          (e) =>
            (studentId === undefined || e.student_id === studentId || e.students?.includes(studentId) === true) &&
            (actor === undefined || e.actor === actor) &&
            (from === undefined || at(e) >= Date.parse(from)) &&
            (to === undefined || at(e) <= Date.parse(to)) &&
            (after === undefined || at(e) < after.at || (at(e) === after.at && e.id < after.id)),
        )
        // Newest first by time, then by arrival, as the SQL trail orders.
        .sort((a, b) => at(b) - at(a) || b.id - a.id);
      const page = matching.slice(0, limit);
      const last = page[page.length - 1];
      const next = matching.length > limit && last ? Buffer.from(`${last.at}|${last.id}`).toString('base64url') : null;
      return { entries: page.map(({ id: _id, ...e }) => structuredClone(e)), next };
    },

    async purgeBefore(instant) {
      const cutoff = Date.parse(instant);
      const before = entries.length;
      for (let i = entries.length - 1; i >= 0; i--) if (Date.parse(entries[i]!.at) < cutoff) entries.splice(i, 1);
      return before - entries.length;
    },
  };
}
