import { readFileSync } from 'node:fs';
import avro from 'avsc';
import type { MasteryUpdated } from '../../ports/bus.js';

/** How events and updates travel on the topics. */
export interface MessageCodec {
  /** The event as a plain JSON value, for the pipeline to validate; throws when it cannot be read. */
  decodeEvent(value: Buffer): unknown;
  encodeEvent(event: object): Buffer;
  encodeUpdate(update: MasteryUpdated): Buffer;
  decodeUpdate(value: Buffer): MasteryUpdated;
}

export const jsonCodec: MessageCodec = {
  decodeEvent(value) {
    try {
      return JSON.parse(value.toString('utf8'));
    } catch (error) {
      throw new Error(`the message is not JSON: ${(error as Error).message}`);
    }
  },
  encodeEvent: (event) => Buffer.from(JSON.stringify(event)),
  encodeUpdate: (update) => Buffer.from(JSON.stringify(update)),
  decodeUpdate: (value) => JSON.parse(value.toString('utf8')) as MasteryUpdated,
};

const SCHEMAS = new URL('../../../schemas/avro/', import.meta.url);
const loadSchema = (file: string) => avro.Type.forSchema(JSON.parse(readFileSync(new URL(file, SCHEMAS), 'utf8')));

/** Avro's record for each shape of `data` (the union in learning-event.avsc). */
const DATA_BRANCH: Record<string, string> = {
  completion: 'mastery.v1.CompletionData',
  quiz: 'mastery.v1.QuizData',
  quality: 'mastery.v1.QualityData',
};

type Json = Record<string, unknown>;

/** Avro writes absent optional fields as null; the envelope of events.md leaves them out. */
function withoutNulls(record: Json): Json {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null));
}

/** Confluent's wire format: magic byte 0, the schema id (4 bytes, big-endian), the Avro body. */
function frame(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(0, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

function unframe(value: Buffer, schemaId: number, what: string): Buffer {
  if (value.length < 5 || value.readUInt8(0) !== 0) throw new Error(`the ${what} is not in Confluent's Avro wire format (magic byte 0)`);
  const id = value.readInt32BE(1);
  if (id !== schemaId) throw new Error(`the ${what} names schema id ${id}; this engine reads schema id ${schemaId}`);
  return value.subarray(5);
}

/** A type as an error message says it: "a boolean", "a record", "an int or null". */
function describeType(type: avro.Type): string {
  const names =
    type instanceof avro.types.UnwrappedUnionType ? type.types.map((t) => t.typeName) : [type.typeName.startsWith('union') ? 'record' : type.typeName];
  return `${/^[aeiou]/.test(names[0]!) ? 'an' : 'a'} ${names.join(' or ')}`;
}

/**
 * The record in Avro, or an error naming the first field the schema refuses (avsc's own
 * message names only a type). An event's data is one branch of a union: its fields are named
 * as the event has them (`data.correct`), not through the branch.
 */
function toAvro(type: avro.Type, record: Json, what: string): Buffer {
  try {
    return type.toBuffer(record);
  } catch (error) {
    // Checked only once writing failed: every update is written, and the check costs a second walk.
    let refused: { path: string[]; value: unknown; type: avro.Type } | undefined;
    type.isValid(record, {
      errorHook: (path, value, t) => {
        refused ??= { path, value, type: t };
      },
    });
    if (refused === undefined) throw error;
    const path = refused.path[0] === 'data' ? ['data', ...refused.path.slice(2)] : refused.path;
    throw new Error(
      `the ${what} cannot be written in Avro: ${path.join('.') || 'the record'} is ${JSON.stringify(refused.value) ?? 'missing'}, not ${describeType(refused.type)}`,
    );
  }
}

/**
 * Avro on the topics, in Confluent's wire format with configured schema ids (no registry is
 * asked: the schemas are the repository's schemas/avro/*.avsc). An event decodes to the same
 * JSON shape as on the wire in JSON mode, so validation and the pipeline do not know the difference.
 */
export function avroCodec(schemaIds: { event: number; updated: number }): MessageCodec {
  const eventType = loadSchema('learning-event.avsc') as avro.types.RecordType;
  const updatedType = loadSchema('mastery-updated.avsc');
  const dataUnion = eventType.field('data').type as avro.types.WrappedUnionType;
  const branchFields = new Map(dataUnion.types.map((t) => [t.name!, (t as avro.types.RecordType).fields.map((f) => f.name)]));
  return {
    decodeEvent(value) {
      let record: Json;
      try {
        record = eventType.fromBuffer(unframe(value, schemaIds.event, 'message')) as Json;
      } catch (error) {
        throw new Error(`the message is not a LearningEvent in Avro: ${(error as Error).message}`);
      }
      const event = withoutNulls(record);
      const data = record.data as Record<string, Json>;
      event.data = withoutNulls(Object.values(data)[0] ?? {});
      return event;
    },

    encodeEvent(event) {
      const e = event as Json;
      const component = String(e.component);
      const branch =
        e.event_type === 'response.recorded' ? 'mastery.v1.ResponseData' : Object.hasOwn(DATA_BRANCH, component) ? DATA_BRANCH[component]! : 'mastery.v1.Empty';
      const data = (e.data ?? {}) as Json;
      // Optional fields of the data record that the event leaves out are written as null.
      const filled = Object.fromEntries(branchFields.get(branch)!.map((name) => [name, data[name] ?? null]));
      const record = {
        event_id: e.event_id,
        event_type: e.event_type,
        timestamp: e.timestamp,
        student_id: e.student_id,
        component: e.component ?? null,
        topic: e.topic ?? null,
        data: { [branch]: filled },
        metadata: e.metadata ?? null,
        retry_count: e.retry_count ?? null,
      };
      return frame(schemaIds.event, toAvro(eventType, record, 'event'));
    },

    encodeUpdate(update) {
      const recommendations = update.recommendations.map((r) => ({ ...r, topic: r.topic ?? null }));
      return frame(schemaIds.updated, toAvro(updatedType, { ...update, recommendations }, 'update'));
    },

    decodeUpdate(value) {
      const record = updatedType.fromBuffer(unframe(value, schemaIds.updated, 'update')) as Json;
      const recommendations = (record.recommendations as Json[]).map(withoutNulls);
      return {
        ...record,
        components: { ...(record.components as Json) },
        recommendations,
        forecast: { ...(record.forecast as Json) },
      } as unknown as MasteryUpdated;
    },
  };
}
