import type { AuditEntry, AuditTrail } from '../../ports/audit-trail.js';

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
      const matching = entries
        .filter(
          (e) =>
            (studentId === undefined || e.student_id === studentId) &&
            (actor === undefined || e.actor === actor) &&
            (from === undefined || at(e) >= Date.parse(from)) &&
            (to === undefined || at(e) <= Date.parse(to)) &&
            (cursor === undefined || e.id < Number(cursor)),
        )
        .reverse();
      const page = matching.slice(0, limit);
      const next = matching.length > limit ? String(page[page.length - 1]!.id) : null;
      return { entries: page.map(({ id: _id, ...e }) => e), next };
    },

    async purgeBefore(instant) {
      const cutoff = Date.parse(instant);
      const before = entries.length;
      for (let i = entries.length - 1; i >= 0; i--) if (Date.parse(entries[i]!.at) < cutoff) entries.splice(i, 1);
      return before - entries.length;
    },
  };
}
