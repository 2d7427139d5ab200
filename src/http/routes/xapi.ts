import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { EngineDeps } from '../../engine-deps.js';
import { Errors } from '../../errors.js';
import { assertWriter, type Ingest, NOT_APPLIED_FIELD } from '../../pipeline/ingest.js';
import { type MappedStatement, statementError } from '../../xapi/map-statement.js';
import { mapStatements, type StatementRefusal } from '../../xapi/map-statements.js';
import type { XapiMapping } from '../../xapi/xapi-mapping.js';
import { checkVersionHeader, NEWEST_VERSION } from '../../xapi/xapi-version.js';
import { callerOf } from '../authenticate.js';
import { ErrorBody } from '../schemas.js';
import { MAX_BATCH } from './events.js';

const VERSION_HEADER = 'x-experience-api-version';

/** A statement as the OpenAPI document shows it; what is read of it is docs/xapi.md, checked by the mapping. */
const StatementDoc = Type.Object(
  {
    id: Type.Optional(Type.String({ format: 'uuid', description: 'the event id; without one, a UUID v5 of the canonical JSON' })),
    actor: Type.Object({}, { additionalProperties: true, description: 'an Agent; account.name (or, when configured, mbox) names the student' }),
    verb: Type.Object({ id: Type.String({ description: 'answered, an assessment verb, or any other (activity)' }) }, { additionalProperties: true }),
    object: Type.Object({}, { additionalProperties: true }),
    result: Type.Optional(Type.Object({}, { additionalProperties: true })),
    context: Type.Optional(Type.Object({}, { additionalProperties: true })),
    timestamp: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

export interface XapiRouteDeps {
  ingest: Ingest;
  engine: EngineDeps;
  mapping: XapiMapping;
}

/** Every refused statement's reasons, one detail per reason, by index. */
function refusal(refusals: readonly StatementRefusal[], sent: number) {
  const details = refusals.flatMap((r) =>
    r.errors.map((e) => ({ index: r.index, ...(r.statement_id === undefined ? {} : { statement_id: r.statement_id }), field: e.field, message: e.message })),
  );
  const first = details[0]!;
  const message =
    sent === 1
      ? `the statement is refused (${[...new Set(details.map((d) => d.field))].join(', ')}): ${first.message}`
      : `${refusals.length} of ${sent} statements are refused, so none was applied; statement ${first.index}: ${first.field} ${first.message}`;
  return Errors.invalidStatement(message, details);
}

/** What the pipeline refused, in the statements' own fields (the events it refused only for the others' sake left out). */
function pipelineRefusals(
  results: ReadonlyArray<{ index: number; status: string; errors?: Array<{ field: string; message: string }> }>,
  mapped: readonly MappedStatement[],
): StatementRefusal[] {
  return results
    .filter((r) => r.status === 'rejected' && !r.errors?.every((e) => e.field === NOT_APPLIED_FIELD))
    .map((r) => ({
      index: r.index,
      statement_id: mapped[r.index]!.statementId,
      errors: (r.errors ?? []).map((e) => statementError(e, mapped[r.index]!.sources)),
    }));
}

/**
 * POST /xapi/statements: xAPI statements from learning platforms (H5P, Moodle, an LMS), one or
 * an array, mapped to engine events at the edge (docs/xapi.md) and then through the one
 * pipeline, all or nothing. Answers as an LRS does: 200 and the statements' ids in order.
 */
export function xapiRoutes(app: FastifyInstance, deps: XapiRouteDeps): void {
  app.post(
    '/statements',
    {
      schema: {
        operationId: 'postXapiStatements',
        tags: ['xapi'],
        summary: 'Ingest one xAPI statement or an array of up to 1,000',
        description:
          'Each statement becomes one engine event by the documented mapping (docs/xapi.md): answered with result.success → ' +
          'response.recorded, an assessment verb with a score → a quiz report, any other verb → activity.recorded. ' +
          'All or nothing: if one statement cannot be used, none is applied and the 422 names each by index with its reasons. ' +
          'A statement id already known is a duplicate and changes nothing.',
        headers: Type.Object({ [VERSION_HEADER]: Type.String({ description: '1.0.x or 2.0.x; required' }) }),
        body: Type.Union([StatementDoc, Type.Array(StatementDoc, { maxItems: MAX_BATCH })]),
        response: {
          200: Type.Array(Type.String({ format: 'uuid' }), { description: "the statements' ids, in the order sent" }),
          400: ErrorBody,
          413: ErrorBody,
          422: ErrorBody,
        },
      },
      // The mapping checks the statements and names their fields; the schema is for the documentation.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const version = checkVersionHeader(request.headers[VERSION_HEADER]);
      if (!version.ok) throw Errors.xapiVersion(version.problem);
      void reply.header(VERSION_HEADER, version.answer);
      const caller = callerOf(request);
      await assertWriter(deps.engine, caller);
      const body: unknown = request.body;
      const sent = Array.isArray(body) ? body.length : 1;
      if (sent === 0) throw Errors.badRequest('the array is empty: send at least one statement');
      if (sent > MAX_BATCH) throw Errors.payloadTooLarge(`an array holds at most ${MAX_BATCH} statements, not ${sent}`);
      const mapping = mapStatements(body, deps.mapping, deps.engine.clock.now());
      if (!mapping.ok) throw refusal(mapping.refusals, sent);
      const report = await deps.ingest(
        mapping.mapped.map((m) => m.event),
        caller,
        { allOrNothing: true },
      );
      if (report.rejected > 0) throw refusal(pipelineRefusals(report.results, mapping.mapped), sent);
      return reply.status(200).send(mapping.mapped.map((m) => m.statementId));
    },
  );
}

/** Every answer of the xAPI scope carries the version header, errors and 401s included (xAPI Communication §3.3). */
export function answerXapiVersion(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const version = checkVersionHeader(request.headers[VERSION_HEADER]);
    void reply.header(VERSION_HEADER, version.ok ? version.answer : NEWEST_VERSION);
  });
}
