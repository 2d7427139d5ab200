/**
 * The outbox over the memory adapters: an update is saved with its write before it is
 * published, so a run that stops (or a bus that fails) between the two loses nothing; what is
 * published again keeps the event_id it was saved with (events.md, "Delivery").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryBus } from '../adapters/memory/memory-bus.js';
import { createMemoryStateStore } from '../adapters/memory/memory-state-store.js';
import type { Bus, MasteryUpdated } from '../ports/bus.js';
import type { StateStore } from '../ports/state-store.js';
import { callers, memoryDeps } from '../testing/memory-deps.js';
import { wire, workedExampleB } from '../testing/wire-events.js';
import type { EngineDeps } from '../engine-deps.js';
import { createIngest } from './ingest.js';
import { republishRecent } from './outbox.js';

const NOW = '2026-01-14T12:00:00Z';

/** A bus whose publish fails while `down` is true, and that records what it delivered. */
function flakyBus(): { bus: Bus; delivered: MasteryUpdated[]; down: boolean } {
  const inner = createMemoryBus((error) => {
    throw error;
  });
  const state = {
    delivered: [] as MasteryUpdated[],
    down: false,
    bus: {
      ...inner,
      publish: async (updates: readonly MasteryUpdated[]) => {
        if (state.down) throw new Error('the broker is down');
        state.delivered.push(...updates);
        await inner.publish(updates);
      },
    },
  };
  return state;
}

/** One run of the engine over a store that outlives it (as Redis outlives a process). */
function run(store: StateStore, log?: EngineDeps['log']) {
  const base = memoryDeps({ now: NOW, store });
  const flaky = flakyBus();
  const deps: EngineDeps = { ...base, log: log ?? base.log, bus: flaky.bus };
  const ingest = createIngest(deps);
  return { deps, flaky, ingest: (events: readonly unknown[]) => ingest(events, callers.service) };
}

describe('outbox: publication at least once', () => {
  it('a publish that fails: the batch fails, the update waits in the outbox, and a resend publishes it with its event_id before a newer one', async () => {
    const store = createMemoryStateStore();
    const { flaky, ingest } = run(store);
    const events = workedExampleB('ana');

    flaky.down = true;
    await assert.rejects(ingest(events), /the broker is down/);
    const [saved, ...more] = await store.pendingUpdates(['ana']);
    assert.ok(saved !== undefined && more.length === 0, 'one update pending');
    assert.equal(saved.student_id, 'ana');
    assert.equal(saved.mastery_score, 0.712, "worked example B's result as of 2026-01-14");

    flaky.down = false;
    const later = wire.quiz('ana', '2026-01-14T11:00:00Z', { total_questions: 10, correct_answers: 10 }, 'python.lists');
    const report = await ingest([...events, later]);

    assert.equal(report.duplicate, events.length);
    assert.equal(flaky.delivered.length, 2);
    assert.deepEqual(flaky.delivered[0], saved, 'the saved update, as saved, first');
    assert.notEqual(flaky.delivered[1]!.event_id, saved.event_id, "then the new batch's own");
    assert.deepEqual(await store.pendingUpdates(['ana']), [], 'both acknowledged');
  });

  it('a run that stops between the write and the publish: the next run publishes the saved update at start, once', async () => {
    const store = createMemoryStateStore();
    const first = run(store);
    // Stopping right after the save: the bus is never reached.
    const stopped: StateStore = {
      ...store,
      save: async (writes) => {
        const outcome = await store.save(writes);
        throw Object.assign(new Error('the process stopped'), { outcome });
      },
    };
    const crashing = createIngest({ ...first.deps, store: stopped });
    await assert.rejects(crashing([...workedExampleB('bo'), wire.activity('cy', '2026-01-14T10:00:00Z')], callers.service), /stopped/);
    const saved = await store.pendingUpdates(['bo', 'cy']);
    assert.deepEqual(saved.map((u) => u.student_id).sort(), ['bo', 'cy']);
    assert.equal(first.flaky.delivered.length, 0, 'nothing was published');

    const next = run(store, first.deps.log);
    assert.equal(await republishRecent(next.deps), 2);

    const byStudent = (u: MasteryUpdated[]) => [...u].sort((a, b) => a.student_id.localeCompare(b.student_id));
    assert.deepEqual(byStudent(next.flaky.delivered), byStudent(saved), 'each with the event_id it was saved with');
    assert.equal(await republishRecent(next.deps), 0, 'acknowledged: a second start publishes nothing');
  });

  it('a run that stops after the publish but before the acknowledgement: published again with the same event_id (consumers drop it)', async () => {
    const store = createMemoryStateStore();
    const forgetful: StateStore = { ...store, acknowledge: async () => {} };
    const first = run(forgetful);
    await first.ingest(workedExampleB('dee'));
    const [published] = first.flaky.delivered;
    assert.ok(published !== undefined);

    const next = run(store, first.deps.log);
    await republishRecent(next.deps);

    assert.deepEqual(next.flaky.delivered, [published]);
  });

  it('keeps one update per student: a newer write replaces one never published', async () => {
    const store = createMemoryStateStore();
    const { flaky, ingest } = run(store);
    flaky.down = true;
    await assert.rejects(ingest(workedExampleB('eve')));
    const [older] = await store.pendingUpdates(['eve']);
    await assert.rejects(ingest([wire.activity('eve', '2026-01-14T11:00:00Z')]));
    const pending = await store.pendingUpdates(['eve']);

    assert.equal(pending.length, 1);
    assert.notEqual(pending[0]!.event_id, older!.event_id, 'the newer update, which carries the whole current result');
  });
});
