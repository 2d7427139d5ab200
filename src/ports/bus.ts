import type { Forecast } from '../model/learner/forecast.js';
import type { ComponentValues, Level, Recommendation } from '../model/types.js';

/** The output event of events.md, one per changed student per batch. */
export interface MasteryUpdated {
  event_id: string;
  event_type: 'mastery.updated';
  timestamp: string;
  student_id: string;
  mastery_score: number;
  level: Level;
  components: ComponentValues;
  recommendations: Recommendation[];
  /** The 7-day forecast as of the same moment (learner-model §4). */
  forecast: Forecast;
}

export type UpdateListener = (update: MasteryUpdated) => void;

/** Where results go out (an in-process emitter, or Kafka's mastery.updated). */
export interface Bus {
  publish(updates: readonly MasteryUpdated[]): Promise<void>;
  /** Listens to the updates this process sees; returns the function that stops listening. */
  subscribe(listener: UpdateListener): () => void;
  close(): Promise<void>;
}
