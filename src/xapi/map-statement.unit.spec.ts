/** The mapping of docs/xapi.md, statement by statement: published statements first, then malformed ones. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { validateEvent } from '../validation/validate-event.js';
import { mapStatement, type StatementMapping } from './map-statement.js';
import { mapStatements } from './map-statements.js';
import { FIXTURES, fixture, h5pAnswer, type Statement, singleChoiceSet, withAccount } from '../testing/xapi-statements.js';
import { DEFAULT_XAPI_MAPPING, type XapiMapping } from './xapi-mapping.js';

const NOW = new Date('2026-01-14T12:00:00Z');
const WHEN = '2026-01-14T10:00:00Z';
const mapping = (changes: Partial<XapiMapping> = {}): XapiMapping => ({ ...structuredClone(DEFAULT_XAPI_MAPPING), ...changes });

function mapped(statement: unknown, m = mapping()) {
  const r = mapStatement(statement, m, NOW);
  assert.ok(r.ok, `expected the statement to map: ${JSON.stringify(r)}`);
  return r.mapped;
}

function refused(statement: unknown, m = mapping()): Extract<StatementMapping, { ok: false }> {
  const r = mapStatement(statement, m, NOW);
  assert.ok(!r.ok, `expected a refusal: ${JSON.stringify(r)}`);
  return r;
}

const fields = (r: { errors: Array<{ field: string }> }) => r.errors.map((e) => e.field);

describe('published statements', () => {
  it("H5P's True/False answer, by a student with an account → one response.recorded: the item, success as correct, the duration in seconds", () => {
    const m = mapped(h5pAnswer('stu-1', WHEN));
    assert.equal(m.event.event_type, 'response.recorded');
    assert.equal(m.event.student_id, 'stu-1');
    assert.equal(m.event.timestamp, WHEN);
    assert.equal(m.event.topic, undefined, 'no parent, grouping or extension: the engine gives it `general`');
    const data = m.event.data as { item_id: string; correct: boolean; seconds: number };
    assert.equal(data.correct, false);
    assert.equal(data.seconds, 4.92);
    // https://h5p.org/true-false holds "/": an item id may not, so it is the IRI's hash.
    assert.match(data.item_id, /^xapi:[0-9a-f]{32}$/);
    assert.deepEqual(m.event.metadata, { source: 'xapi', xapi_verb: 'http://adlnet.gov/expapi/verbs/answered', xapi_object: 'https://h5p.org/true-false' });
  });

  it("H5P's Single Choice Set (answered without result.success) → a day of activity each, the questions on the set's topic", () => {
    const events = singleChoiceSet().map((s) => mapped(withAccount(s, 'stu-2')).event);
    assert.deepEqual(
      events.map((e) => e.event_type),
      ['activity.recorded', 'activity.recorded', 'activity.recorded', 'activity.recorded'],
    );
    assert.deepEqual(
      events.map((e) => e.topic),
      [undefined, 'h5p.org.single-choice-set', 'h5p.org.single-choice-set', 'h5p.org.single-choice-set'],
    );
    assert.equal(new Set(events.map((e) => e.event_id)).size, 4, 'four statements without ids, four ids');
  });

  it("ADL's scored `attempted` is activity by default, and a quiz report once `attempted` is configured as an assessment verb", () => {
    const statement = withAccount(fixture('adl-attempted-with-score'), 'stu-3');
    assert.equal(mapped(statement).event.event_type, 'activity.recorded');
    const quiz = mapped(statement, mapping({ assessmentVerbs: ['http://adlnet.gov/expapi/verbs/attempted'] })).event;
    assert.equal(quiz.event_type, 'mastery.calculation.requested');
    assert.equal(quiz.component, 'quiz');
    assert.deepEqual(quiz.data, { total_questions: 1000, correct_answers: 950 }, 'scaled 0.95 without counts: thousandths');
    assert.equal(quiz.timestamp, '2015-12-18T12:17:00+00:00');
    assert.equal(quiz.event_id, '7ccd3322-e1a5-411a-a67d-6a735c76f119', "the statement's id is the event's");
  });

  it("ADL's simple statement names its actor by mbox: refused by default, a student (the mbox's SHA-1) when mbox is configured", () => {
    const statement = fixture('adl-simple-statement');
    assert.deepEqual(fields(refused(statement)), ['actor.account.name']);
    const student = mapped(statement, mapping({ studentFrom: ['account', 'mbox'] })).event.student_id;
    assert.match(String(student), /^[0-9a-f]{40}$/);
    const bySum = { ...statement, actor: { mbox_sha1sum: createHash('sha1').update('mailto:user@example.com').digest('hex').toUpperCase() } };
    assert.equal(mapped(bySum, mapping({ studentFrom: ['mbox'] })).event.student_id, student, 'mbox and its mbox_sha1sum are one student');
  });

  it("ADL's long example has a Group for its actor: refused, naming actor.objectType, with the statement's id", () => {
    const r = refused(fixture('adl-long-example'), mapping({ studentFrom: ['account', 'mbox'] }));
    assert.equal(r.statementId, '6690e6c9-3ef0-4ed3-8b37-7f3964730bee');
    assert.deepEqual(fields(r), ['actor.objectType']);
  });

  it('every published statement, given an account, maps to an event the engine validates', () => {
    const all = [...FIXTURES.filter((f) => f !== 'h5p-single-choice-set').map((f) => fixture(f)), ...singleChoiceSet()];
    for (const statement of all.filter((s) => s.actor.objectType !== 'Group')) {
      const event = mapped(withAccount(statement, 'stu-4')).event;
      const v = validateEvent(event, { nowMs: NOW.getTime() });
      assert.ok(v.ok, `${JSON.stringify(event)}: ${JSON.stringify(v)}`);
    }
  });
});

describe('assessment verbs and their scores', () => {
  const completed = (score: unknown) => ({ ...h5pAnswer('stu-5', WHEN), verb: { id: 'http://adlnet.gov/expapi/verbs/completed' }, result: { score } });
  const quiz = (score: unknown) => mapped(completed(score)).event.data;

  it('raw of max, when they are counts that agree with scaled, is the quiz report itself', () => {
    assert.deepEqual(quiz({ min: 0, max: 3, raw: 2 }), { total_questions: 3, correct_answers: 2 });
    assert.deepEqual(quiz({ min: 0, max: 3, raw: 1, scaled: 0.3333 }), { total_questions: 3, correct_answers: 1 });
  });

  it('otherwise the share, in thousandths: scaled first, else (raw − min) / (max − min); a negative score counts as none right', () => {
    assert.deepEqual(quiz({ raw: 1, max: 3, scaled: 0.5 }), { total_questions: 1000, correct_answers: 500 }, 'scaled wins when the counts disagree');
    assert.deepEqual(quiz({ raw: 7.5, min: 5, max: 10 }), { total_questions: 1000, correct_answers: 500 });
    assert.deepEqual(quiz({ scaled: -0.4 }), { total_questions: 1000, correct_answers: 0 });
  });

  it('an assessment verb without a score marks the day; a score it cannot read is refused, naming the field', () => {
    assert.equal(mapped({ ...completed(undefined), result: { completion: true } }).event.event_type, 'activity.recorded');
    assert.deepEqual(fields(refused(completed({ scaled: 1.5 }))), ['result.score.scaled']);
    assert.deepEqual(fields(refused(completed({ raw: 4, max: 3 }))), ['result.score.raw']);
    assert.deepEqual(fields(refused(completed({ raw: 4 }))), ['result.score']);
    assert.deepEqual(fields(refused(completed({ scaled: '0.9' }))), ['result.score.scaled']);
    assert.deepEqual(fields(refused(completed(0.9))), ['result.score']);
  });
});

describe('topic and student', () => {
  const EXT = DEFAULT_XAPI_MAPPING.topicExtension;
  const withContext = (context: Statement, object?: Statement) => ({ ...h5pAnswer('stu-6', WHEN), context, ...(object ? { object } : {}) });
  const parent = { parent: [{ id: 'https://moodle.example.org/mod/quiz/view.php?id=42' }] };
  const grouping = { grouping: [{ id: 'https://moodle.example.org/course/view.php?id=7' }] };

  it('the topic extension wins over the parent, the parent over the grouping, and the order is configuration', () => {
    assert.equal(mapped(withContext({ contextActivities: { ...parent, ...grouping }, extensions: { [EXT]: 'python.loops' } })).event.topic, 'python.loops');
    assert.equal(mapped(withContext({ contextActivities: { ...parent, ...grouping } })).event.topic, 'moodle.example.org.mod.quiz.view.php.id.42');
    assert.equal(mapped(withContext({ contextActivities: grouping })).event.topic, 'moodle.example.org.course.view.php.id.7');
    const groupingFirst = mapping({ topicFrom: ['grouping', 'parent'] });
    assert.equal(mapped(withContext({ contextActivities: { ...parent, ...grouping } }), groupingFirst).event.topic, 'moodle.example.org.course.view.php.id.7');
  });

  it("the extension is read from the object's definition too, and a parent that leaves no name (`.`) gives way to the grouping", () => {
    const object = { id: 'urn:quiz:q1', definition: { extensions: { [EXT]: 'sql.joins' } } };
    assert.equal(mapped(withContext({}, object)).event.topic, 'sql.joins');
    assert.equal(mapped(withContext({ contextActivities: { parent: [{ id: '.' }], ...grouping } })).event.topic, 'moodle.example.org.course.view.php.id.7');
  });

  it('a topic extension that is no topic name is refused, naming the extension', () => {
    const r = refused(withContext({ extensions: { [EXT]: 'python loops' } }));
    assert.deepEqual(fields(r), [`context.extensions["${EXT}"]`]);
  });

  it('an account name that cannot be a student id is refused, naming actor.account.name', () => {
    assert.deepEqual(fields(refused(h5pAnswer('jane doe', WHEN))), ['actor.account.name']);
    assert.deepEqual(fields(refused(h5pAnswer('x'.repeat(65), WHEN))), ['actor.account.name']);
    assert.deepEqual(fields(refused({ ...h5pAnswer('a', WHEN), actor: { account: { homePage: 'https://lms.example.org' } } })), ['actor.account.name']);
  });

  it('an item IRI an item id may hold is kept as it is', () => {
    const m = mapped({ ...h5pAnswer('stu-7', WHEN), object: { id: 'urn:quiz:loops-q17' } });
    assert.equal((m.event.data as { item_id: string }).item_id, 'urn:quiz:loops-q17');
  });
});

describe('ids and times', () => {
  it('a statement without an id gets a UUID v5 of its canonical JSON: the same whatever the key order, another for another statement', () => {
    const a = h5pAnswer('stu-8', WHEN);
    const reordered = Object.fromEntries(Object.entries(a).reverse());
    const id = mapped(a).statementId;
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(mapped(reordered).statementId, id);
    assert.notEqual(mapped(h5pAnswer('stu-8', '2026-01-14T10:00:01Z')).statementId, id);
  });

  it("a statement's own id is the event id, in lower case", () => {
    const m = mapped(h5pAnswer('stu-9', WHEN, { id: 'FD41C918-B88B-4B20-A0A5-A4C32391AAA0' }));
    assert.equal(m.event.event_id, 'fd41c918-b88b-4b20-a0a5-a4c32391aaa0');
  });

  it('a time without an offset is UTC, +hhmm becomes +hh:mm; without a timestamp, `stored`, else now', () => {
    assert.equal(mapped(h5pAnswer('s', '2026-01-14T10:00:00.5')).event.timestamp, '2026-01-14T10:00:00.5Z');
    assert.equal(mapped(h5pAnswer('s', '2026-01-14T10:00:00+0200')).event.timestamp, '2026-01-14T10:00:00+02:00');
    const noTime = h5pAnswer('s', WHEN);
    delete noTime.timestamp;
    assert.equal(mapped({ ...noTime, stored: '2026-01-13T09:00:00Z' }).event.timestamp, '2026-01-13T09:00:00Z');
    assert.equal(mapped(noTime).event.timestamp, NOW.toISOString());
  });
});

describe('malformed statements', () => {
  it('what is not an object is refused as a whole', () => {
    for (const bad of [null, 'answered', 42, [h5pAnswer('s', WHEN)]]) assert.deepEqual(fields(refused(bad)), ['(statement)']);
  });

  it('every broken rule is named at once, by the field of the statement', () => {
    const r = refused({ id: 'not-a-uuid', version: '0.95', actor: 'someone', verb: { display: { en: 'did' } } });
    assert.deepEqual(fields(r), ['id', 'version', 'actor', 'verb.id', 'object']);
    assert.equal(r.statementId, undefined, 'an id that is no UUID is no event id either');
  });

  it('an answer whose success is not a boolean, whose duration is no ISO 8601 duration, or whose object has no id is refused', () => {
    assert.deepEqual(fields(refused(h5pAnswer('s', WHEN, { result: { success: 'yes' } }))), ['result.success']);
    assert.deepEqual(fields(refused(h5pAnswer('s', WHEN, { result: { success: true, duration: '4.92 seconds' } }))), ['result.duration']);
    assert.deepEqual(fields(refused(h5pAnswer('s', WHEN, { result: { success: true, duration: 'xPT1S' } }))), ['result.duration']);
    assert.deepEqual(fields(refused(h5pAnswer('s', WHEN, { object: { objectType: 'StatementRef' } }))), ['object.id']);
    assert.deepEqual(fields(refused(h5pAnswer('s', WHEN, { result: 'passed' }))), ['result']);
  });

  it('a voiding statement is refused: an applied event cannot be taken back', () => {
    const voiding = h5pAnswer('s', WHEN, {
      verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
      object: { objectType: 'StatementRef', id: 'fd41c918-b88b-4b20-a0a5-a4c32391aaa0' },
    });
    const r = refused(voiding);
    assert.deepEqual(fields(r), ['verb.id']);
    assert.match(r.errors[0]!.message, /cannot take back/);
  });

  it('versions 1.0.x and 2.0.x are read; others are refused', () => {
    for (const version of ['1.0.0', '1.0.3', '2.0.0']) mapped(h5pAnswer('s', WHEN, { version }));
    for (const version of ['0.95', '1.1.0', 2]) assert.deepEqual(fields(refused(h5pAnswer('s', WHEN, { version }))), ['version']);
  });

  it('a statement nested deeper than 24 levels is refused before anything walks it', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    const r = refused({ ...h5pAnswer('s', WHEN), result: deep });
    assert.deepEqual(fields(r), ['result']);
  });
});

describe('an array of statements', () => {
  it('maps all, or names each statement it cannot map by its index and maps none', () => {
    const good = h5pAnswer('stu-10', WHEN);
    assert.equal((mapStatements([good, good], mapping(), NOW) as { mapped: unknown[] }).mapped.length, 2);
    const r = mapStatements([good, { ...good, actor: {} }, good, 'x'], mapping(), NOW);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.refusals.map((x) => [x.index, fields(x)]),
      [
        [1, ['actor.account.name']],
        [3, ['(statement)']],
      ],
    );
  });
});
