import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import avro from 'avsc';
import Value from 'typebox/value';
import type { MasteryUpdated } from '../../ports/bus.js';
import { MasteryUpdatedSchema } from '../../results/mastery-updated-schema.js';
import { validateEvent } from '../../validation/validate-event.js';
import { avroCodec, jsonCodec } from './message-codec.js';

/** response.recorded and the forecast on the topics: what a producer or consumer in another language sees. */

const codec = avroCodec({ event: 11, updated: 12 });
const NOW = Date.parse('2026-03-02T12:00:00Z');

// The schema files themselves, to read the bytes as another Avro client would, without the codec.
const schema = (file: string) => avro.Type.forSchema(JSON.parse(readFileSync(new URL(`../../../schemas/avro/${file}`, import.meta.url), 'utf8')));
const eventSchema = schema('learning-event.avsc');
const updatedSchema = schema('mastery-updated.avsc');

const response = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  event_id: '6f1c2a9e-2b7d-4a8e-9f43-0c1d2e3f4a5b',
  event_type: 'response.recorded',
  timestamp: '2026-03-02T10:31:07Z',
  student_id: 'stu-001',
  topic: 'python.loops',
  data,
  ...extra,
});

const update = (patch: Partial<MasteryUpdated> = {}): MasteryUpdated => ({
  event_id: '0b9d3f5e-8a41-4c2e-9a1f-6d2e3c4b5a69',
  event_type: 'mastery.updated',
  timestamp: '2026-03-02T10:31:09Z',
  student_id: 'stu-001',
  mastery_score: 0.584,
  level: 'developing',
  components: { completion: 0.4, quiz: 0.76, quality: 0.69, consistency: 0.67 },
  recommendations: [
    { action: 'practice', area: 'completing exercises', priority: 'high', topic: 'python.loops' },
    { action: 'schedule', area: 'daily practice', priority: 'low' },
  ],
  forecast: { score_in_7_days: 0.61, low: 0.52, high: 0.68, needs_help: false, method: 'activity-paths', model_version: 'default' },
  ...patch,
});

/** The message's schema id, and its body read with the schema file alone (as plain objects, not avsc's record classes). */
function readRaw(value: Buffer, type: avro.Type): { magic: number; schemaId: number; record: Record<string, unknown> } {
  const record = JSON.parse(JSON.stringify(type.fromBuffer(value.subarray(5)))) as Record<string, unknown>;
  return { magic: value.readUInt8(0), schemaId: value.readInt32BE(1), record };
}

describe('Avro: response.recorded', () => {
  it('round-trips with every field, and with the optional attempt and seconds left out, as the JSON envelope', () => {
    const cases = [
      { item_id: 'loops-q17', correct: true, attempt: 1, seconds: 42.5 },
      { item_id: 'bank:unit-3.q_9', correct: false },
      { item_id: 'q2', correct: false, attempt: 3 },
      { item_id: 'q3', correct: true, seconds: 0 },
    ];
    for (const data of cases) {
      const event = response(data);
      const decoded = codec.decodeEvent(codec.encodeEvent(event));
      assert.deepEqual(decoded, event, JSON.stringify(data));
      assert.ok(validateEvent(decoded, NOW).ok, 'and the engine accepts what it decodes');
    }
  });

  it('writes the answer as the ResponseData branch, absent fields as null, in the Confluent frame', () => {
    const raw = readRaw(codec.encodeEvent(response({ item_id: 'q1', correct: true, seconds: 12 })), eventSchema);
    assert.deepEqual([raw.magic, raw.schemaId], [0, 11]);
    assert.deepEqual(raw.record.data, { 'mastery.v1.ResponseData': { item_id: 'q1', correct: true, attempt: null, seconds: 12 } });
    assert.equal(raw.record.component, null);
  });

  it('keeps retry_count, as the retry topic needs, and a topic and metadata left out stay out', () => {
    const event = { ...response({ item_id: 'q1', correct: true }), retry_count: 2, metadata: { source: 'quiz-app' } };
    assert.deepEqual(codec.decodeEvent(codec.encodeEvent(event)), event);
    const { topic: _topic, ...bare } = response({ item_id: 'q1', correct: false });
    assert.deepEqual(codec.decodeEvent(codec.encodeEvent(bare)), bare);
  });

  it('refuses to write an answer without an item or with correct not a boolean, naming the field and the type its value breaks', () => {
    const refused = (what: string) => ({ message: `the event cannot be written in Avro: ${what}` });
    assert.throws(() => codec.encodeEvent(response({ correct: true })), refused('data.item_id is null, not a string'));
    assert.throws(() => codec.encodeEvent(response({ item_id: 'q1', correct: 'yes' })), refused('data.correct is "yes", not a boolean'));
    assert.throws(() => codec.encodeEvent(response({ item_id: 'q1', correct: 1 })), refused('data.correct is 1, not a boolean'));
    assert.throws(() => codec.encodeEvent(response({ item_id: 'q1', correct: true, attempt: 1.5 })), refused('data.attempt is 1.5, not an int'));
  });

  it('refuses bytes that are not a LearningEvent, naming why', () => {
    const good = codec.encodeEvent(response({ item_id: 'q1', correct: true, attempt: 1, seconds: 3 }));
    assert.throws(() => codec.decodeEvent(good.subarray(0, good.length - 4)), /^Error: the message is not a LearningEvent in Avro: truncated buffer$/);
    assert.throws(
      () => codec.decodeEvent(Buffer.from(JSON.stringify(response({ item_id: 'q1', correct: true })))),
      /not a LearningEvent in Avro: .*magic byte 0/,
    );
    assert.throws(
      () => codec.decodeEvent(avroCodec({ event: 7, updated: 12 }).encodeEvent(response({ item_id: 'q1', correct: true }))),
      /names schema id 7; this engine reads schema id 11/,
    );
  });

  it('passes an answer Avro can carry but the engine refuses on to validation, which names the field', () => {
    // Avro's types cannot say "1–128 characters" or "at least 1": those rules are the validator's.
    for (const [data, field] of [
      [{ item_id: '', correct: true }, 'data.item_id'],
      [{ item_id: 'has space', correct: true }, 'data.item_id'],
      [{ item_id: 'q1', correct: true, attempt: 0 }, 'data.attempt'],
      [{ item_id: 'q1', correct: true, seconds: -1 }, 'data.seconds'],
    ] as const) {
      const v = validateEvent(codec.decodeEvent(codec.encodeEvent(response(data))), NOW);
      assert.equal(v.ok, false, JSON.stringify(data));
      assert.deepEqual(v.ok ? [] : v.errors.map((e) => e.field), [field]);
    }
  });

  it('names the field it refuses to write', () => {
    assert.throws(() => codec.encodeEvent(response({ item_id: 'q1', correct: 'yes' })), {
      message: 'the event cannot be written in Avro: data.correct is "yes", not a boolean',
    });
  });
});

describe('Avro: mastery.updated with its forecast', () => {
  it('round-trips, the forecast and recommendations with and without a topic included', () => {
    const u = update();
    const encoded = codec.encodeUpdate(u);
    assert.deepEqual(codec.decodeUpdate(encoded), u);
    assert.ok(Value.Check(MasteryUpdatedSchema, codec.decodeUpdate(encoded)), 'what is read back is an update as src/results declares it');
    const raw = readRaw(encoded, updatedSchema);
    assert.deepEqual([raw.magic, raw.schemaId], [0, 12]);
    assert.deepEqual(raw.record.forecast, u.forecast, 'the forecast is a record of its own in the schema');
  });

  it('keeps a forecast that needs help and its bounds exactly', () => {
    const forecast = {
      score_in_7_days: 0.437,
      low: 0.301,
      high: 0.598,
      needs_help: true,
      method: 'activity-paths' as const,
      model_version: '2026-03-01T08:00:00.000Z#412',
    };
    assert.deepEqual(codec.decodeUpdate(codec.encodeUpdate(update({ forecast }))).forecast, forecast);
  });

  it('refuses an update whose forecast breaks the schema, and bytes of another schema', () => {
    const u = update();
    assert.throws(() => codec.encodeUpdate({ ...u, forecast: { ...u.forecast, needs_help: 'no' as unknown as boolean } }), {
      message: 'the update cannot be written in Avro: forecast.needs_help is "no", not a boolean',
    });
    assert.throws(() => codec.encodeUpdate({ ...u, forecast: { ...u.forecast, low: undefined as unknown as number } }), {
      message: 'the update cannot be written in Avro: forecast.low is missing, not a double',
    });
    assert.throws(() => codec.encodeUpdate({ ...u, forecast: undefined as unknown as MasteryUpdated['forecast'] }));
    assert.throws(
      () => codec.decodeUpdate(codec.encodeEvent(response({ item_id: 'q1', correct: true }))),
      /the update names schema id 11; this engine reads schema id 12/,
    );
    assert.throws(() => codec.decodeUpdate(Buffer.from(JSON.stringify(u))), /not in Confluent's Avro wire format \(magic byte 0\)/);
  });

  it('says which field is missing when the forecast is absent', () => {
    assert.throws(() => codec.encodeUpdate({ ...update(), forecast: undefined as unknown as MasteryUpdated['forecast'] }), {
      message: 'the update cannot be written in Avro: forecast is missing, not a record',
    });
  });
});

describe('JSON: the same messages', () => {
  it('round-trips an answer and an update with its forecast, and refuses what is not JSON', () => {
    const event = response({ item_id: 'q1', correct: true, attempt: 2 });
    assert.deepEqual(jsonCodec.decodeEvent(jsonCodec.encodeEvent(event)), event);
    assert.deepEqual(jsonCodec.decodeUpdate(jsonCodec.encodeUpdate(update())), update());
    assert.throws(() => jsonCodec.decodeEvent(Buffer.from('{"event_type":')), /^Error: the message is not JSON: /);
  });
});
