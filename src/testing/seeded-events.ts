/**
 * Test-only: deterministic classes of valid wire events (a seeded generator, no Math.random,
 * no randomUUID), and small helpers the crash-safety end-to-end tests share: batching, and
 * stopping a `mastery serve` child that may already be dead.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { seededRandom } from '../demo/seeded-random.js';
import type { WireEvent } from './wire-events.js';

/** A version-4 UUID drawn from the generator: the same seed gives the same ids. */
export function seededUuid(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Today's UTC day (YYYY-MM-DD) of an instant. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The `n` UTC days before `at`'s day, oldest first (today is not among them). */
export function daysBefore(at: Date, n: number): string[] {
  const todayMs = Date.parse(`${utcDay(at)}T00:00:00Z`);
  return Array.from({ length: n }, (_, i) => utcDay(new Date(todayMs - (n - i) * 86_400_000)));
}

export interface ClassOptions {
  seed: number;
  /** Student ids are `${prefix}-000`, `${prefix}-001`, … */
  prefix: string;
  students: number;
  topics: readonly string[];
  /** The days events fall on (UTC, YYYY-MM-DD); keep them in the past. */
  days: readonly string[];
  /** The chance that a given kind of event happens for one student, topic and day. */
  density: number;
}

const KINDS = ['completion', 'quiz', 'quality', 'consistency', 'activity'] as const;
const DIFFICULTIES = ['beginner', 'intermediate', 'advanced'] as const;

const int = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const ratio = (random: () => number) => Math.round(random() * 100) / 100;

/**
 * A class of students, each with events of every kind (the four components and
 * activity.recorded) over the given topics and days, all valid, each with a unique event_id.
 * Returned in generation order (student, topic, day, kind); shuffle them to send them mixed.
 */
export function seededClass(options: ClassOptions): WireEvent[] {
  const random = seededRandom(options.seed);
  const events: WireEvent[] = [];
  for (let s = 0; s < options.students; s++) {
    const student_id = `${options.prefix}-${String(s).padStart(3, '0')}`;
    // Each student has a skill of their own, so the class spans every level.
    const skill = 0.2 + 0.75 * random();
    for (const topic of options.topics) {
      for (const day of options.days) {
        for (const kind of KINDS) {
          if (random() >= options.density) continue;
          const time = `${String(int(random, 0, 23)).padStart(2, '0')}:${String(int(random, 0, 59)).padStart(2, '0')}:${String(int(random, 0, 59)).padStart(2, '0')}`;
          const base = { event_id: seededUuid(random), timestamp: `${day}T${time}Z`, student_id, topic };
          const share = (total: number) => Math.min(total, Math.max(0, Math.round(total * (skill + (random() - 0.5) * 0.4))));
          switch (kind) {
            case 'completion': {
              const total = int(random, 5, 30);
              events.push({
                ...base,
                event_type: 'mastery.calculation.requested',
                component: 'completion',
                data: { total_exercises: total, completed_exercises: share(total), difficulty: DIFFICULTIES[int(random, 0, 2)]! },
                metadata: { source: 'exercise-agent', version: '1.0' },
              });
              break;
            }
            case 'quiz': {
              const total = int(random, 5, 20);
              events.push({
                ...base,
                event_type: 'mastery.calculation.requested',
                component: 'quiz',
                data: { total_questions: total, correct_answers: share(total), avg_time_seconds: int(random, 4, 90), attempts: int(random, 1, 3) },
                metadata: { source: 'quiz-agent', version: '1.0' },
              });
              break;
            }
            case 'quality':
              events.push({
                ...base,
                event_type: 'mastery.calculation.requested',
                component: 'quality',
                data: { avg_code_quality: ratio(random), correctness: ratio(random), efficiency: ratio(random) },
                metadata: { source: 'code-review-agent', version: '1.0' },
              });
              break;
            case 'consistency':
              events.push({ ...base, event_type: 'mastery.calculation.requested', component: 'consistency', data: {} });
              break;
            case 'activity':
              events.push({ ...base, event_type: 'activity.recorded', data: {} });
              break;
          }
        }
      }
    }
  }
  return events;
}

/** A Fisher–Yates shuffle driven by a seed: a new array, the same order for the same seed. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Consecutive slices of at most `size` items. */
export function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** True once the child has exited, by a code or by a signal. */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Kills the child at once (SIGKILL: no shutdown hook runs) and resolves when it is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/**
 * Stops the child politely (SIGTERM) and waits up to `graceMs` for it to go; a child that
 * hangs in its shutdown is then killed. Resolves with how it ended: 'already' (it had exited
 * before), 'graceful' or 'killed'.
 */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<'already' | 'graceful' | 'killed'> {
  if (hasExited(child)) return 'already';
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
  const outcome = await Promise.race([exited.then(() => 'exited' as const), late]);
  clearTimeout(timer);
  if (outcome === 'exited') return 'graceful';
  await killHard(child);
  return 'killed';
}
