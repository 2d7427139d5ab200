import Type, { type Static } from 'typebox';
import type { MasteryUpdated } from '../ports/bus.js';
import { Level, MasteryFields } from './mastery-result-schema.js';
import { Forecast } from './prediction-schemas.js';

/**
 * The output event of events.md on mastery.updated, of the same pieces as the results the API
 * answers with. schemas/avro/mastery-updated.avsc stays a file of its own (other languages'
 * consumers read it, and Avro names records and documents fields as JSON Schema does not);
 * src/adapters/kafka/mastery-updated-avro.unit.spec.ts holds its fields to this schema.
 */
export const MasteryUpdatedSchema = Type.Object({
  event_id: Type.String(),
  event_type: Type.Literal('mastery.updated'),
  timestamp: Type.String(),
  student_id: Type.String(),
  mastery_score: MasteryFields.mastery_score,
  level: Level,
  components: MasteryFields.components,
  recommendations: MasteryFields.recommendations,
  forecast: Forecast,
});

type Fits<T extends Static<typeof MasteryUpdatedSchema>> = T;
/** The port's type follows the model's types; this fails to compile when an update could break the schema. */
export type UpdateFitsSchema = Fits<MasteryUpdated>;
