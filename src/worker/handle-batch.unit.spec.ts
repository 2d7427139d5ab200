import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Errors } from '../errors.js';
import type { Ingest } from '../pipeline/ingest.js';
import { wire } from '../testing/wire-events.js';
import { batchHarness, json, message } from '../testing/kafka/batch-harness.js';

describe('the worker batch handler', () => {
  it('applies valid events and dead-letters the rest, each with its error, keyed as it came', async () => {
    const { deps, sent, handle } = batchHarness();
    const good = wire.completion('s1', '2026-01-14T10:00:00Z', { total_exercises: 10, completed_exercises: 5 });
    const bad = { ...wire.completion('s1', '2026-01-14T10:00:00Z', { total_exercises: 10, completed_exercises: 5 }), student_id: 'a b' };
    const garbage = Buffer.from([0xff, 0x00, 0x41]);

    const outcome = await handle([message(good), message(bad), message(garbage, 's2')]);

    assert.deepEqual(outcome, { accepted: 1, duplicate: 0, invalid: 2, retried: 0, deadLettered: 2 });
    assert.equal((await deps.log.readStudent('s1')).length, 1);
    const [notJson, invalid] = sent.dlq.map(json);
    assert.equal(notJson!.original_event, garbage.toString('base64'));
    assert.match(String(notJson!.error), /not JSON/);
    assert.equal(notJson!.timestamp, '2026-01-14T12:00:00.000Z');
    assert.deepEqual(invalid!.original_event, bad);
    assert.match(String(invalid!.error), /student_id must be 1–64 characters/);
    assert.deepEqual(
      sent.dlq.map((m) => m.key?.toString()),
      ['s2', 's1'],
    );
    assert.equal(sent.retry.length, 0);
  });

  it('dead-letters an event nested too deep to write back as JSON with its raw bytes, and applies the rest of the batch', async () => {
    const { deps, sent, handle } = batchHarness();
    const good = wire.completion('s1', '2026-01-14T10:00:00Z', { total_exercises: 10, completed_exercises: 5 });
    const deep = Buffer.from(`{"event_id":"6f1d8e2a-4b7c-4d9e-8f0a-1b2c3d4e5f61","metadata":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`);

    const outcome = await handle([message(deep, 's9'), message(good)]);

    assert.deepEqual([outcome.accepted, outcome.invalid, outcome.deadLettered], [1, 1, 1]);
    assert.equal((await deps.log.readStudent('s1')).length, 1);
    const dead = json(sent.dlq[0]!);
    assert.equal(dead.original_event, deep.toString('base64'));
    assert.equal(dead.error, 'metadata nests objects or arrays deeper than 10 levels, the most an event may');
    assert.equal(sent.dlq[0]!.key?.toString(), 's9');
  });

  it('reports duplicates without dead-lettering them', async () => {
    const { sent, handle } = batchHarness();
    const event = wire.activity('s1', '2026-01-14T10:00:00Z');
    await handle([message(event)]);
    const again = await handle([message(event)]);
    assert.deepEqual(again, { accepted: 0, duplicate: 1, invalid: 0, retried: 0, deadLettered: 0 });
    assert.equal(sent.dlq.length, 0);
  });

  it('sends every event of a batch that failed for a transient reason to the retry topic with retry_count + 1', async () => {
    const down: Ingest = async () => {
      throw Errors.storeUnavailable('the state store is not reachable');
    };
    const { sent, handle } = batchHarness({ ingest: down });
    const first = wire.activity('s1', '2026-01-14T10:00:00Z');
    const second = { ...wire.activity('s2', '2026-01-14T10:00:00Z'), retry_count: 2 };

    const outcome = await handle([message(first), message(second, 's2')]);

    assert.deepEqual(outcome, { accepted: 0, duplicate: 0, invalid: 0, retried: 2, deadLettered: 0 });
    assert.deepEqual(
      sent.retry.map((m) => json(m).retry_count),
      [1, 3],
    );
    assert.deepEqual(json(sent.retry[0]!), { ...first, retry_count: 1 });
  });

  it('dead-letters at once, without retrying, a batch that failed for a reason trying again cannot mend (a bug)', async () => {
    const broken: Ingest = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'days')");
    };
    const told: Array<{ event_id: string | null; reason: string }> = [];
    const { sent, handle } = batchHarness({ ingest: broken, onDeadLetter: (entry) => told.push(entry) });
    const event = wire.activity('s1', '2026-01-14T10:00:00Z');

    const outcome = await handle([message(event), message(Buffer.from('not json'), 's2')]);

    assert.deepEqual([outcome.retried, outcome.deadLettered], [0, 2]);
    assert.equal(sent.retry.length, 0);
    const reason = "not retried, as trying again cannot succeed: Cannot read properties of undefined (reading 'days')";
    assert.deepEqual(json(sent.dlq[1]!).error, reason);
    assert.deepEqual(
      told.map((t) => t.event_id),
      [null, event.event_id],
      'each dead-lettered message is told with its event id, where it has one',
    );
    assert.equal(told[1]!.reason, reason);
  });

  it('dead-letters an event after 3 retries, saying why', async () => {
    const down: Ingest = async () => {
      throw Errors.storeUnavailable('the state store is not reachable');
    };
    const { sent, handle } = batchHarness({ ingest: down });
    const tired = { ...wire.activity('s1', '2026-01-14T10:00:00Z'), retry_count: 3 };

    const outcome = await handle([message(tired)]);

    assert.deepEqual(outcome, { accepted: 0, duplicate: 0, invalid: 0, retried: 0, deadLettered: 1 });
    assert.equal(sent.retry.length, 0);
    assert.match(String(json(sent.dlq[0]!).error), /gave up after 3 retries: the state store is not reachable/);
  });

  it('resolves only after the retry and dead-letter topics have taken the messages', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let done = false;
    const { handle } = batchHarness({ deadLetter: () => held });
    const handling = handle([message(Buffer.from('not json'))]).then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(done, false, 'no offset may be committed before the dead letter is stored');
    release();
    await handling;
    assert.equal(done, true);
  });
});
