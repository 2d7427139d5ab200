/**
 * Test-only builders for the model's (already validated) learning events, so a test can say
 * "given a completion report of 20 of 25 on 2026-01-12" in one line.
 */
import type { ActivityRecorded, CalculationRequested, LearningEvent, ResponseData, ResponseRecorded } from '../model/learning-event.js';
import { evolveAll } from '../model/fast/evolve-all.js';
import { initialState, type StudentState } from '../model/student-state.js';
import { DEFAULT_TOPIC, type CompletionInput, type QualityInput, type QuizInput } from '../model/types.js';

export const STUDENT = '12345';

let counter = 0;

/** A fresh lower-case UUID; ids grow with each call, so a later-built event has the greater id. */
export function nextEventId(): string {
  counter += 1;
  return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
}

export interface EventOptions {
  topic?: string;
  event_id?: string;
}

function envelope(timestamp: string, options: EventOptions) {
  return {
    event_id: options.event_id ?? nextEventId(),
    timestamp,
    student_id: STUDENT,
    topic: options.topic ?? DEFAULT_TOPIC,
  };
}

export function completionEvent(timestamp: string, data: CompletionInput, options: EventOptions = {}): CalculationRequested {
  return { ...envelope(timestamp, options), event_type: 'mastery.calculation.requested', component: 'completion', data };
}

export function quizEvent(timestamp: string, data: QuizInput, options: EventOptions = {}): CalculationRequested {
  return { ...envelope(timestamp, options), event_type: 'mastery.calculation.requested', component: 'quiz', data };
}

export function qualityEvent(timestamp: string, data: QualityInput, options: EventOptions = {}): CalculationRequested {
  return { ...envelope(timestamp, options), event_type: 'mastery.calculation.requested', component: 'quality', data };
}

export function consistencyEvent(timestamp: string, options: EventOptions = {}): CalculationRequested {
  return { ...envelope(timestamp, options), event_type: 'mastery.calculation.requested', component: 'consistency', data: {} };
}

export function activityEvent(timestamp: string, options: EventOptions = {}): ActivityRecorded {
  return { ...envelope(timestamp, options), event_type: 'activity.recorded', data: {} };
}

export function responseEvent(timestamp: string, data: ResponseData, options: EventOptions = {}): ResponseRecorded {
  return { ...envelope(timestamp, options), event_type: 'response.recorded', data };
}

/** One activity.recorded event at noon UTC on each of the given days. */
export function activeOn(days: readonly string[], options: Omit<EventOptions, 'event_id'> = {}): ActivityRecorded[] {
  return days.map((day) => activityEvent(`${day}T12:00:00Z`, options));
}

/** The state after folding the events, in the order given, into a fresh state. */
export function stateOf(events: readonly LearningEvent[]): StudentState {
  return evolveAll(initialState(STUDENT), events);
}
