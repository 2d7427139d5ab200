import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { assistmentsEvent, evaluateAssistments, parseAssistments, splitStudents } from './assistments.js';
import { evaluateLog } from './evaluate-log.js';
import { createIngest } from '../pipeline/ingest.js';
import { callers, memoryDeps } from '../testing/memory-deps.js';
import { validateEvent } from '../validation/validate-event.js';

const SAMPLE = readFileSync(new URL('../testing/fixtures/assistments17/assistments17-sample.tsv', import.meta.url), 'utf8');
const silent = pino({ level: 'silent' });

describe('the ASSISTments 2017 evaluation (npm run eval), on a sample of 40 students', () => {
  it('maps rows to valid events as learner-model §5 says', () => {
    const rows = parseAssistments(SAMPLE);
    assert.equal(rows.length, 9180);
    const first = rows[0]!;
    const e = assistmentsEvent(first);
    assert.equal(e.student_id, `a17-${first.user_id}`);
    assert.equal(e.topic, `s${first.skill_id}`);
    assert.deepEqual(e.data, { item_id: `i${first.item_id}`, correct: first.correct });
    assert.equal(Date.parse(e.timestamp), Date.parse('2010-01-01T00:00:00Z') + first.seconds * 1000);
    assert.ok(validateEvent(e, Date.parse('2013-01-01T00:00:00Z')).ok);
    assert.equal(assistmentsEvent(first).event_id, e.event_id, 'deterministic');
    assert.equal(new Set(rows.map((r) => assistmentsEvent(r).event_id)).size, rows.length, 'one id per row');
    const { train, test } = splitStudents(rows);
    assert.deepEqual([train.length, test.length], [24, 16]);
    const sorted = [...new Set(rows.map((r) => r.user_id))].sort((a, b) => a - b);
    assert.deepEqual(test.slice(0, 4), [sorted[0], sorted[1], sorted[5], sorted[6]]);
  });

  it('refuses a file that is not the data set, naming the line', () => {
    assert.throws(() => parseAssistments('user\titem\n1\t2\n'), /expected the header user_id item_id timestamp correct skill_id/);
    assert.throws(() => parseAssistments('user_id\titem_id\ttimestamp\tcorrect\tskill_id\n1\t2\t3\t2\t5\n'), /line 2 is not five whole numbers/);
  });

  it('fits on the train students through the engine, scores every test answer, and beats the references', async () => {
    const r = await evaluateAssistments(SAMPLE, silent);
    assert.deepEqual(r.students, { train: 24, test: 16 });
    assert.equal(r.answers.train + r.answers.test, 9180);
    assert.equal(r.model.answers, r.answers.test, 'every test answer scored');
    assert.equal(r.fit.answers, r.answers.train, 'the fit saw the train answers only');
    assert.equal(r.fit.model_version, 'v1');
    assert.equal(
      r.model.calibration.reduce((n, b) => n + b.count, 0),
      r.answers.test,
    );
    assert.ok(r.model.auc > r.references.topic_mean.auc + 0.05, `model ${r.model.auc} vs topic mean ${r.references.topic_mean.auc}`);
    assert.ok(r.model.rmse < r.references.topic_mean.rmse);
    assert.ok(r.forecast.points > 0);
    assert.ok(r.forecast.mean_absolute_error < r.forecast.no_change_mean_absolute_error);
  });
});

describe('mastery evaluate on an event log', () => {
  it('holds out the answers after the split, fits without storing, and changes no model', async () => {
    const rows = parseAssistments(SAMPLE);
    const deps = memoryDeps({ now: '2013-01-01T00:00:00Z' });
    const ingest = createIngest(deps);
    const events = rows.map(assistmentsEvent);
    for (let i = 0; i < events.length; i += 1000) assert.equal((await ingest(events.slice(i, i + 1000), callers.service)).rejected, 0);
    const split = '2011-06-01';
    const r = await evaluateLog(deps, { split });
    const before = events.filter((e) => e.timestamp < `${split}T00:00:00Z`).length;
    assert.equal(r.split, '2011-06-01T00:00:00.000Z');
    assert.equal(r.train_answers, before);
    assert.equal(r.model.answers, events.length - before);
    assert.equal(r.students, 40);
    assert.ok(r.model.auc > 0.6 && r.model.auc > r.references.seed_quiz.auc);
    assert.equal(await deps.params.latest(), null, 'nothing stored');
    assert.equal(deps.learner.current().version, 'default');
  });

  it('refuses to evaluate a log without events, or with too few answers before the split', async () => {
    const deps = memoryDeps({ now: '2013-01-01T00:00:00Z' });
    await assert.rejects(evaluateLog(deps), /FIT_REFUSED|no events/);
    await createIngest(deps)(parseAssistments(SAMPLE).slice(0, 300).map(assistmentsEvent), callers.service);
    await assert.rejects(evaluateLog(deps, { split: '2000-01-01' }), /at least 100 first-attempt answers; the log holds 0 before the split/);
  });
});
