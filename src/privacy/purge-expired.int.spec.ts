import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditEntry } from '../audit/audit-access.js';
import type { LearningEvent } from '../model/learning-event.js';
import { createIngest } from '../pipeline/ingest.js';
import { rebuildState } from '../pipeline/rebuild-state.js';
import { callers, memoryDeps } from '../testing/memory-deps.js';
import { wire } from '../testing/wire-events.js';
import { validateEvent } from '../validation/validate-event.js';
import { purgeExpired } from './purge-expired.js';

const NOW = '2026-03-01T12:00:00Z';

/** An engine whose clock says 1 March 2026 and which keeps 30 days. */
function engine() {
  const deps = memoryDeps({ now: NOW, policy: { retentionDays: 30 } });
  return { deps, ingest: createIngest(deps) };
}

const asLogged = (raw: object): LearningEvent => {
  const v = validateEvent(raw, Date.parse(NOW));
  assert.ok(v.ok);
  return v.event;
};

describe('retention purge', () => {
  it('removes events older than the retention period, and the days they made, from every store', async () => {
    const { deps } = engine();
    // Logged while they were still inside retention (the pipeline would refuse them now).
    const old = [wire.completion('ada', '2026-01-10T10:00:00Z', { total_exercises: 10, completed_exercises: 9 }), wire.activity('bob', '2026-01-15T10:00:00Z')];
    const kept = [wire.quiz('ada', '2026-02-20T10:00:00Z', { total_questions: 10, correct_answers: 5 })];
    const events = [...old, ...kept].map(asLogged);
    await deps.log.append(events);
    await rebuildState(deps);
    await deps.audit.record([
      { ...auditEntry(deps, callers.admin, 'ada', 'mastery.read', 'allowed'), at: '2026-01-20T00:00:00.000Z' },
      { ...auditEntry(deps, callers.admin, 'ada', 'mastery.read', 'allowed'), at: '2026-02-25T00:00:00.000Z' },
    ]);

    const report = await purgeExpired(deps);

    assert.deepEqual(report, { cutoff: '2026-01-30T00:00:00.000Z', events: 2, students: 2, erased_leftovers: 0, audit_entries: 1 });
    assert.deepEqual(
      (await deps.log.readStudent('ada')).map((e) => e.event_id),
      [events[2]!.event_id],
    );
    const ada = (await deps.store.load(['ada'])).get('ada')!;
    assert.deepEqual([...ada.state.days], ['2026-02-20'], 'the January day is gone from the state');
    assert.equal(ada.state.topics.get('general')?.inputs.completion, undefined, 'and so is its completion report');
    assert.equal((await deps.store.load(['bob'])).size, 0, 'a student with nothing left is removed');
    assert.deepEqual(await deps.store.unprocessed([events[0]!.event_id]), new Set([events[0]!.event_id]));
    assert.equal((await deps.audit.query({ studentId: 'ada', limit: 10 })).entries.length, 1);

    assert.deepEqual(await purgeExpired(deps), { ...report, events: 0, students: 0, audit_entries: 0 }, 'a second run finds nothing');
  });

  it('refuses at ingestion an event already past retention', async () => {
    const { deps, ingest } = engine();
    const report = await ingest([wire.activity('cy', '2026-01-10T10:00:00Z'), wire.activity('cy', '2026-02-28T10:00:00Z')], callers.service);
    assert.equal(report.accepted, 1);
    const refused = report.results[0]!;
    assert.ok(refused.status === 'rejected' && refused.errors[0]!.field === 'timestamp' && /retention/.test(refused.errors[0]!.message));
    assert.equal((await deps.log.readStudent('cy')).length, 1);
  });

  it('sweeps what an erased student left behind: an event that was in flight at the moment of erasure', async () => {
    const { deps, ingest } = engine();
    await ingest([wire.activity('dee', '2026-02-27T10:00:00Z')], callers.service);
    await deps.privacy.markErased('dee', NOW);
    await deps.log.eraseStudent('dee');
    // The in-flight batch passed admission before the tombstone and lands after the erasure.
    const late = asLogged(wire.activity('dee', '2026-02-28T10:00:00Z'));
    await deps.log.append([late]);

    const report = await purgeExpired(deps);

    assert.equal(report.erased_leftovers, 1);
    assert.deepEqual(await deps.log.readStudent('dee'), []);
    assert.equal((await deps.store.load(['dee'])).size, 0);
  });
});
