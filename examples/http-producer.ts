/**
 * A producer of learning events over HTTP, typed by the committed OpenAPI document: the types
 * in ./mastery-api.d.ts are openapi-typescript's output for docs/openapi.json (`npm run openapi`
 * writes both), and openapi-fetch checks every path, body and answer against them at compile
 * time. A route or field that does not exist is a type error here, not a 404 in production.
 *
 *   node --import tsx examples/http-producer.ts http://localhost:8080 "$(npx mastery token --role service --sub producer)"
 *
 * sends one student's day of work (an exercise set, a quiz, three answers) and prints the
 * engine's answer per event and the student's mastery after it (the second needs a token that
 * may read the student: an admin's, say; a service token may only write).
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import createClient from 'openapi-fetch';
import type { components, paths } from './mastery-api.js';

export type LearningEvent = components['schemas']['LearningEvent'];
export type IngestReport = paths['/v1/events']['post']['responses'][200]['content']['application/json'];
export type StudentMastery = paths['/v1/students/{id}/mastery']['get']['responses'][200]['content']['application/json'];
type ErrorBody = components['schemas']['ErrorBody'];

/** POST /v1/events takes at most this many events at once (docs/api.md). */
export const MAX_BATCH = 1000;

export type MasteryClient = ReturnType<typeof masteryClient>;

/** A client of one engine, signed in with one bearer token. `fetch` may be given (a test's, a proxy's). */
export function masteryClient(baseUrl: string, token: string, fetch: typeof globalThis.fetch = globalThis.fetch) {
  return createClient<paths>({ baseUrl, fetch, headers: { authorization: `Bearer ${token}` } });
}

/** The API's error as an Error: its code and message, and the status it came with. */
export class MasteryApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | undefined,
  ) {
    super(body ? `${status} ${body.error.code}: ${body.error.message}` : `HTTP ${status}`);
    this.name = 'MasteryApiError';
  }
}

/**
 * Sends events in batches of at most 1,000 and returns the engine's report of each batch. A
 * batch answers 200 (202 when the engine queues events for its worker) whatever its events'
 * fate: look at each result's `status`; events that were rejected carry their `errors`. A
 * failed request throws; sending the same events again is safe, as each `event_id` counts once.
 */
export async function sendEvents(client: MasteryClient, events: readonly LearningEvent[]): Promise<IngestReport[]> {
  const reports: IngestReport[] = [];
  for (let start = 0; start < events.length; start += MAX_BATCH) {
    const { data, error, response } = await client.POST('/v1/events', { body: events.slice(start, start + MAX_BATCH) });
    if (data === undefined) throw new MasteryApiError(response.status, error);
    reports.push(data);
  }
  return reports;
}

/** A student's mastery now (or as of a day), overall or for one topic. */
export async function readMastery(client: MasteryClient, studentId: string, query: { as_of?: string; topic?: string } = {}): Promise<StudentMastery> {
  const { data, error, response } = await client.GET('/v1/students/{id}/mastery', { params: { path: { id: studentId }, query } });
  if (data === undefined) throw new MasteryApiError(response.status, error);
  return data;
}

/** One student's day of work in one topic, as the events a learning platform would send. */
export function dayOfWork(studentId: string, topic: string, at: Date): LearningEvent[] {
  const instant = (minutes: number) => new Date(at.getTime() + minutes * 60_000).toISOString();
  const metadata = { source: 'examples/http-producer.ts', version: '1.0' };
  const answers: Array<[string, boolean]> = [
    ['loops-q1', true],
    ['loops-q2', false],
    ['loops-q3', true],
  ];
  return [
    {
      event_id: randomUUID(),
      event_type: 'mastery.calculation.requested',
      timestamp: instant(0),
      student_id: studentId,
      component: 'completion',
      topic,
      data: { total_exercises: 10, completed_exercises: 8, difficulty: 'intermediate' },
      metadata,
    },
    {
      event_id: randomUUID(),
      event_type: 'mastery.calculation.requested',
      timestamp: instant(20),
      student_id: studentId,
      component: 'quiz',
      topic,
      data: { total_questions: 5, correct_answers: 4, avg_time_seconds: 42 },
      metadata,
    },
    ...answers.map(
      ([item_id, correct], i): LearningEvent => ({
        event_id: randomUUID(),
        event_type: 'response.recorded',
        timestamp: instant(30 + i),
        student_id: studentId,
        topic,
        data: { item_id, correct, seconds: 35 },
      }),
    ),
  ];
}

async function main(baseUrl: string | undefined, token: string | undefined): Promise<void> {
  if (!baseUrl || !token) {
    console.error('usage: node --import tsx examples/http-producer.ts <base-url> <token> [student-id]');
    process.exitCode = 2;
    return;
  }
  const client = masteryClient(baseUrl, token);
  const studentId = process.argv[4] ?? 'example-student';
  // An hour back: an event may be dated at most five minutes past the engine's clock.
  const events = dayOfWork(studentId, 'python.loops', new Date(Date.now() - 60 * 60_000));
  for (const report of await sendEvents(client, events)) {
    console.log(`accepted ${report.accepted}, duplicate ${report.duplicate}, rejected ${report.rejected}`);
    for (const r of report.results) if (r.status === 'rejected') console.log(`  event ${r.index}:`, r.errors);
  }
  try {
    const mastery = await readMastery(client, studentId);
    console.log(`${studentId}: ${mastery.mastery_score} (${mastery.level})`);
  } catch (error) {
    if (error instanceof MasteryApiError && error.status === 403) console.log('(this token may not read the student: an admin token can)');
    else throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv[2], process.argv[3]);
