import type { CompletionInput, QualityInput, QuizInput } from './types.js';

/** Fields every learning event carries once it has been validated and normalised. */
export interface EventEnvelope {
  /** A UUID in lower case: the idempotency key. */
  event_id: string;
  /** RFC 3339 with an offset, as the producer sent it. */
  timestamp: string;
  student_id: string;
  /** `general` when the producer named none. */
  topic: string;
  metadata?: Record<string, string>;
  retry_count?: number;
}

export type EmptyData = Record<string, never>;

export type CalculationRequested = EventEnvelope & { event_type: 'mastery.calculation.requested' } & (
    | { component: 'completion'; data: CompletionInput }
    | { component: 'quiz'; data: QuizInput }
    | { component: 'quality'; data: QualityInput }
    | { component: 'consistency'; data: EmptyData }
  );

export type ActivityRecorded = EventEnvelope & { event_type: 'activity.recorded'; data: EmptyData };

/** One answer to one item (learner-model §1). */
export interface ResponseData {
  item_id: string;
  correct: boolean;
  /** 1 when absent: only first attempts inform knowledge; later ones mark their day active. */
  attempt?: number;
  seconds?: number;
}

export type ResponseRecorded = EventEnvelope & { event_type: 'response.recorded'; data: ResponseData };

/** A valid learning event (events.md). */
export type LearningEvent = CalculationRequested | ActivityRecorded | ResponseRecorded;

export const EVENT_TYPES = ['mastery.calculation.requested', 'activity.recorded', 'response.recorded'] as const;

/** True for an answer that informs knowledge and the day's quiz input: a first attempt. */
export function isFirstAttempt(event: LearningEvent): event is ResponseRecorded {
  return event.event_type === 'response.recorded' && (event.data.attempt ?? 1) === 1;
}
