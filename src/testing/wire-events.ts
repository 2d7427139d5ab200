/**
 * Test-only builders of events as a producer sends them over the wire (before validation):
 * shared by the HTTP, pipeline and CLI tests.
 */
import { randomUUID } from 'node:crypto';

export interface WireEvent {
  event_id: string;
  event_type: 'mastery.calculation.requested' | 'activity.recorded' | 'response.recorded';
  timestamp: string;
  student_id: string;
  component?: 'completion' | 'quiz' | 'quality' | 'consistency';
  topic?: string;
  data: Record<string, unknown>;
  metadata?: Record<string, string>;
}

const withTopic = (topic: string | undefined) => (topic === undefined ? {} : { topic });

function requested(
  component: NonNullable<WireEvent['component']>,
  studentId: string,
  timestamp: string,
  data: Record<string, unknown>,
  topic?: string,
): WireEvent {
  return {
    event_id: randomUUID(),
    event_type: 'mastery.calculation.requested',
    timestamp,
    student_id: studentId,
    component,
    ...withTopic(topic),
    data,
    metadata: { source: 'test-harness', version: '1.0' },
  };
}

export const wire = {
  completion: (studentId: string, timestamp: string, data: { total_exercises: number; completed_exercises: number; difficulty?: string }, topic?: string) =>
    requested('completion', studentId, timestamp, data, topic),
  quiz: (
    studentId: string,
    timestamp: string,
    data: { total_questions: number; correct_answers: number; avg_time_seconds?: number; attempts?: number },
    topic?: string,
  ) => requested('quiz', studentId, timestamp, data, topic),
  quality: (studentId: string, timestamp: string, data: { avg_code_quality: number; correctness: number; efficiency: number }, topic?: string) =>
    requested('quality', studentId, timestamp, data, topic),
  consistency: (studentId: string, timestamp: string, topic?: string) => requested('consistency', studentId, timestamp, {}, topic),
  activity: (studentId: string, timestamp: string, topic?: string): WireEvent => ({
    event_id: randomUUID(),
    event_type: 'activity.recorded',
    timestamp,
    student_id: studentId,
    ...withTopic(topic),
    data: {},
  }),
  response: (
    studentId: string,
    timestamp: string,
    data: { item_id: string; correct: boolean; attempt?: number; seconds?: number },
    topic?: string,
  ): WireEvent => ({
    event_id: randomUUID(),
    event_type: 'response.recorded',
    timestamp,
    student_id: studentId,
    ...withTopic(topic),
    data,
  }),
};

/** The active days of mastery-model.md §7 example B. */
export const EXAMPLE_B_DAYS = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-10', '2026-01-11', '2026-01-12'] as const;

/**
 * mastery-model.md §7 example B as events, no topic: consistency events on the active days, and
 * the completion, quiz and quality reports on the last of them (2026-01-12).
 */
export function workedExampleB(studentId: string): WireEvent[] {
  return [
    ...EXAMPLE_B_DAYS.map((day) => wire.consistency(studentId, `${day}T08:00:00Z`)),
    wire.completion(studentId, '2026-01-12T09:00:00Z', { total_exercises: 25, completed_exercises: 20, difficulty: 'intermediate' }),
    wire.quiz(studentId, '2026-01-12T09:30:00Z', { total_questions: 20, correct_answers: 18, avg_time_seconds: 8, attempts: 2 }),
    wire.quality(studentId, '2026-01-12T10:00:00Z', { avg_code_quality: 0.9, correctness: 0.8, efficiency: 0.7 }),
  ];
}
