import { createHash } from 'node:crypto';
import { addDays, dayOfInstant, type Day } from '../model/days.js';
import { seededRandom } from './seeded-random.js';

/** How a kind of student works: how often, how well, and whether they stop. */
interface Profile {
  name: 'strong' | 'average' | 'struggling' | 'lapsing';
  share: number;
  activeChance: number;
  skill: number;
  /** Days before the end after which the student does nothing more. */
  stopsDaysBeforeEnd?: number;
}

const PROFILES: readonly Profile[] = [
  { name: 'strong', share: 0.3, activeChance: 0.9, skill: 0.9 },
  { name: 'average', share: 0.35, activeChance: 0.7, skill: 0.72 },
  { name: 'struggling', share: 0.2, activeChance: 0.55, skill: 0.45 },
  { name: 'lapsing', share: 0.15, activeChance: 0.85, skill: 0.7, stopsDaysBeforeEnd: 8 },
];

export const DEMO_TOPICS = ['python.basics', 'python.loops', 'python.functions', 'python.lists', 'python.classes'] as const;

export interface DemoOptions {
  students: number;
  days: number;
  seed: number;
  /** The generated class's "now": the last events are just before it. */
  now: Date;
}

export interface DemoStudent {
  student_id: string;
  profile: Profile['name'];
}

/** A UUID-shaped id derived from a name, so a rerun of the same demo sends the same ids. */
function stableUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const round2 = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;

/**
 * A class of students over the last `days` days: strong, average, struggling and lapsing ones,
 * working through several topics, as events of the engine's envelope.
 */
export function generateClass(options: DemoOptions): { students: DemoStudent[]; events: object[] } {
  const random = seededRandom(options.seed);
  // The last day is the one an hour ago, and its events stop a minute before now, so no
  // event lies in the future even just after midnight.
  const latest = options.now.getTime() - 60_000;
  const lastDay = dayOfInstant(options.now.getTime() - 3_600_000);
  const firstDay = addDays(lastDay, -(options.days - 1));
  const students: DemoStudent[] = [];
  const events: object[] = [];
  let counter = 0;
  const id = () => stableUuid(`demo|${options.seed}|${lastDay}|${counter++}`);

  for (let s = 0; s < options.students; s++) {
    const profile = pick(PROFILES, random);
    const studentId = `stu-${String(s + 1).padStart(3, '0')}`;
    students.push({ student_id: studentId, profile: profile.name });
    const skill = profile.skill + (random() - 0.5) * 0.15;
    const completed = new Map<string, number>();
    for (let d = 0; d < options.days; d++) {
      const day: Day = addDays(firstDay, d);
      if (profile.stopsDaysBeforeEnd !== undefined && d >= options.days - profile.stopsDaysBeforeEnd) break;
      if (random() > profile.activeChance) continue;
      // Students move on to the next topic about every five days.
      const topic = DEMO_TOPICS[Math.min(DEMO_TOPICS.length - 1, Math.floor(d / 5))]!;
      const at = (hour: number) => {
        const t = Date.parse(`${day}T${String(hour).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:00Z`);
        return new Date(Math.min(t, latest)).toISOString();
      };
      const base = { student_id: studentId, topic, metadata: { source: 'mastery-demo', version: '1.0' } };
      const done = Math.min(20, (completed.get(topic) ?? 0) + 1 + Math.floor(random() * 6 * skill));
      completed.set(topic, done);
      events.push({ ...base, event_id: id(), event_type: 'activity.recorded', timestamp: at(9), data: {} });
      events.push({
        ...base,
        event_id: id(),
        event_type: 'mastery.calculation.requested',
        timestamp: at(10),
        component: 'completion',
        data: { total_exercises: 20, completed_exercises: done, difficulty: d < 10 ? 'beginner' : 'intermediate' },
      });
      if (random() < 0.6) {
        const growth = (d / options.days) * 0.1;
        events.push({
          ...base,
          event_id: id(),
          event_type: 'mastery.calculation.requested',
          timestamp: at(14),
          component: 'quiz',
          data: {
            total_questions: 10,
            correct_answers: Math.round(10 * round2(skill + growth + (random() - 0.5) * 0.2)),
            avg_time_seconds: Math.round(4 + skill * 14 + random() * 10),
            attempts: 1 + Math.floor(random() * (1.6 - skill) * 2.5),
          },
        });
      }
      if (random() < 0.4) {
        const q = () => round2(skill + (random() - 0.5) * 0.2);
        events.push({
          ...base,
          event_id: id(),
          event_type: 'mastery.calculation.requested',
          timestamp: at(16),
          component: 'quality',
          data: { avg_code_quality: q(), correctness: q(), efficiency: q() },
        });
      }
    }
  }
  return { students, events };
}

function pick(profiles: readonly Profile[], random: () => number): Profile {
  let r = random();
  for (const p of profiles) {
    if (r < p.share) return p;
    r -= p.share;
  }
  return profiles[profiles.length - 1]!;
}
