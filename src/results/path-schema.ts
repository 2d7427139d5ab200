import Type from 'typebox';
import { ComponentName, DayString, Unit } from './mastery-result-schema.js';
import { StudentScope } from './student-result-schemas.js';

/** The adaptive learning path (mastery-model.md §8). */
export const LearningPath = Type.Object({
  ...StudentScope,
  as_of: DayString,
  path: Type.Array(Type.String(), { description: 'the steps to take, weakest component first' }),
  weak_components: Type.Array(Type.Object({ component: ComponentName, value: Unit })),
  weak_topics: Type.Array(Type.Object({ topic: Type.String(), mastery_score: Unit, weak_components: Type.Array(ComponentName), p_known: Unit })),
  focus_topic: Type.Union([Type.Object({ topic: Type.String(), p_known: Unit }), Type.Null()], {
    description: 'the least known topic (learner model), named as recommendations name topics: overall, with two topics or more; else null',
  }),
});
