import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import type { LearningEvent } from '../../model/learning-event.js';
import type { SqlClient } from '../../adapters/sql/sql-client.js';
import { createSqlEventLog } from '../../adapters/sql/sql-event-log.js';

/**
 * The append reads its columns out of each event inside the database: a test that every column
 * holds what the event says, on the database `database` gives.
 */
export function storedColumnsCase(database: () => SqlClient): void {
  it('stores each event whole and its columns read out of it (component only for a component report)', async () => {
    const report: LearningEvent = {
      event_id: randomUUID(),
      event_type: 'mastery.calculation.requested',
      // Below a microsecond: the column truncates, the event keeps the text.
      timestamp: '2026-01-12T09:00:00.1234567+02:00',
      student_id: 'columns-a',
      component: 'quiz',
      topic: 'python.lists',
      data: { total_questions: 10, correct_answers: 7 },
      metadata: { source: 'quiz-agent "v2"', note: 'ünïcode \\ ok' },
    };
    const activity: LearningEvent = {
      event_id: randomUUID(),
      event_type: 'activity.recorded',
      timestamp: '2026-01-13T09:00:00Z',
      student_id: 'columns-a',
      topic: 'general',
      data: {},
    };
    await createSqlEventLog(database()).append([report, activity]);
    const rows = await database().query<Record<string, unknown>>(
      `SELECT event_id::text, student_id, event_type, component, topic,
         to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS occurred_at, event
       FROM mastery_events WHERE student_id = 'columns-a' ORDER BY occurred_at`,
    );
    assert.deepEqual(rows, [
      {
        event_id: report.event_id,
        student_id: 'columns-a',
        event_type: report.event_type,
        component: 'quiz',
        topic: 'python.lists',
        occurred_at: '2026-01-12T07:00:00.123456',
        event: report,
      },
      {
        event_id: activity.event_id,
        student_id: 'columns-a',
        event_type: activity.event_type,
        component: null,
        topic: 'general',
        occurred_at: '2026-01-13T09:00:00.000000',
        event: activity,
      },
    ]);
  });
}
