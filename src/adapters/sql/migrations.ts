import type { SqlClient } from './sql-client.js';

/**
 * Schema changes, oldest first, each applied once and recorded in mastery_migrations. Ids are
 * timestamped so that migrations written on different branches order themselves.
 */
export const MIGRATIONS: ReadonlyArray<{ id: string; sql: string }> = [
  {
    id: '20261126-0001-events',
    // COLLATE "C": student ids page and sort by code point, as every other store orders them.
    sql: `
      CREATE TABLE mastery_events (
        event_id    uuid        PRIMARY KEY,
        student_id  text        COLLATE "C" NOT NULL,
        event_type  text        NOT NULL,
        component   text,
        topic       text        NOT NULL,
        occurred_at timestamptz NOT NULL,
        event       jsonb       NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX mastery_events_student_time ON mastery_events (student_id, occurred_at);
    `,
  },
  {
    id: '20261126-0002-events-by-arrival',
    // Start-up recovery reads the most recently logged events.
    sql: `CREATE INDEX mastery_events_received ON mastery_events (received_at)`,
  },
  {
    id: '20261126-0003-audit-and-privacy',
    sql: `
      CREATE TABLE mastery_audit (
        id         bigserial   PRIMARY KEY,
        at         timestamptz NOT NULL,
        actor      text        NOT NULL,
        role       text        NOT NULL,
        student_id text        COLLATE "C",
        action     text        NOT NULL,
        outcome    text        NOT NULL,
        request_id text        NOT NULL,
        detail     jsonb
      );
      CREATE INDEX mastery_audit_student ON mastery_audit (student_id, id);
      CREATE INDEX mastery_audit_actor ON mastery_audit (actor, id);
      CREATE INDEX mastery_audit_at ON mastery_audit (at);
      CREATE TABLE mastery_privacy (
        student_id text        COLLATE "C" PRIMARY KEY,
        consent    boolean,
        consent_at timestamptz,
        erased_at  timestamptz
      );
      CREATE INDEX mastery_privacy_erased ON mastery_privacy (student_id) WHERE erased_at IS NOT NULL;
    `,
  },
  {
    id: '20261202-0004-learner-params',
    // One row per fit; the newest id is the active version (learner-model §3).
    sql: `
      CREATE TABLE mastery_learner_params (
        id        bigserial   PRIMARY KEY,
        fitted_at timestamptz NOT NULL,
        answers   integer     NOT NULL,
        params    jsonb       NOT NULL
      );
    `,
  },
  {
    id: '20261203-0005-audit-students',
    // A class-wide read is one entry naming the students it covered; the GIN index finds a
    // student's among them (students @> ARRAY[id]).
    sql: `
      ALTER TABLE mastery_audit ADD COLUMN students text[];
      CREATE INDEX mastery_audit_students ON mastery_audit USING gin (students) WHERE students IS NOT NULL;
    `,
  },
];

/** An arbitrary constant that keeps two processes from migrating the same database at once. */
const MIGRATION_LOCK = 72_917_301;

/** Applies the migrations the database has not seen yet; returns their ids. */
export async function migrate(db: SqlClient): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query('CREATE TABLE IF NOT EXISTS mastery_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await tx.query<{ id: string }>('SELECT id FROM mastery_migrations')).map((r) => r.id));
    const applied: string[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.id)) continue;
      for (const statement of m.sql
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean))
        await tx.query(statement);
      await tx.query('INSERT INTO mastery_migrations (id) VALUES ($1)', [m.id]);
      applied.push(m.id);
    }
    return applied;
  });
}
