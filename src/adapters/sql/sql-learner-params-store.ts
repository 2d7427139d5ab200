import type { LearnerParamsStore } from '../../ports/learner-params-store.js';
import { decodeParams, encodeParams } from '../encoding/learner-params-json.js';
import type { SqlClient } from './sql-client.js';

interface Row {
  id: string | number;
  fitted_at: Date | string;
  params: string | object;
}

const versionOf = (id: string | number) => `v${id}`;

/** Parameter versions in the event-log database: one row each, numbered by the database. */
export function createSqlLearnerParamsStore(db: SqlClient): LearnerParamsStore {
  return {
    async save(fitted, fittedAt) {
      const [row] = await db.query<Row>(
        'INSERT INTO mastery_learner_params (fitted_at, answers, params) VALUES ($1, $2, $3::jsonb) RETURNING id, fitted_at, params',
        [fittedAt, fitted.answers, encodeParams(fitted)],
      );
      return decodeParams(row!.params, versionOf(row!.id), new Date(row!.fitted_at).toISOString());
    },

    async latest() {
      const [row] = await db.query<Row>('SELECT id, fitted_at, params FROM mastery_learner_params ORDER BY id DESC LIMIT 1');
      return row === undefined ? null : decodeParams(row.params, versionOf(row.id), new Date(row.fitted_at).toISOString());
    },

    async latestVersion() {
      const [row] = await db.query<{ id: string | number }>('SELECT id FROM mastery_learner_params ORDER BY id DESC LIMIT 1');
      return row === undefined ? null : versionOf(row.id);
    },
  };
}
