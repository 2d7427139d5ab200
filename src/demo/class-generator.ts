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

/** Items in each topic's bank; a student works through them in order and then around again. */
const ITEMS_PER_TOPIC = 12;
/** Active days before stopping on which a lapsing student's answers already get worse. */
const FADING_DAYS = 4;

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

/** The demo's item ids: `python.loops:q07`. */
export const demoItemId = (topic: string, index: number) => `${topic}:q${String(index + 1).padStart(2, '0')}`;

/**
 * The chance that a student gets a first attempt right: their skill less a start-up gap that
 * practice on the topic closes, a little harder or easier by item, and worse while a lapsing
 * student is fading out.
 */
function chanceCorrect(skill: number, practised: number, item: number, fading: boolean): number {
  const learning = Math.min(0.2, 0.04 * practised * skill);
  const itemShift = ((item % 4) - 1.5) * 0.04;
  const p = skill - 0.15 + learning - itemShift - (fading ? 0.3 : 0);
  return Math.min(0.97, Math.max(0.05, p));
}

/** A UUID-shaped id derived from a name, so a rerun of the same demo sends the same ids. */
function stableUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const round2 = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;

/**
 * A class of students over the last `days` days: strong, average, struggling and lapsing ones,
 * working through several topics, as events of the engine's envelope: exercises, quizzes, code
 * quality, and their answers to single items (response.recorded), right about as often as their
 * profile makes them.
 */
export function generateClass(options: DemoOptions): { students: DemoStudent[]; events: object[] } {
  const random = seededRandom(options.seed);
  // Answers draw from a stream of their own, so the other events are the ones a class had
  // before the demo sent answers, number for number.
  const answerRandom = seededRandom(options.seed ^ 0x5eed_a115);
  // The last day is the one an hour ago, and its events stop a minute before now, so no
  // event lies in the future even just after midnight.
  const latest = options.now.getTime() - 60_000;
  const lastDay = dayOfInstant(options.now.getTime() - 3_600_000);
  const firstDay = addDays(lastDay, -(options.days - 1));
  const students: DemoStudent[] = [];
  const events: object[] = [];
  let counter = 0;
  const id = () => stableUuid(`demo|${options.seed}|${lastDay}|${counter++}`);
  let answerCounter = 0;
  const answerId = () => stableUuid(`demo-answer|${options.seed}|${lastDay}|${answerCounter++}`);

  for (let s = 0; s < options.students; s++) {
    const profile = pick(PROFILES, random);
    const studentId = `stu-${String(s + 1).padStart(3, '0')}`;
    students.push({ student_id: studentId, profile: profile.name });
    const skill = profile.skill + (random() - 0.5) * 0.15;
    const completed = new Map<string, number>();
    const practised = new Map<string, number>();
    const stopDay = profile.stopsDaysBeforeEnd === undefined ? undefined : options.days - profile.stopsDaysBeforeEnd;
    for (let d = 0; d < options.days; d++) {
      const day: Day = addDays(firstDay, d);
      if (stopDay !== undefined && d >= stopDay) break;
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
      // Answers from 11:00, before the day's quiz (14:00), so a quiz report of the day still
      // wins over the quiz the answers make up (learner-model §1).
      const fading = stopDay !== undefined && d >= stopDay - FADING_DAYS;
      const answers = 3 + Math.floor(answerRandom() * 4);
      let clock = Date.parse(`${day}T11:00:00Z`);
      for (let a = 0; a < answers; a++) {
        const n = practised.get(topic) ?? 0;
        practised.set(topic, n + 1);
        const item = n % ITEMS_PER_TOPIC;
        const item_id = demoItemId(topic, item);
        const seconds = () => Math.round((15 + answerRandom() * 60 * (1.5 - skill)) * 10) / 10;
        const answer = (attempt: number, correct: boolean, spent: number) => {
          clock += (Math.round(spent) + 5) * 1000;
          events.push({
            ...base,
            event_id: answerId(),
            event_type: 'response.recorded',
            timestamp: new Date(Math.min(clock, latest)).toISOString(),
            data: { item_id, correct, attempt, seconds: spent },
          });
        };
        const right = answerRandom() < chanceCorrect(skill, n, item, fading);
        answer(1, right, seconds());
        // After a wrong first attempt, some students try again, more often right the second time.
        if (!right && answerRandom() < 0.5) answer(2, answerRandom() < Math.min(0.95, skill + 0.15), seconds());
      }
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
