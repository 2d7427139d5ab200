import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryLearnerParamsStore } from '../adapters/memory/memory-learner-params-store.js';
import { fitLearnerParams } from '../model/learner/fit-learner-params.js';
import { DEFAULT_LEARNER_PARAMS } from '../model/learner/learner-params.js';
import type { StoredResponse } from '../model/student-state.js';
import type { LearnerParamsStore } from '../ports/learner-params-store.js';
import { createActiveParams } from './active-params.js';
import { waitFor } from '../testing/wait-for.js';

const answers: StoredResponse[][] = [
  Array.from({ length: 120 }, (_, i) => ({
    at: `2026-03-01T10:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}000000Z`,
    event_id: `e${i}`,
    topic: 't',
    item_id: `i${i % 5}`,
    correct: i % 3 !== 0,
  })),
];

const until = (condition: () => boolean) => waitFor(condition, 'the refresh to take the newest version', { intervalMs: 1, timeoutMs: 10_000 });

describe('the parameters in use', () => {
  it('are the defaults before any fit, and the newest version after a refresh', async () => {
    const store = createMemoryLearnerParamsStore();
    const active = createActiveParams(store);
    assert.equal(active.current(), DEFAULT_LEARNER_PARAMS);
    assert.equal((await active.refresh()).version, 'default');
    await store.save(fitLearnerParams(answers), new Date('2026-03-02T00:00:00Z'));
    await store.save(fitLearnerParams(answers), new Date('2026-03-03T00:00:00Z'));
    assert.equal((await active.refresh()).version, 'v2');
    assert.equal(active.current().fitted_at, '2026-03-03T00:00:00.000Z');
  });

  it('are picked up by a running process on its own, once started', async () => {
    const store = createMemoryLearnerParamsStore();
    const active = createActiveParams(store);
    active.start(5);
    try {
      await store.save(fitLearnerParams(answers), new Date('2026-03-02T00:00:00Z'));
      await until(() => active.current().version === 'v1');
    } finally {
      active.stop();
    }
  });

  it('read the whole set only when the version changed, and keep the one in use when the store fails', async () => {
    const inner = createMemoryLearnerParamsStore();
    await inner.save(fitLearnerParams(answers), new Date('2026-03-02T00:00:00Z'));
    let wholeReads = 0;
    let down = false;
    const store: LearnerParamsStore = {
      save: inner.save,
      latest: async () => (wholeReads++, inner.latest()),
      latestVersion: async () => {
        if (down) throw new Error('connection refused');
        return inner.latestVersion();
      },
    };
    const active = createActiveParams(store);
    await active.refresh();
    await active.refresh();
    assert.equal(wholeReads, 1);
    down = true;
    assert.equal((await active.refresh()).version, 'v1');
  });
});
