import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../testing/property.js';
import type { LearningEvent } from '../model/learning-event.js';
import { validateEvent } from './validate-event.js';

/**
 * validateEvent against events.md: every rule of the envelope and of `data`, each refusal naming
 * its field, and the normalisation of what is accepted.
 */

type Raw = Record<string, unknown>;

const NOW = Date.parse('2026-01-14T10:30:00Z');
const ID = '6f1c2a9e-2b7d-4a8e-9f43-0c1d2e3f4a5b';
const MAX_BYTES = 16_384;

const completion = (): Raw => ({
  event_id: ID,
  event_type: 'mastery.calculation.requested',
  timestamp: '2026-01-14T10:30:00Z',
  student_id: '12345',
  component: 'completion',
  data: { total_exercises: 25, completed_exercises: 20 },
});

const quiz = (): Raw => ({
  ...completion(),
  component: 'quiz',
  data: { total_questions: 10, correct_answers: 7 },
});

const quality = (): Raw => ({
  ...completion(),
  component: 'quality',
  data: { avg_code_quality: 0.8, correctness: 0.9, efficiency: 0.7 },
});

const consistency = (): Raw => ({ ...completion(), component: 'consistency', data: {} });

const activity = (): Raw => ({
  event_id: ID,
  event_type: 'activity.recorded',
  timestamp: '2026-01-14T10:30:00Z',
  student_id: '12345',
  data: {},
});

function withData(base: Raw, patch: Raw): Raw {
  return { ...base, data: { ...(base.data as Raw), ...patch } };
}

function without(base: Raw, key: string): Raw {
  const copy = { ...base };
  delete copy[key];
  return copy;
}

function bytesOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function accepted(raw: unknown, nowMs = NOW): LearningEvent {
  const result = validateEvent(raw, nowMs);
  if (!result.ok) assert.fail(`expected acceptance, got ${JSON.stringify(result.errors)}`);
  return result.event;
}

/** Refused with an error on `field` whose message states the rule, and no error on any other field. */
function refused(raw: unknown, field: string, rule: RegExp, nowMs = NOW): void {
  const result = validateEvent(raw, nowMs);
  if (result.ok) assert.fail(`expected a refusal on ${field}, but it was accepted: ${JSON.stringify(result.event)}`);
  const errors = JSON.stringify(result.errors);
  assert.ok(
    result.errors.some((e) => e.field === field && rule.test(e.message)),
    `expected an error on ${field} matching ${rule}, got ${errors}`,
  );
  assert.deepEqual(
    result.errors.filter((e) => e.field !== field),
    [],
    `only ${field} is wrong, yet other fields were blamed: ${errors}`,
  );
}

describe('validateEvent: valid events of each kind are accepted and normalised', () => {
  it('completion: topic defaults to general, everything else is kept as sent', () => {
    assert.deepEqual(accepted(completion()), { ...completion(), topic: 'general' });
  });

  it('quiz', () => {
    assert.deepEqual(accepted(quiz()), { ...quiz(), topic: 'general' });
  });

  it('quality, including the bounds 0 and 1', () => {
    const edge = withData(quality(), { avg_code_quality: 0, correctness: 1, efficiency: 0.5 });
    assert.deepEqual(accepted(quality()), { ...quality(), topic: 'general' });
    assert.deepEqual(accepted(edge), { ...edge, topic: 'general' });
  });

  it('consistency: data {} kept, and a missing data becomes {}', () => {
    assert.deepEqual(accepted(consistency()), { ...consistency(), topic: 'general' });
    assert.deepEqual(accepted(without(consistency(), 'data')), { ...consistency(), topic: 'general', data: {} });
  });

  it('activity.recorded: no component, data {} (a missing data becomes {})', () => {
    assert.deepEqual(accepted(activity()), { ...activity(), topic: 'general' });
    assert.deepEqual(accepted(without(activity(), 'data')), { ...activity(), topic: 'general', data: {} });
  });

  it('the example envelope of events.md is accepted as is', () => {
    const example = {
      event_id: ID,
      event_type: 'mastery.calculation.requested',
      timestamp: '2026-01-14T10:30:00Z',
      student_id: '12345',
      component: 'completion',
      topic: 'python.loops',
      data: { total_exercises: 25, completed_exercises: 20, difficulty: 'intermediate' },
      metadata: { source: 'exercise-agent', version: '1.0' },
    };
    assert.deepEqual(accepted(example), example);
  });

  it('completion: every difficulty, and completed = 0 and completed = total', () => {
    for (const difficulty of ['beginner', 'intermediate', 'advanced']) {
      const e = withData(completion(), { difficulty });
      assert.deepEqual(accepted(e).data, e.data, difficulty);
    }
    assert.equal(validateEvent(withData(completion(), { completed_exercises: 0 }), NOW).ok, true);
    assert.equal(validateEvent(withData(completion(), { total_exercises: 1, completed_exercises: 1 }), NOW).ok, true);
  });

  it('quiz: avg_time_seconds (0 or fractional) and attempts (≥ 1) are accepted; correct = total too', () => {
    for (const patch of [
      { avg_time_seconds: 0 },
      { avg_time_seconds: 12.5 },
      { attempts: 1 },
      { attempts: 3, avg_time_seconds: 40 },
      { correct_answers: 10 },
      { correct_answers: 0 },
    ]) {
      const e = withData(quiz(), patch);
      assert.deepEqual(accepted(e).data, e.data, JSON.stringify(patch));
    }
  });

  it('topic: a key-safe topic of 1 to 64 characters is kept', () => {
    for (const topic of ['python.loops', 'a', 'A-Z_0.9', 't'.repeat(64)]) {
      assert.equal(accepted({ ...completion(), topic }).topic, topic);
    }
  });

  it('student_id: 1 to 64 characters of A–Z a–z 0–9 . _ - are accepted', () => {
    for (const student_id of ['1', 'Ab.c_d-9', 's'.repeat(64)]) {
      assert.equal(accepted({ ...completion(), student_id }).student_id, student_id);
    }
  });

  it('metadata: source and version, or none at all, with string values', () => {
    assert.deepEqual(accepted({ ...activity(), metadata: { source: 'quiz-agent', version: '2.1' } }).metadata, {
      source: 'quiz-agent',
      version: '2.1',
    });
    assert.deepEqual(accepted({ ...activity(), metadata: {} }).metadata, {});
    assert.equal(accepted(activity()).metadata, undefined);
  });

  it('retry_count (set by the engine on the retry topic) is accepted as a whole number ≥ 0', () => {
    assert.equal(accepted({ ...activity(), retry_count: 0 }).retry_count, 0);
    assert.equal(accepted({ ...activity(), retry_count: 3 }).retry_count, 3);
  });

  it('does not modify the event it was given', () => {
    const raw = { ...quiz(), event_id: ID.toUpperCase(), timestamp: '2026-01-14t10:30:00z' };
    const before = structuredClone(raw);
    accepted(raw);
    assert.deepEqual(raw, before);
  });
});

describe('validateEvent: normalisation', () => {
  it('an upper-case (or mixed-case) UUID is lower-cased', () => {
    assert.equal(accepted({ ...completion(), event_id: ID.toUpperCase() }).event_id, ID);
    assert.equal(accepted({ ...completion(), event_id: '6F1c2A9e-2b7D-4a8E-9f43-0C1d2E3f4A5b' }).event_id, ID);
  });

  it('UUIDs of any version are accepted, including the nil UUID', () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'a0eebc99-9c0b-1ef8-bb6d-6bb9bd380a11', '01890a5d-ac96-774b-bcce-b302099a8057']) {
      assert.equal(accepted({ ...completion(), event_id: id }).event_id, id);
    }
  });

  it("lower-case 't' and 'z' are accepted and written upper-case", () => {
    assert.equal(accepted({ ...completion(), timestamp: '2026-01-14t10:30:00z' }).timestamp, '2026-01-14T10:30:00Z');
    assert.equal(accepted({ ...completion(), timestamp: '2026-01-14t10:30:00Z' }).timestamp, '2026-01-14T10:30:00Z');
  });

  it('an offset such as +05:30 or -08:00 is accepted and kept', () => {
    assert.equal(accepted({ ...completion(), timestamp: '2026-01-14T15:30:00+05:30' }).timestamp, '2026-01-14T15:30:00+05:30');
    assert.equal(accepted({ ...completion(), timestamp: '2026-01-14T02:30:00-08:00' }).timestamp, '2026-01-14T02:30:00-08:00');
    assert.equal(accepted({ ...completion(), timestamp: '2026-01-14T10:30:00.250+00:00' }).timestamp, '2026-01-14T10:30:00.250+00:00');
  });

  it('a normalised event is valid again and normalises to itself', () => {
    for (const raw of [completion(), quiz(), quality(), consistency(), activity()]) {
      const once = accepted({ ...raw, event_id: ID.toUpperCase(), timestamp: '2026-01-14t10:30:00z' });
      assert.deepEqual(accepted(once), once);
    }
  });
});

describe('validateEvent: the envelope rules of events.md', () => {
  it('event_id must be a UUID', () => {
    for (const event_id of ['not-a-uuid', '6f1c2a9e2b7d4a8e9f430c1d2e3f4a5b', `{${ID}}`, `${ID}0`, `${ID}\n`, 'g'.repeat(8) + ID.slice(8), '']) {
      refused({ ...completion(), event_id }, 'event_id', /UUID/);
    }
  });

  it('event_id is required and must be a string', () => {
    refused(without(completion(), 'event_id'), 'event_id', /required/);
    refused({ ...completion(), event_id: 42 }, 'event_id', /string/);
  });

  it('event_type must be mastery.calculation.requested or activity.recorded', () => {
    for (const event_type of ['mastery.updated', 'Activity.Recorded', '', 'completion']) {
      refused({ ...completion(), event_type }, 'event_type', /mastery\.calculation\.requested.*activity\.recorded/);
    }
    refused(without(completion(), 'event_type'), 'event_type', /required/);
  });

  it('timestamp must be RFC 3339 with an offset', () => {
    for (const timestamp of [
      '2026-01-14T10:30:00', // no offset
      '2026-01-14', // a date only
      '2026-02-30T10:30:00Z', // not a date
      '2026-02-29T10:30:00Z', // 2026 is not a leap year
      '2026-01-14T24:00:00Z', // hour 24
      '2026-01-14T10:60:00Z',
      '2026-01-14 10:30:00', // neither T nor offset
      '14/01/2026 10:30',
      'Wed, 14 Jan 2026 10:30:00 GMT',
      '2026-01-14T10:30:00+0530', // offset without a colon
      '',
    ]) {
      refused({ ...completion(), timestamp }, 'timestamp', /RFC 3339/);
    }
    refused(without(completion(), 'timestamp'), 'timestamp', /required/);
    refused({ ...completion(), timestamp: Date.parse('2026-01-14T10:30:00Z') }, 'timestamp', /string/);
  });

  it('timestamp may be at most 5 minutes in the future of the clock: exactly 5 minutes is allowed', () => {
    assert.equal(validateEvent({ ...completion(), timestamp: '2026-01-14T10:35:00Z' }, NOW).ok, true);
    assert.equal(validateEvent({ ...completion(), timestamp: '2026-01-14T16:05:00+05:30' }, NOW).ok, true);
    assert.equal(validateEvent({ ...completion(), timestamp: '2025-01-14T10:30:00Z' }, NOW).ok, true, 'the past is fine');
  });

  it('timestamp more than 5 minutes in the future is refused (5 min + 1 s, + 1 ms, written with any offset)', () => {
    refused({ ...completion(), timestamp: '2026-01-14T10:35:01Z' }, 'timestamp', /5 minutes in the future/);
    refused({ ...completion(), timestamp: '2026-01-14T10:35:00.001Z' }, 'timestamp', /5 minutes in the future/);
    refused({ ...completion(), timestamp: '2026-01-14T16:05:01+05:30' }, 'timestamp', /5 minutes in the future/);
    refused({ ...completion(), timestamp: '2027-01-14T10:30:00Z' }, 'timestamp', /5 minutes in the future/);
  });

  it('the future limit is relative to nowMs, not to the machine clock', () => {
    const later = NOW + 60 * 60 * 1000;
    assert.equal(validateEvent({ ...completion(), timestamp: '2026-01-14T11:30:00Z' }, later).ok, true);
    refused({ ...completion(), timestamp: '2026-01-14T11:30:00Z' }, 'timestamp', /future/, NOW);
  });

  it('with a retention window, a timestamp before its start is refused; its start itself is not', () => {
    const oldestMs = Date.parse('2025-10-16T00:00:00Z');
    const window = { nowMs: NOW, oldestMs };
    const at = (timestamp: string) => validateEvent({ ...completion(), timestamp }, window);
    assert.equal(at('2025-10-16T00:00:00Z').ok, true, 'the first instant of the retention period');
    assert.equal(at('2025-10-16T05:30:00+05:30').ok, true, 'the same instant written with an offset');
    assert.deepEqual(at('2025-10-15T23:59:59.999Z'), {
      ok: false,
      errors: [{ field: 'timestamp', message: 'is older than the retention period: such data is not kept' }],
    });
    assert.deepEqual(at('2025-10-16T05:29:59+05:30'), {
      ok: false,
      errors: [{ field: 'timestamp', message: 'is older than the retention period: such data is not kept' }],
    });
  });

  it('the future limit holds inside a retention window too, and a bare clock sets no lower bound', () => {
    const window = { nowMs: NOW, oldestMs: Date.parse('2025-10-16T00:00:00Z') };
    const future = validateEvent({ ...completion(), timestamp: '2026-01-14T10:35:01Z' }, window);
    assert.deepEqual(future, { ok: false, errors: [{ field: 'timestamp', message: 'must not be more than 5 minutes in the future' }] });
    assert.equal(validateEvent({ ...completion(), timestamp: '2026-01-14T10:35:00Z' }, window).ok, true);
    assert.equal(validateEvent({ ...completion(), timestamp: '1970-01-01T00:00:00Z' }, NOW).ok, true);
    assert.equal(validateEvent({ ...completion(), timestamp: '1970-01-01T00:00:00Z' }, { nowMs: NOW }).ok, true);
  });

  const badKeys: ReadonlyArray<readonly [string, string]> = [
    ['empty', ''],
    ['65 characters', 'x'.repeat(65)],
    ['a space', 'ab cd'],
    ['a slash', 'ab/cd'],
    ["a ':'", 'ab:cd'],
    ["a '{'", 'ab{cd'],
    ["a '}'", 'ab}cd'],
    ['a trailing newline', 'abcd\n'],
    ['a non-ASCII letter', 'étudiant'],
    ['a wildcard', 'ab*'],
  ];

  for (const [what, value] of badKeys) {
    it(`student_id with ${what} is refused`, () => {
      refused({ ...completion(), student_id: value }, 'student_id', /1–64 characters of A–Z a–z 0–9 \. _ -/);
    });
    it(`topic with ${what} is refused`, () => {
      refused({ ...completion(), topic: value }, 'topic', /1–64 characters of A–Z a–z 0–9 \. _ -/);
    });
  }

  it('student_id is required and must be a string', () => {
    refused(without(completion(), 'student_id'), 'student_id', /required/);
    refused({ ...completion(), student_id: 12345 }, 'student_id', /string/);
  });

  it('component is required for mastery.calculation.requested', () => {
    refused(without(completion(), 'component'), 'component', /required for mastery\.calculation\.requested/);
    refused(without(consistency(), 'component'), 'component', /required for mastery\.calculation\.requested/);
  });

  it('component must be absent for activity.recorded', () => {
    refused({ ...activity(), component: 'consistency' }, 'component', /absent for activity\.recorded/);
    refused({ ...activity(), component: 'completion' }, 'component', /absent for activity\.recorded/);
  });

  it('component must be completion, quiz, quality or consistency', () => {
    for (const component of ['mastery', 'Completion', '', 'activity']) {
      refused({ ...completion(), component }, 'component', /completion, quiz, quality, consistency/);
    }
  });

  it('an unknown top-level field is refused, named by its name', () => {
    refused({ ...completion(), foo: 1 }, 'foo', /not an allowed field/);
    refused({ ...completion(), studentId: '12345' }, 'studentId', /not an allowed field/);
  });

  it('an unknown top-level field with an empty name is still named in the error', () => {
    // The producer must learn which field is wrong (events.md); an error on field "" names nothing.
    const result = validateEvent({ ...completion(), '': 1 }, NOW);
    assert.equal(result.ok, false);
    if (!result.ok) {
      const errors = JSON.stringify(result.errors);
      assert.ok(
        result.errors.some((e) => /not an allowed field/.test(e.message)),
        errors,
      );
      assert.ok(
        result.errors.every((e) => e.field.length > 0),
        `an error with an empty field: ${errors}`,
      );
    }
  });

  it('data must be an object', () => {
    for (const data of [null, [], 'x', 1]) {
      refused({ ...activity(), data }, 'data', /object/);
    }
  });

  it('metadata must be an object whose values are strings', () => {
    refused({ ...activity(), metadata: { source: 1 } }, 'metadata.source', /string/);
    refused({ ...activity(), metadata: { version: null } }, 'metadata.version', /string/);
    refused({ ...activity(), metadata: { source: 'a', extra: { nested: 'x' } } }, 'metadata.extra', /string/);
    refused({ ...activity(), metadata: 'exercise-agent' }, 'metadata', /object/);
  });

  it('metadata values must be strings whatever the key, even one with a line break', () => {
    // A key containing a line terminator must not slip past the "strings only" rule.
    const result = validateEvent({ ...activity(), metadata: { 'a\nb': 5 } }, NOW);
    assert.equal(result.ok, false, `metadata {"a\\nb": 5} was accepted: ${JSON.stringify(result)}`);
    if (!result.ok)
      assert.ok(
        result.errors.some((e) => e.field.startsWith('metadata')),
        JSON.stringify(result.errors),
      );
  });

  it('a metadata key that is not a plain word is named in brackets (events.md: metadata["a/b"])', () => {
    refused({ ...activity(), metadata: { 'a/b': 1 } }, 'metadata["a/b"]', /string/);
    refused({ ...activity(), metadata: { 'x~y': 1 } }, 'metadata["x~y"]', /string/);
    refused({ ...activity(), metadata: { 'v1.0': true } }, 'metadata["v1.0"]', /string/);
  });

  it('retry_count must be a whole number ≥ 0', () => {
    refused({ ...activity(), retry_count: -1 }, 'retry_count', />= 0/);
    refused({ ...activity(), retry_count: 1.5 }, 'retry_count', /integer/);
  });

  it('every broken rule is reported, each naming its field', () => {
    const result = validateEvent({ ...completion(), event_id: 'nope', student_id: 'a b', foo: true }, NOW);
    assert.equal(result.ok, false);
    if (!result.ok) assert.deepEqual(new Set(result.errors.map((e) => e.field)), new Set(['event_id', 'student_id', 'foo']));
  });
});

describe('validateEvent: each broken rule is reported once, as what it is', () => {
  /** Refused with exactly these errors, in any order. */
  function refusedWith(raw: unknown, expected: Array<{ field: string; message: string }>): void {
    const result = validateEvent(raw, NOW);
    if (result.ok) assert.fail(`expected a refusal, but it was accepted: ${JSON.stringify(result.event)}`);
    const key = (e: { field: string; message: string }) => `${e.field} ${e.message}`;
    assert.deepEqual(result.errors.map(key).sort(), expected.map(key).sort());
  }

  it('a count sent as a string is not an integer, and is not compared with the other count', () => {
    // '26' > 25 holds in JavaScript; the producer must hear about the type, not a made-up excess.
    refusedWith(withData(completion(), { completed_exercises: '26' }), [{ field: 'data.completed_exercises', message: 'must be integer' }]);
    refusedWith(withData(completion(), { total_exercises: '25', completed_exercises: 26 }), [{ field: 'data.total_exercises', message: 'must be integer' }]);
    refusedWith(withData(quiz(), { correct_answers: '11' }), [{ field: 'data.correct_answers', message: 'must be integer' }]);
    refusedWith(withData(quiz(), { total_questions: '10', correct_answers: 11 }), [{ field: 'data.total_questions', message: 'must be integer' }]);
  });

  it('the excess rule names the total it was compared with', () => {
    refusedWith(withData(completion(), { completed_exercises: 26 }), [
      { field: 'data.completed_exercises', message: 'must not exceed data.total_exercises (25)' },
    ]);
    refusedWith(withData(quiz(), { correct_answers: 11 }), [{ field: 'data.correct_answers', message: 'must not exceed data.total_questions (10)' }]);
  });

  it('data that is not an object (an array among them) is said once, whatever the event type', () => {
    for (const data of [[], [25, 20], null]) {
      for (const base of [completion(), consistency(), activity()]) {
        refusedWith({ ...base, data }, [{ field: 'data', message: 'must be object' }]);
      }
      refusedWith({ ...without(activity(), 'data'), event_type: 'response.recorded', data }, [{ field: 'data', message: 'must be object' }]);
    }
  });

  it('a component that is not a string is refused as a component, and data is not judged by it', () => {
    refusedWith({ ...completion(), component: ['quiz'] }, [{ field: 'component', message: 'must be one of: completion, quiz, quality, consistency' }]);
    refusedWith({ ...completion(), component: 'valueOf' }, [{ field: 'component', message: 'must be one of: completion, quiz, quality, consistency' }]);
  });

  it('a timestamp that is missing or not a string is said to be so, not also to be no RFC 3339 date-time', () => {
    refusedWith({ ...completion(), timestamp: Date.parse('2026-01-14T10:30:00Z') }, [{ field: 'timestamp', message: 'must be string' }]);
    refusedWith(without(completion(), 'timestamp'), [{ field: 'timestamp', message: 'is required' }]);
  });

  it("another component's fields are unknown, and not judged by that component's rules", () => {
    refusedWith(withData(quality(), { total_exercises: 1, completed_exercises: 2 }), [
      { field: 'data.total_exercises', message: 'is not an allowed field' },
      { field: 'data.completed_exercises', message: 'is not an allowed field' },
    ]);
    refusedWith(withData(completion(), { total_questions: 1, correct_answers: 2 }), [
      { field: 'data.total_questions', message: 'is not an allowed field' },
      { field: 'data.correct_answers', message: 'is not an allowed field' },
    ]);
  });

  it('response.recorded without data names data and what it must hold', () => {
    refusedWith({ ...without(activity(), 'data'), event_type: 'response.recorded' }, [
      { field: 'data', message: 'is required for response.recorded: { item_id, correct, attempt?, seconds? }' },
    ]);
  });

  it('a metadata value that is not a string is refused as such, even holding a NUL', () => {
    refusedWith({ ...activity(), metadata: { note: ['\u0000'] } }, [{ field: 'metadata.note', message: 'must be string' }]);
    refusedWith({ ...activity(), metadata: ['\u0000'] }, [{ field: 'metadata', message: 'must be object' }]);
  });
});

describe('validateEvent: text the event log could not store', () => {
  // PostgreSQL's jsonb refuses NUL and unpaired surrogates; such an event would fail its whole batch.
  it('refuses a metadata value holding U+0000, naming the key', () => {
    refused({ ...activity(), metadata: { source: 'before\u0000after' } }, 'metadata.source', /NUL/);
  });

  it('refuses a metadata value holding a lone surrogate, naming the key', () => {
    refused({ ...activity(), metadata: { source: 'half \ud83d of an emoji' } }, 'metadata.source', /surrogate/);
    refused({ ...activity(), metadata: { note: '\udc00 low first' } }, 'metadata.note', /surrogate/);
  });

  it('refuses a metadata key holding U+0000', () => {
    refused({ ...activity(), metadata: { 'a\u0000b': 'x' } }, 'metadata["a\\u0000b"]', /NUL/);
  });

  it('accepts whole surrogate pairs (emoji) and other control characters', () => {
    const v = validateEvent({ ...activity(), metadata: { lang: 'élève 学生 😀', note: 'tab\there\u0001' } }, NOW);
    assert.equal(v.ok, true, JSON.stringify(v));
  });
});

describe('validateEvent: data by component', () => {
  it('data is required for completion, quiz and quality', () => {
    for (const base of [completion(), quiz(), quality()]) {
      refused(without(base, 'data'), 'data', /required for component/);
    }
  });

  it('an unknown field inside data is refused as data.<name>, for every component and activity', () => {
    for (const base of [completion(), quiz(), quality(), consistency(), activity()]) {
      refused(withData(base, { foo: 1 }), 'data.foo', /not an allowed field/);
    }
  });

  it('a field of another component is unknown (quiz fields in completion data)', () => {
    refused(withData(completion(), { total_questions: 3 }), 'data.total_questions', /not an allowed field/);
  });

  it('consistency and activity.recorded carry data {} only', () => {
    refused(withData(consistency(), { days: 3 }), 'data.days', /not an allowed field/);
    refused(withData(activity(), { total_exercises: 1 }), 'data.total_exercises', /not an allowed field/);
  });

  it('completion: total_exercises is a whole number ≥ 1', () => {
    refused(withData(completion(), { total_exercises: 0, completed_exercises: 0 }), 'data.total_exercises', />= 1/);
    refused(withData(completion(), { total_exercises: 25.5 }), 'data.total_exercises', /integer/);
    refused(withData(completion(), { total_exercises: '25' }), 'data.total_exercises', /integer/);
    refused({ ...completion(), data: { completed_exercises: 1 } }, 'data.total_exercises', /required/);
  });

  it('completion: completed_exercises is a whole number from 0 to total_exercises', () => {
    refused(withData(completion(), { completed_exercises: 26 }), 'data.completed_exercises', /exceed.*total_exercises/);
    refused(withData(completion(), { completed_exercises: -1 }), 'data.completed_exercises', />= 0/);
    refused(withData(completion(), { completed_exercises: 2.5 }), 'data.completed_exercises', /integer/);
    refused({ ...completion(), data: { total_exercises: 25 } }, 'data.completed_exercises', /required/);
  });

  it('completion: difficulty is beginner, intermediate or advanced', () => {
    refused(withData(completion(), { difficulty: 'expert' }), 'data.difficulty', /beginner, intermediate, advanced/);
    refused(withData(completion(), { difficulty: 'Beginner' }), 'data.difficulty', /beginner, intermediate, advanced/);
  });

  it('quiz: total_questions ≥ 1 and correct_answers from 0 to total_questions, whole numbers', () => {
    refused(withData(quiz(), { total_questions: 0, correct_answers: 0 }), 'data.total_questions', />= 1/);
    refused(withData(quiz(), { correct_answers: 11 }), 'data.correct_answers', /exceed.*total_questions/);
    refused(withData(quiz(), { correct_answers: -1 }), 'data.correct_answers', />= 0/);
    refused(withData(quiz(), { total_questions: 10.5 }), 'data.total_questions', /integer/);
    refused(withData(quiz(), { correct_answers: 6.5 }), 'data.correct_answers', /integer/);
  });

  it('quiz: avg_time_seconds ≥ 0', () => {
    refused(withData(quiz(), { avg_time_seconds: -0.5 }), 'data.avg_time_seconds', />= 0/);
    refused(withData(quiz(), { avg_time_seconds: '12' }), 'data.avg_time_seconds', /number/);
  });

  it('quiz: attempts is a whole number ≥ 1', () => {
    refused(withData(quiz(), { attempts: 0 }), 'data.attempts', />= 1/);
    refused(withData(quiz(), { attempts: 1.5 }), 'data.attempts', /integer/);
  });

  for (const field of ['avg_code_quality', 'correctness', 'efficiency']) {
    it(`quality: ${field} outside [0, 1] is refused, not clamped`, () => {
      refused(withData(quality(), { [field]: -0.01 }), `data.${field}`, />= 0/);
      refused(withData(quality(), { [field]: 1.01 }), `data.${field}`, /<= 1/);
      refused(withData(quality(), { [field]: '0.5' }), `data.${field}`, /number/);
      refused({ ...quality(), data: without(quality().data as Raw, field) }, `data.${field}`, /required/);
    });
  }
});

describe('validateEvent: size and shape of the whole event', () => {
  /** A valid event padded (in metadata) to exactly `bytes` bytes of JSON. */
  function eventOfBytes(bytes: number, padChar = 'x'): Raw {
    const e = { ...completion(), metadata: { source: 'exercise-agent', pad: '' } };
    const room = bytes - bytesOf(e);
    const charBytes = Buffer.byteLength(padChar, 'utf8');
    const padded = { ...e, metadata: { ...e.metadata, pad: padChar.repeat(Math.floor(room / charBytes)) + 'x'.repeat(room % charBytes) } };
    assert.equal(bytesOf(padded), bytes, 'test set-up: the padded event has the intended size');
    return padded;
  }

  it('an event of exactly 16,384 bytes of JSON is accepted', () => {
    assert.equal(validateEvent(eventOfBytes(MAX_BYTES), NOW).ok, true);
  });

  /** `value` wrapped in `levels` objects: {a:{a:…value…}}, built without recursion. */
  const nested = (levels: number, value: unknown = 'x'): unknown => {
    let v = value;
    for (let i = 0; i < levels; i++) v = i % 2 === 0 ? { a: v } : [v];
    return v;
  };

  it('an event nesting deeper than 10 levels is refused before any recursive step, naming the field', () => {
    // 5,000 levels in 16 KB: JSON.stringify alone would overflow the stack on it.
    refused({ ...completion(), metadata: nested(5000) }, 'metadata', /deeper than 10 levels/);
    refused({ ...completion(), data: nested(12) }, 'data', /deeper than 10 levels/);
    refused({ ...completion(), extra: nested(11, {}) }, 'extra', /deeper than 10 levels/);
  });

  it('10 levels, the event itself the first, are not refused for their depth (what is inside is judged as usual)', () => {
    const atLimit = validateEvent({ ...completion(), metadata: nested(9) }, NOW);
    assert.equal(atLimit.ok, false);
    if (!atLimit.ok)
      assert.deepEqual(
        atLimit.errors.map((e) => e.field),
        ['metadata.a'],
        'metadata values must be strings',
      );
    refused({ ...completion(), metadata: nested(10) }, 'metadata', /deeper than 10 levels/);
  });

  it('a leap second (…:60) is refused, saying why and what to send instead', () => {
    refused({ ...completion(), timestamp: '2016-12-31T23:59:60Z' }, 'timestamp', /leap second .*:59\.999/, Date.parse('2017-01-01T00:00:00Z'));
    refused({ ...completion(), timestamp: '2016-12-31T23:59:61Z' }, 'timestamp', /RFC 3339/, Date.parse('2017-01-01T00:00:00Z'));
  });

  it('a leap second is recognised in every form RFC 3339 allows; other texts with :60 are simply not RFC 3339', () => {
    const after = Date.parse('2017-01-01T12:00:00Z');
    for (const timestamp of [
      '2016-12-31t23:59:60z',
      '2016-12-31T23:59:60.5Z',
      '2016-12-31T23:59:60.123456Z',
      '2017-01-01T05:29:60+05:30',
      '2016-12-31T18:59:60-05:00',
    ]) {
      refused({ ...completion(), timestamp }, 'timestamp', /^is a leap second \(:60\)/, after);
    }
    for (const timestamp of [
      'x2016-12-31T23:59:60Z',
      '2016-12-31T23:59:60Zx',
      '2016-12-31T23:59:60',
      '2016-12-31 23:59:60Z',
      '2016-12-31T23:59:60.Z',
      '2016-12-31T23:59:60+0530',
      '2016-12-31T23:59:60 05:30',
      '2016-12-31T23:59:60Y',
      '12016-12-31T23:59:60Z',
      '2016-012-31T23:59:60Z',
      '2016-12-031T23:59:60Z',
      '2016-12-31T123:59:60Z',
      '2016-12-31T23:059:60Z',
      '2016-12-31T23:59:600Z',
      '2016-12-31T23:59:60+005:30',
      '2016-12-31T23:59:60+05:030',
    ]) {
      refused({ ...completion(), timestamp }, 'timestamp', /^must be an RFC 3339 date-time with an offset/, after);
    }
  });

  it('an event of 16,385 bytes is refused, naming the whole event', () => {
    refused(eventOfBytes(MAX_BYTES + 1), '(event)', /16384/);
    refused(eventOfBytes(100_000), '(event)', /bytes/);
  });

  it('the size counts UTF-8 bytes, not characters', () => {
    const e = eventOfBytes(MAX_BYTES + 2, 'é'); // 2 bytes per character: fewer than 16,384 characters
    assert.ok(JSON.stringify(e).length <= MAX_BYTES, 'test set-up: few enough characters');
    refused(e, '(event)', /bytes/);
  });

  for (const [what, value] of [
    ['null', null],
    ['an array', [completion()]],
    ['a string', JSON.stringify(completion())],
    ['a number', 42],
    ['a boolean', true],
    ['undefined', undefined],
  ] as const) {
    it(`${what} is refused as not a JSON object`, () => {
      refused(value, '(event)', /JSON object/);
    });
  }

  it('an empty object is refused, with every required field named', () => {
    const result = validateEvent({}, NOW);
    assert.equal(result.ok, false);
    if (!result.ok) {
      const fields = new Set(result.errors.map((e) => e.field));
      for (const field of ['event_id', 'event_type', 'timestamp', 'student_id']) assert.ok(fields.has(field), field);
    }
  });
});

describe('validateEvent: properties', () => {
  function assertWellFormedRefusalOrValid(value: unknown): void {
    const result = validateEvent(value, NOW);
    if (result.ok) {
      // A value that happens to be valid must survive a second validation unchanged.
      assert.deepEqual(accepted(result.event), result.event);
      return;
    }
    const errors = JSON.stringify(result.errors);
    assert.ok(result.errors.length > 0, 'a refusal names at least one error');
    for (const e of result.errors) {
      assert.equal(typeof e.field, 'string', errors);
      assert.ok(typeof e.message === 'string' && e.message.length > 0, `empty message in ${errors}`);
    }
    assert.ok(
      result.errors.some((e) => e.field.length > 0 && e.message.length > 0),
      `no error names a field: ${errors}`,
    );
  }

  it('any JSON value: never throws; either valid or refused with named, explained errors', () => {
    fc.assert(fc.property(fc.jsonValue(), assertWellFormedRefusalOrValid), { numRuns: 500 });
  });

  it('any JSON value passed through JSON text (as HTTP and Kafka deliver it): same', () => {
    fc.assert(
      fc.property(fc.json(), (text) => assertWellFormedRefusalOrValid(JSON.parse(text))),
      { numRuns: 300 },
    );
  });

  it('a valid event with one field replaced by an arbitrary JSON value: never throws, refusals are explained', () => {
    const bases = [completion(), quiz(), quality(), consistency(), activity()];
    const keys = ['event_id', 'event_type', 'timestamp', 'student_id', 'component', 'topic', 'data', 'metadata', 'retry_count', 'extra'];
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.constantFrom(...keys), fc.jsonValue(), (base, key, value) => {
        assertWellFormedRefusalOrValid({ ...base, [key]: value });
        assertWellFormedRefusalOrValid({ ...base, data: { ...(base.data as Raw), [key]: value } });
      }),
      { numRuns: 500 },
    );
  });

  it('generated valid completion and quiz events are accepted; completed > total never is', () => {
    const counts = fc.integer({ min: 1, max: 10_000 }).chain((total) => fc.record({ total: fc.constant(total), part: fc.integer({ min: 0, max: total }) }));
    fc.assert(
      fc.property(counts, fc.uuid(), ({ total, part }, id) => {
        accepted({ ...completion(), event_id: id, data: { total_exercises: total, completed_exercises: part } });
        accepted({ ...quiz(), event_id: id, data: { total_questions: total, correct_answers: part } });
        refused({ ...completion(), data: { total_exercises: total, completed_exercises: total + 1 } }, 'data.completed_exercises', /exceed/);
        refused({ ...quiz(), data: { total_questions: total, correct_answers: total + 1 } }, 'data.correct_answers', /exceed/);
      }),
    );
  });

  it('quality values inside [0, 1] are accepted as sent; outside are refused', () => {
    const unit = fc.double({ min: 0, max: 1, noNaN: true });
    const outside = fc.oneof(fc.double({ min: -1e6, max: -Number.MIN_VALUE, noNaN: true }), fc.double({ min: 1.000001, max: 1e6, noNaN: true }));
    fc.assert(
      fc.property(unit, unit, unit, outside, (a, b, c, bad) => {
        const data = { avg_code_quality: a, correctness: b, efficiency: c };
        assert.deepEqual(accepted({ ...quality(), data }).data, data);
        refused({ ...quality(), data: { ...data, correctness: bad } }, 'data.correctness', /[<>]= [01]/);
      }),
    );
  });
});
