import { Errors } from '../../errors.js';
import { validCursor } from '../../ports/audit-trail.js';
import type { AuditAction, AuditEntry, AuditTrail } from '../../ports/audit-trail.js';
import type { SqlClient } from './sql-client.js';

const INSERT = `
  INSERT INTO mastery_audit (at, actor, role, student_id, students, action, outcome, request_id, detail)
  SELECT r.at, r.actor, r.role, r.student_id, r.students, r.action, r.outcome, r.request_id, r.detail
  FROM jsonb_to_recordset($1::jsonb) AS r(
    at timestamptz, actor text, role text, student_id text, students text[], action text, outcome text,
    request_id text, detail jsonb)`;

/*
 * The same insert, committed without waiting for the WAL to reach the disk: set_config(…, true)
 * sets synchronous_commit for this statement's own transaction only, in the same round trip. A
 * busy disk (writeback of other files) holds synchronous commits for a long time, and every
 * read would wait on one.
 */
const INSERT_UNFLUSHED = `${INSERT}
  CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS unflushed`;

/** Entries of a change to a student's data: their insert always waits for the WAL flush. */
const CHANGES: ReadonlySet<AuditAction> = new Set(['events.ingest', 'erase', 'consent.update']);

interface Row {
  id: string;
  at: Date;
  actor: string;
  role: AuditEntry['role'];
  student_id: string | null;
  students: string[] | null;
  action: AuditEntry['action'];
  outcome: AuditEntry['outcome'];
  request_id: string;
  detail: AuditEntry['detail'] | null;
}

function entryOf(r: Row): AuditEntry {
  const entry: AuditEntry = {
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    role: r.role,
    student_id: r.student_id,
    action: r.action,
    outcome: r.outcome,
    request_id: r.request_id,
  };
  if (r.students) entry.students = r.students;
  if (r.detail) entry.detail = r.detail;
  return entry;
}

const encodeCursor = (r: Row) => Buffer.from(`${new Date(r.at).toISOString()}|${r.id}`).toString('base64url');

function decodeCursor(cursor: string): [string, string] {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || id === undefined || !validCursor(at, id)) throw Errors.badRequest('cursor is not one this service gave');
  return [at, id];
}

/**
 * The audit trail in the event-log database, written by group commit: one insert at a time,
 * and the entries recorded while it runs go together in the next one. Auditing every read
 * then costs an insert per round trip to the database, however many reads arrive meanwhile
 * (one insert per event-loop turn cost thousands of commits a second at 5,000 reads/s); each
 * caller still waits until its entries are committed.
 *
 * An insert holding only reads' entries commits without waiting for the WAL flush, unless
 * `durableReads`: a crash of the database server (not of this service) can then lose the
 * last fraction of a second of them (PostgreSQL flushes within 3 × wal_writer_delay, 600 ms
 * by default). An insert holding a change's entry waits for the flush, as the change did.
 */
export function createSqlAuditTrail(db: SqlClient, options: { durableReads?: boolean } = {}): AuditTrail {
  let pending: Array<{ entries: readonly AuditEntry[]; done: (error?: unknown) => void }> = [];
  let writing = false;
  const flush = async () => {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        const entries = batch.flatMap((b) => b.entries);
        const flushed = options.durableReads === true || entries.some((e) => CHANGES.has(e.action));
        await db.query(flushed ? INSERT : INSERT_UNFLUSHED, [JSON.stringify(entries)]);
        for (const b of batch) b.done();
      } catch (error) {
        for (const b of batch) b.done(error);
      }
    }
    writing = false;
  };
  return {
    record(entries) {
      if (entries.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        pending.push({ entries, done: (error) => (error === undefined ? resolve() : reject(error)) });
        if (!writing) {
          writing = true;
          // The rest of this turn's entries join the first insert.
          setImmediate(flush);
        }
      });
    },

    async query({ studentId, actor, from, to, limit, cursor }) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (studentId !== undefined) {
        params.push(studentId);
        where.push(`(student_id = $${params.length} OR students @> ARRAY[$${params.length}::text])`);
      }
      if (actor !== undefined) add('actor = ?', actor);
      if (from !== undefined) add('at >= ?', from);
      if (to !== undefined) add('at <= ?', to);
      if (cursor !== undefined) {
        // Newest first by time, then id: ids follow commit order, which concurrent group
        // commits on several connections do not keep. The cursor is the last (at, id) seen.
        const [at, id] = decodeCursor(cursor);
        params.push(at, id);
        where.push(`(at, id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
      }
      params.push(limit + 1);
      const rows = await db.query<Row>(
        `SELECT * FROM mastery_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { entries: page.map(entryOf), next: rows.length > limit && last ? encodeCursor(last) : null };
    },

    async purgeBefore(instant) {
      return (await db.query('DELETE FROM mastery_audit WHERE at < $1 RETURNING id', [instant])).length;
    },
  };
}
