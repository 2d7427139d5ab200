import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Type from 'typebox';
import { z } from 'zod';
import { StudentKnowledge } from '../results/student-result-schemas.js';
import { toolInput, toolOutput } from './zod-from-typebox.js';

/** What the SDK does with a tool's zod schemas: checks arguments and results with them and lists them as JSON Schema. */

const knowledge = {
  student_id: 's-1',
  as_of: '2026-01-14',
  model_version: 'default',
  topics: [{ topic: 'python.loops', p_known: 0.4, p_correct: 0.55, responses: 3, last_response_at: null }],
};

describe('toolInput', () => {
  const input = toolInput(Type.Object({ id: Type.String({ pattern: '^[a-z]+$' }), limit: Type.Optional(Type.Integer({ minimum: 1 })) }));

  it('keeps the TypeBox rules and drops an argument it does not declare, as a zod object does', () => {
    assert.deepEqual(input.parse({ id: 'abc', limit: 2, extra: true }), { id: 'abc', limit: 2 });
    assert.equal(input.safeParse({ id: 'ABC' }).success, false);
    assert.equal(input.safeParse({ id: 'abc', limit: 0 }).success, false);
    assert.equal(input.safeParse({ limit: 2 }).success, false);
  });

  it('lists the object without additionalProperties', () => {
    const listed = z.toJSONSchema(input, { io: 'input' }) as Record<string, unknown>;
    assert.equal(listed.additionalProperties, undefined);
    assert.deepEqual(listed.required, ['id']);
  });
});

describe('toolOutput', () => {
  const output = toolOutput(StudentKnowledge);

  it('accepts a result of the declared shape and refuses one with a field it does not declare, at any depth', () => {
    assert.equal(output.safeParse(knowledge).success, true);
    assert.equal(output.safeParse({ ...knowledge, secret: 1 }).success, false);
    assert.equal(output.safeParse({ ...knowledge, topics: [{ ...knowledge.topics[0], secret: 1 }] }).success, false);
    assert.equal(output.safeParse({ ...knowledge, topics: [{ ...knowledge.topics[0], p_known: 1.2 }] }).success, false);
  });

  it('lists every object closed, with the declared descriptions', () => {
    interface Listed {
      additionalProperties?: unknown;
      description?: string;
      items?: Listed;
      properties?: Record<string, Listed>;
    }
    const listed = z.toJSONSchema(output, { io: 'output' }) as Listed;
    assert.equal(listed.additionalProperties, false);
    const topic = listed.properties?.topics?.items;
    assert.equal(topic?.additionalProperties, false);
    assert.equal(topic?.properties?.p_known?.description, 'probability the topic is known');
  });

  it('leaves an object the schema declares open as it is', () => {
    const open = toolOutput(Type.Object({ settings: Type.Object({}, { additionalProperties: true }) }));
    assert.equal(open.safeParse({ settings: { anything: 1 } }).success, true);
  });
});
