import Type from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Errors } from '../../errors.js';
import { isDay, type Day } from '../../model/days.js';
import { parseAsOf } from '../../queries/as-of.js';
import { STUDENT_SORTS, type StudentQueries, type StudentSort } from '../../queries/student-queries.js';
import { callerOf } from '../authenticate.js';
import { StudentList } from '../../results/class-list-schema.js';
import { AsOfString, DayString } from '../../results/mastery-result-schema.js';
import { LearningPath } from '../../results/path-schema.js';
import { PredictionResult } from '../../results/prediction-schemas.js';
import { StudentHistory, StudentKnowledge, StudentMastery } from '../../results/student-result-schemas.js';
import { ScopeQuery, StudentParams } from '../schemas.js';
import { TopicName } from '../../validation/event-schema.js';
import { errorResponses, success } from '../responses.js';

/** The largest `offset` of a class list (2^31 − 1), documented in api.md. */
export const MAX_OFFSET = 2_147_483_647;

const errors = errorResponses(400, 401, 403, 404, 429, 503);

/** A day from the query string, checked against the calendar (the schema only checks its shape). */
function day(name: string, value: string | undefined): Day | undefined {
  if (value !== undefined && !isDay(value)) throw Errors.badRequest(`${name} must be a calendar day YYYY-MM-DD, not ${value}`);
  return value;
}

type Scoped = FastifyRequest<{ Params: { id: string }; Querystring: { as_of?: string; topic?: string } }>;

const asOf = parseAsOf;

const asOfDay = (value: string | undefined) => asOf(value).asOf;

function scope(request: Scoped) {
  return { ...asOf(request.query.as_of), topic: request.query.topic };
}

/** The per-student reads and the class list; every one goes through the access rule. */
export function studentRoutes(app: FastifyInstance, queries: StudentQueries): void {
  const read = (operationId: string, summary: string, response: object, answer: string) => ({
    schema: {
      operationId,
      tags: ['students'],
      summary,
      params: StudentParams,
      querystring: ScopeQuery,
      response: { 200: success(response, answer), ...errors },
    },
  });

  // The queries give the same answer object for as long as the student's state and the scope
  // stay the same; its JSON is kept beside it, so a repeated read skips serialising it (the
  // largest allocation of a read).
  const masteryBodies = new WeakMap<object, string>();
  app.get(
    '/students/:id/mastery',
    read('getStudentMastery', 'Current mastery, as of a day, overall or for one topic', StudentMastery, 'the mastery result in scope'),
    async (request: Scoped, reply: FastifyReply) => {
      const answer = await queries.mastery(callerOf(request), request.params.id, scope(request));
      let body = masteryBodies.get(answer);
      if (body === undefined) masteryBodies.set(answer, (body = reply.serialize(answer) as string));
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );

  app.get(
    '/students/:id/prediction',
    read(
      'getStudentPrediction',
      'The 7-day prediction and whether the student needs help',
      PredictionResult,
      "the prediction and the learner model's forecast",
    ),
    (request: Scoped) => queries.prediction(callerOf(request), request.params.id, scope(request)),
  );

  app.get(
    '/students/:id/knowledge',
    read(
      'getStudentKnowledge',
      'Knowledge per topic: the probability each is known and that the next answer is right',
      StudentKnowledge,
      'knowledge per topic',
    ),
    (request: Scoped) => queries.knowledge(callerOf(request), request.params.id, scope(request)),
  );

  app.get(
    '/students/:id/path',
    read('getStudentPath', 'The adaptive learning path, weak components and weak topics', LearningPath, 'the learning path'),
    (request: Scoped) => queries.path(callerOf(request), request.params.id, scope(request)),
  );

  app.get(
    '/students/:id/history',
    {
      schema: {
        operationId: 'getStudentHistory',
        tags: ['students'],
        summary: 'Daily scores and components, one entry per day with events',
        description: 'Days from `from` to `to`; `to` defaults to `as_of` (default today), and is never later than it.',
        params: StudentParams,
        querystring: Type.Object(
          {
            from: Type.Optional(DayString),
            to: Type.Optional(DayString),
            as_of: Type.Optional(AsOfString),
            topic: Type.Optional(TopicName),
          },
          { additionalProperties: false },
        ),
        response: { 200: success(StudentHistory, 'one entry per active day, oldest first'), ...errors },
      },
    },
    (request: FastifyRequest<{ Params: { id: string }; Querystring: { from?: string; to?: string; as_of?: string; topic?: string } }>) => {
      const to = day('to', request.query.to);
      const asOf = asOfDay(request.query.as_of);
      return queries.history(callerOf(request), request.params.id, {
        from: day('from', request.query.from),
        // "As of" a day, nothing after it counts: a later `to` is cut back to it.
        to: to !== undefined && asOf !== undefined && asOf < to ? asOf : (to ?? asOf),
        topic: request.query.topic,
      });
    },
  );

  app.get(
    '/students',
    {
      schema: {
        operationId: 'listStudents',
        tags: ['students'],
        summary: 'Summaries of the students the caller may see (teacher: own class; admin: all)',
        querystring: Type.Object(
          {
            as_of: Type.Optional(AsOfString),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            // A bound every store can page with: beyond it a number is a client's mistake, not an outage.
            offset: Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 }),
            needs_help: Type.Optional(Type.Boolean({ description: 'true: only the students the forecast says need help; false: only the others' })),
            sort: Type.Enum([...STUDENT_SORTS], {
              default: 'student_id',
              description: 'student_id, or lowest first by mastery_score or forecast (the score in 7 days); a leading - for highest first',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: success(StudentList, 'a page of summaries, and the total'), ...errorResponses(400, 401, 403, 429, 503) },
      },
    },
    (request: FastifyRequest<{ Querystring: { as_of?: string; limit: number; offset: number; needs_help?: boolean; sort: StudentSort } }>) =>
      queries.list(callerOf(request), {
        asOf: asOf(request.query.as_of).asOf,
        limit: request.query.limit,
        offset: request.query.offset,
        sort: request.query.sort,
        ...(request.query.needs_help === undefined ? {} : { needsHelp: request.query.needs_help }),
      }),
  );
}
