import { instantKey } from '../../model/instant.js';
import type { LearningEvent } from '../../model/learning-event.js';
import type { EventLog } from '../../ports/event-log.js';
import { eventJson } from '../encoding/event-json.js';
import type { SqlClient } from './sql-client.js';

/*
 * A batch travels as one jsonb parameter and is unpacked by jsonb_to_recordset: one statement
 * and one round trip for any batch size, in PostgreSQL and in PGlite alike. Each element is the
 * event's own JSON and its instant; the columns are read out of the event by the database, so
 * the text to send and parse holds every field once. The new students are those without a row
 * the statement did not insert itself: the rest of a statement does not see what its
 * data-modifying CTE wrote, so NOT EXISTS looks at the log as it was before the batch.
 */
const APPEND = `
  WITH inserted AS (
    INSERT INTO mastery_events (event_id, student_id, event_type, component, topic, occurred_at, event)
    SELECT (r.e->>'event_id')::uuid, r.e->>'student_id', r.e->>'event_type',
      CASE WHEN r.e->>'event_type' = 'mastery.calculation.requested' THEN r.e->>'component' END,
      r.e->>'topic', r.at, r.e
    FROM jsonb_to_recordset($1::jsonb) AS r(at timestamptz, e jsonb)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id, student_id
  )
  SELECT event_id, NULL AS new_student FROM inserted
  UNION ALL
  SELECT NULL, s.student_id FROM (SELECT DISTINCT student_id FROM inserted) AS s
  WHERE NOT EXISTS (SELECT 1 FROM mastery_events m WHERE m.student_id = s.student_id)`;

const READ_STUDENT = `
  SELECT event FROM mastery_events WHERE student_id = $1 ORDER BY occurred_at, event_id`;

const NEXT_STUDENTS = `
  SELECT DISTINCT student_id FROM mastery_events WHERE student_id > $1 ORDER BY student_id LIMIT $2`;

const READ_EVENTS = `
  SELECT event FROM mastery_events WHERE event_id = ANY($1::uuid[])`;

const READ_LATEST = `
  SELECT event FROM mastery_events ORDER BY received_at DESC, event_id DESC LIMIT $1`;

const ERASE_STUDENT = `DELETE FROM mastery_events WHERE student_id = $1 RETURNING event_id`;

const PURGE_BEFORE = `DELETE FROM mastery_events WHERE occurred_at < $1 RETURNING student_id, event_id`;

const LIST_STUDENTS = `
  SELECT student_id, count(*) OVER () AS total
  FROM (SELECT DISTINCT student_id FROM mastery_events) AS s
  ORDER BY student_id OFFSET $1 LIMIT $2`;

const COUNT_STUDENTS = `SELECT count(DISTINCT student_id) AS total FROM mastery_events`;

const READ_STUDENTS = `
  SELECT student_id, event FROM mastery_events WHERE student_id = ANY($1::text[])
  ORDER BY student_id, occurred_at, event_id`;

/** A batch as APPEND's parameter. */
function appendPayload(events: readonly LearningEvent[]): string {
  // PostgreSQL keeps microseconds and would round the rest: truncate instead, so that an instant
  // just below a purge cutoff stays below it, as in every other store. An instant key holds
  // only digits and separators: nothing to escape.
  return `[${events.map((e) => `{"at":"${instantKey(e.timestamp).slice(0, 26)}Z","e":${eventJson(e)}}`).join(',')}]`;
}

/** The event log over any SqlClient (PGlite embedded, PostgreSQL in production). */
export function createSqlEventLog(db: SqlClient): EventLog {
  async function readGrouped(ids: string[]): Promise<Map<string, LearningEvent[]>> {
    const grouped = new Map<string, LearningEvent[]>();
    if (ids.length === 0) return grouped;
    for (const r of await db.query<{ student_id: string; event: LearningEvent }>(READ_STUDENTS, [ids])) {
      const list = grouped.get(r.student_id);
      if (list) list.push(r.event);
      else grouped.set(r.student_id, [r.event]);
    }
    return grouped;
  }

  return {
    async append(events) {
      if (events.length === 0) return { stored: new Set(), newStudents: new Set() };
      // Rows go in in event_id order, so that two batches sharing ids take their locks in the
      // same order and cannot deadlock each other.
      const sorted = [...events].sort((a, b) => (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));
      const rows = await db.query<{ event_id: string | null; new_student: string | null }>(APPEND, [appendPayload(sorted)]);
      const stored = new Set<string>();
      const newStudents = new Set<string>();
      for (const r of rows) {
        if (r.event_id !== null) stored.add(r.event_id);
        else newStudents.add(r.new_student!);
      }
      return { stored, newStudents };
    },

    async readStudent(studentId) {
      const rows = await db.query<{ event: LearningEvent }>(READ_STUDENT, [studentId]);
      return rows.map((r) => r.event);
    },

    async readStudents(studentIds) {
      return readGrouped([...studentIds]);
    },

    async readEvents(eventIds) {
      if (eventIds.length === 0) return [];
      return (await db.query<{ event: LearningEvent }>(READ_EVENTS, [[...eventIds]])).map((r) => r.event);
    },

    async readLatest(limit) {
      return (await db.query<{ event: LearningEvent }>(READ_LATEST, [limit])).map((r) => r.event);
    },

    async listStudents({ offset, limit }) {
      const rows = await db.query<{ student_id: string; total: string | number }>(LIST_STUDENTS, [offset, limit]);
      // Past the last page the window has no row to carry the total: count separately.
      const total = rows.length > 0 ? rows[0]!.total : (await db.query<{ total: string | number }>(COUNT_STUDENTS))[0]!.total;
      return { studentIds: rows.map((r) => r.student_id), total: Number(total) };
    },

    async *scanStudents(pageSize = 500) {
      let after = '';
      for (;;) {
        const ids = (await db.query<{ student_id: string }>(NEXT_STUDENTS, [after, pageSize])).map((r) => r.student_id);
        if (ids.length === 0) return;
        const byStudent = await readGrouped(ids);
        yield ids.map((studentId) => ({ studentId, events: byStudent.get(studentId) ?? [] }));
        after = ids[ids.length - 1]!;
      }
    },

    async eraseStudent(studentId) {
      return (await db.query<{ event_id: string }>(ERASE_STUDENT, [studentId])).map((r) => r.event_id);
    },

    async purgeBefore(instant) {
      const purged = new Map<string, string[]>();
      for (const r of await db.query<{ student_id: string; event_id: string }>(PURGE_BEFORE, [instant])) {
        const ids = purged.get(r.student_id);
        if (ids) ids.push(r.event_id);
        else purged.set(r.student_id, [r.event_id]);
      }
      return purged;
    },

    async ping() {
      await db.query('SELECT 1');
    },

    close: () => db.close(),
  };
}
