/**
 * Seeded generator of valid learning events for the benchmarks: the four components plus
 * activity.recorded, several topics, a share of duplicates (event ids sent again), and batches
 * that each touch about `studentsPerBatch` students. The same options give the same events
 * (only `now` moves the timestamps).
 */
import { seededRandom } from '../src/demo/seeded-random.js';
import type { WireEvent } from '../src/testing/wire-events.js';

export type { WireEvent };

export const BENCH_SEED = 20_260_101;

export const BENCH_TOPICS = [
  'python.basics',
  'python.loops',
  'python.functions',
  'python.lists',
  'python.classes',
  'python.dicts',
  'python.errors',
  'python.modules',
] as const;

export interface GenerateOptions {
  /** Events to send in all, duplicates included. */
  totalEvents: number;
  /** Size of the student population. */
  students: number;
  batchSize?: number;
  /** Students a batch touches (about). */
  studentsPerBatch?: number;
  /** Share of the events that are re-sent ids of earlier events. */
  duplicateRate?: number;
  /** Timestamps fall within this many days before `now`. */
  days?: number;
  seed?: number;
  now?: Date;
  /** Share of the new events that are response.recorded answers (default 0: the seed's mix alone). */
  responseShare?: number;
  /**
   * Share of the answers that arrive late, at any instant of the span like the other events
   * (default 1: all of them). The others follow each student's own clock forward, as a tutor
   * sends answers while they happen.
   */
  lateAnswerShare?: number;
}

export const studentId = (i: number) => `bench-${String(i).padStart(6, '0')}`;

function uuid(random: () => number): string {
  const hex = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(random() * 16).toString(16);
    return s;
  };
  const variant = '89ab'[Math.floor(random() * 4)]!;
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

const round2 = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;

/** Yields batches lazily, so a million events never sit in memory at once. */
export function* generateBatches(options: GenerateOptions): Generator<WireEvent[]> {
  const batchSize = options.batchSize ?? 1000;
  const perBatch = Math.min(options.studentsPerBatch ?? 100, options.students);
  const duplicateRate = options.duplicateRate ?? 0.02;
  const days = options.days ?? 7;
  const random = seededRandom(options.seed ?? BENCH_SEED);
  // A minute before now at the latest: the service refuses events from the future.
  const latest = (options.now ?? new Date()).getTime() - 60_000;
  const span = days * 86_400_000;
  // Recently sent events, to re-send as duplicates.
  const sent: WireEvent[] = [];
  const SENT_KEEP = 5000;
  let remaining = options.totalEvents;
  let cursor = 0;
  // Each student's answer clock: it starts at the span's beginning and, on average, reaches its
  // end with the student's last answer.
  const answersPerStudent = Math.max(1, (options.totalEvents * (options.responseShare ?? 0)) / options.students);
  const answerClocks = new Map<string, number>();
  const answerTime = (student: string) => {
    if (random() < (options.lateAnswerShare ?? 1)) return latest - Math.floor(random() * span);
    const next = Math.min(latest, (answerClocks.get(student) ?? latest - span) + Math.floor((span / answersPerStudent) * (0.5 + random())));
    answerClocks.set(student, next);
    return next;
  };

  while (remaining > 0) {
    const size = Math.min(batchSize, remaining);
    remaining -= size;
    // The batch's students: a run of the population from a moving cursor with a random jump,
    // so that over the run every student is touched and a batch holds ~perBatch of them.
    cursor = (cursor + perBatch + Math.floor(random() * perBatch)) % options.students;
    const batchStudents: string[] = [];
    for (let i = 0; i < perBatch; i++) batchStudents.push(studentId((cursor + i) % options.students));

    const batch: WireEvent[] = [];
    for (let i = 0; i < size; i++) {
      if (sent.length > 0 && random() < duplicateRate) {
        batch.push(sent[Math.floor(random() * sent.length)]!);
        continue;
      }
      const student = batchStudents[Math.floor(random() * batchStudents.length)]!;
      const event =
        random() < (options.responseShare ?? 0)
          ? makeResponse(random, student, answerTime(student))
          : makeEvent(random, student, latest - Math.floor(random() * span));
      batch.push(event);
      if (sent.length < SENT_KEEP) sent.push(event);
      else sent[Math.floor(random() * SENT_KEEP)] = event;
    }
    yield batch;
  }
}

/** One answer: 30 items a topic, right more often for easier items, a tenth of them second attempts. */
export function makeResponse(random: () => number, student: string, at: number): WireEvent {
  const topic = BENCH_TOPICS[Math.floor(random() * BENCH_TOPICS.length)]!;
  const item = Math.floor(random() * 30);
  return {
    event_id: uuid(random),
    event_type: 'response.recorded',
    timestamp: new Date(at).toISOString(),
    student_id: student,
    topic,
    metadata: { source: 'mastery-bench', version: '1.0' },
    data: { item_id: `${topic}:q${item}`, correct: random() < 0.85 - item / 50, attempt: random() < 0.1 ? 2 : 1, seconds: Math.round(5 + random() * 60) },
  };
}

export function makeEvent(random: () => number, student: string, at: number): WireEvent {
  const topic = BENCH_TOPICS[Math.floor(random() * BENCH_TOPICS.length)]!;
  const base = {
    event_id: uuid(random),
    timestamp: new Date(at).toISOString(),
    student_id: student,
    topic,
    metadata: { source: 'mastery-bench', version: '1.0' },
  };
  const skill = 0.3 + random() * 0.7;
  const r = random();
  if (r < 0.15) return { ...base, event_type: 'activity.recorded', data: {} };
  const requested = 'mastery.calculation.requested' as const;
  if (r < 0.45) {
    const total = 10 + Math.floor(random() * 20);
    return {
      ...base,
      event_type: requested,
      component: 'completion',
      data: { total_exercises: total, completed_exercises: Math.floor(total * skill), difficulty: random() < 0.5 ? 'beginner' : 'intermediate' },
    };
  }
  if (r < 0.7) {
    return {
      ...base,
      event_type: requested,
      component: 'quiz',
      data: {
        total_questions: 10,
        correct_answers: Math.round(10 * skill),
        avg_time_seconds: Math.round(4 + skill * 14 + random() * 10),
        attempts: 1 + Math.floor(random() * 3),
      },
    };
  }
  if (r < 0.88) {
    const q = () => round2(skill + (random() - 0.5) * 0.2);
    return { ...base, event_type: requested, component: 'quality', data: { avg_code_quality: q(), correctness: q(), efficiency: q() } };
  }
  return { ...base, event_type: requested, component: 'consistency', data: {} };
}

/** Counts what a run will send, by kind: a check of the mix, used by `--scenario mix`. */
export function describeMix(options: GenerateOptions): Record<string, number> {
  const counts: Record<string, number> = {};
  const ids = new Set<string>();
  for (const batch of generateBatches(options)) {
    for (const e of batch) {
      const key = e.component ?? e.event_type;
      counts[key] = (counts[key] ?? 0) + 1;
      if (ids.has(e.event_id)) counts.duplicates = (counts.duplicates ?? 0) + 1;
      ids.add(e.event_id);
    }
  }
  return counts;
}
