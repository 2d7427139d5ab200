import Type from 'typebox';
import { DayString, Level, MasteryResult, Unit } from './mastery-result-schema.js';

/** The per-student results (mastery, history, knowledge), as the HTTP API and the MCP tools give them. */

/** Whose result, and for which topic. */
export const StudentScope = {
  student_id: Type.String(),
  topic: Type.Union([Type.String(), Type.Null()], { description: 'null: the overall roll-up' }),
};

/** A topic's own score and level, as the overall roll-up and the class list name them. */
export const TopicScore = Type.Object({ topic: Type.String(), mastery_score: Unit, level: Level });

export const StudentMastery = Type.Intersect([
  Type.Object({ ...StudentScope, as_of: DayString }),
  MasteryResult,
  Type.Object({
    topics: Type.Optional(Type.Array(TopicScore, { description: 'overall roll-up only: each topic on its own' })),
  }),
]);

export const StudentHistory = Type.Object({
  ...StudentScope,
  days: Type.Array(Type.Intersect([Type.Object({ date: DayString }), MasteryResult])),
});

export const StudentKnowledge = Type.Object({
  student_id: Type.String(),
  as_of: Type.String({ description: 'the date or date-time asked for' }),
  model_version: Type.String(),
  topics: Type.Array(
    Type.Object({
      topic: Type.String(),
      p_known: Type.Number({ minimum: 0, maximum: 1, description: 'probability the topic is known' }),
      p_correct: Type.Number({ minimum: 0, maximum: 1, description: 'probability the next first-attempt answer on it is right' }),
      responses: Type.Integer({ minimum: 0 }),
      last_response_at: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});
