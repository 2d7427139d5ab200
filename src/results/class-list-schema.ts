import Type from 'typebox';
import { DayString, Level, Unit } from './mastery-result-schema.js';
import { Trend } from './prediction-schemas.js';
import { TopicScore } from './student-result-schemas.js';

/** One student of the class list: the HTTP list shows all of it, the MCP at-risk tool a part. */
export const StudentSummary = Type.Object({
  student_id: Type.String(),
  mastery_score: Unit,
  level: Level,
  trend: Type.Union([Trend, Type.Null()]),
  prediction: Type.Union([Unit, Type.Null()]),
  intervention_needed: Type.Boolean(),
  forecast: Type.Object({ score_in_7_days: Unit, low: Unit, high: Unit }),
  needs_help: Type.Boolean({ description: "the learner model's forecast says so" }),
  topics: Type.Array(TopicScore, { description: "each topic's own score and level, in name order" }),
});

export const StudentList = Type.Object({
  as_of: DayString,
  total: Type.Integer(),
  students: Type.Array(StudentSummary),
});
