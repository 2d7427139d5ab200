import type { PrivacyRegistry, PrivacyStatus } from '../../ports/privacy-registry.js';
import type { SqlClient } from './sql-client.js';

interface Row {
  student_id: string;
  consent: boolean | null;
  consent_at: Date | null;
  erased_at: Date | null;
}

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
const statusOf = (r: Row): PrivacyStatus => ({ consent: r.consent, consentAt: iso(r.consent_at), erasedAt: iso(r.erased_at) });

/** Consent and tombstones in the event-log database. */
export function createSqlPrivacyRegistry(db: SqlClient): PrivacyRegistry {
  return {
    async statuses(studentIds) {
      const found = new Map<string, PrivacyStatus>();
      if (studentIds.length === 0) return found;
      const rows = await db.query<Row>('SELECT * FROM mastery_privacy WHERE student_id = ANY($1::text[])', [[...studentIds]]);
      for (const r of rows) found.set(r.student_id, statusOf(r));
      return found;
    },

    async setConsent(studentId, granted, at) {
      // Granting consent lifts a tombstone; withdrawing it leaves one in place.
      const [row] = await db.query<Row>(
        `INSERT INTO mastery_privacy (student_id, consent, consent_at) VALUES ($1, $2, $3)
         ON CONFLICT (student_id) DO UPDATE SET consent = $2, consent_at = $3,
           erased_at = CASE WHEN $2 THEN NULL ELSE mastery_privacy.erased_at END
         RETURNING *`,
        [studentId, granted, at],
      );
      return statusOf(row!);
    },

    async markErased(studentId, at) {
      await db.query(
        `INSERT INTO mastery_privacy (student_id, erased_at) VALUES ($1, $2)
         ON CONFLICT (student_id) DO UPDATE SET consent = NULL, consent_at = NULL, erased_at = $2`,
        [studentId, at],
      );
    },

    async erasedStudents() {
      const rows = await db.query<{ student_id: string }>('SELECT student_id FROM mastery_privacy WHERE erased_at IS NOT NULL ORDER BY student_id');
      return rows.map((r) => r.student_id);
    },
  };
}
