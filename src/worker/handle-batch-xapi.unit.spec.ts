/** xAPI statements on mastery.requests: the same JSON as over HTTP, mapped the same way (docs/xapi.md), through the batch handler. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Errors } from '../errors.js';
import type { Ingest } from '../pipeline/ingest.js';
import { wire } from '../testing/wire-events.js';
import { fixture, h5pAnswer } from '../testing/xapi-statements.js';
import { DEFAULT_XAPI_MAPPING } from '../xapi/xapi-mapping.js';
import { batchHarness, json, message } from '../testing/kafka/batch-harness.js';

const WHEN = '2026-01-14T10:00:00Z';

describe('xAPI statements on Kafka', () => {
  it('a statement is applied as the event it maps to, next to engine events in the same batch', async () => {
    const { deps, sent, handle } = batchHarness();
    const statement = h5pAnswer('stu-1', WHEN, { id: '0c6a3f5e-2b1d-4e8f-9a7b-1c2d3e4f5a6b', result: { success: true } });

    const outcome = await handle([message(statement), message(wire.activity('stu-1', WHEN))]);

    assert.deepEqual(outcome, { accepted: 2, duplicate: 0, invalid: 0, retried: 0, deadLettered: 0 });
    const events = await deps.log.readStudent('stu-1');
    const response = events.find((e) => e.event_type === 'response.recorded');
    assert.equal(response?.event_id, '0c6a3f5e-2b1d-4e8f-9a7b-1c2d3e4f5a6b');
    assert.equal(sent.dlq.length, 0);
  });

  it('an array message maps all its statements; a statement sent again (by HTTP or Kafka) is a duplicate', async () => {
    const { deps, handle } = batchHarness();
    const statements = [h5pAnswer('stu-2', WHEN), h5pAnswer('stu-2', '2026-01-14T10:05:00Z')];
    assert.equal((await handle([message(statements)])).accepted, 2);
    assert.deepEqual(await handle([message(statements[0])]), { accepted: 0, duplicate: 1, invalid: 0, retried: 0, deadLettered: 0 });
    assert.equal((await deps.log.readStudent('stu-2')).length, 2);
  });

  it('a statement the mapping cannot use is dead-lettered as it was sent, with the reason naming its field', async () => {
    const { deps, sent, handle } = batchHarness();
    const group = fixture('adl-long-example');

    const outcome = await handle([message(group, 'g')]);

    assert.deepEqual([outcome.invalid, outcome.deadLettered], [1, 1]);
    const dead = json(sent.dlq[0]!);
    assert.deepEqual(dead.original_event, group);
    assert.equal(dead.error, 'actor.objectType is Group: the engine records one student per statement, so the actor must be an Agent');
    assert.equal(sent.dlq[0]!.key?.toString(), 'g');
    assert.equal((await deps.log.readStudent('13936749')).length, 0);
  });

  it('an array message with one statement the mapping cannot use is dead-lettered whole: none of it is applied', async () => {
    const { deps, sent, handle } = batchHarness();
    const array = [h5pAnswer('stu-3', WHEN), { ...h5pAnswer('stu-3', WHEN), verb: {} }];

    await handle([message(array)]);

    assert.equal((await deps.log.readStudent('stu-3')).length, 0);
    assert.equal(json(sent.dlq[0]!).error, "statement 1: verb.id is required: the verb's IRI");
    assert.deepEqual(json(sent.dlq[0]!).original_event, array);
  });

  it("what the engine's own checks refuse is dead-lettered with the statement and the statement's field", async () => {
    const { sent, handle } = batchHarness();
    const future = h5pAnswer('stu-4', '2026-01-15T10:00:00Z');
    await handle([message(future)]);
    const dead = json(sent.dlq[0]!);
    assert.deepEqual(dead.original_event, future);
    assert.equal(dead.error, 'timestamp must not be more than 5 minutes in the future');
  });

  it('follows the configured mapping: an mbox actor is a student once mbox is configured', async () => {
    const { sent, handle } = batchHarness();
    const simple = fixture('adl-simple-statement');
    await handle([message(simple)]);
    assert.match(String(json(sent.dlq[0]!).error), /^actor\.account\.name is required/);
    const outcome = await handle([message(simple)], { ...DEFAULT_XAPI_MAPPING, studentFrom: ['mbox'] });
    assert.equal(outcome.accepted, 1);
  });

  it('when the pipeline fails for a transient reason, the mapped event goes to the retry topic, keyed as the statement came', async () => {
    const down: Ingest = async () => {
      throw Errors.storeUnavailable('the event log is down');
    };
    const { sent, handle } = batchHarness({ ingest: down });
    const statement = h5pAnswer('stu-5', WHEN, { id: '0c6a3f5e-2b1d-4e8f-9a7b-1c2d3e4f5a6c' });
    const outcome = await handle([message(statement, 'stu-5')]);
    assert.equal(outcome.retried, 1);
    const retried = json(sent.retry[0]!);
    assert.equal(retried.event_id, '0c6a3f5e-2b1d-4e8f-9a7b-1c2d3e4f5a6c');
    assert.equal(retried.event_type, 'response.recorded');
    assert.equal(retried.retry_count, 1);
    assert.equal(sent.retry[0]!.key?.toString(), 'stu-5');
  });
});
