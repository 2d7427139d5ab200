/**
 * The LearnerParamsStore contract: memory, PGlite and PostgreSQL. A store may already hold
 * versions of other tests: each test judges only what it saved and what is newest after it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FittedParams } from '../../model/learner/fit-learner-params.js';
import { DEFAULT_LEARNER_PARAMS } from '../../model/learner/learner-params.js';
import type { LearnerParamsStore } from '../../ports/learner-params-store.js';

/** A fit with awkward names and numbers that must come back to the last bit. */
function fitted(answers: number): FittedParams {
  const { version: _v, fitted_at: _f, ...settings } = DEFAULT_LEARNER_PARAMS;
  return {
    ...settings,
    answers,
    pooled: { difficulty: 0.1 + 0.2, answers },
    topics: new Map([
      ['__proto__', { difficulty: -1 / 3, answers: 31 }],
      ['python.loops', { difficulty: 5.999999999999999, answers: 400 }],
    ]),
    items: new Map([
      ['bank:q-1', { offset: 1e-17, answers: 2 }],
      ['constructor', { offset: -6, answers: 9 }],
    ]),
  };
}

export function learnerParamsStoreContract(name: string, open: () => Promise<LearnerParamsStore>): void {
  describe(name, () => {
    it('gives a saved fit a version and its time, and reads it back whole as the newest', async () => {
      const store = await open();
      const saved = await store.save(fitted(1234), new Date('2026-03-02T10:00:00.125Z'));
      assert.match(saved.version, /^v\d+$/);
      assert.equal(saved.fitted_at, '2026-03-02T10:00:00.125Z');
      const { version: _v, fitted_at: _f, ...rest } = saved;
      assert.deepStrictEqual(rest, fitted(1234));
      assert.deepStrictEqual(await store.latest(), saved);
      assert.equal(await store.latestVersion(), saved.version);
    });

    it('a later fit gets a new version and becomes the newest', async () => {
      const store = await open();
      const first = await store.save(fitted(100), new Date('2026-03-02T10:00:00.000Z'));
      const second = await store.save(fitted(200), new Date('2026-03-01T10:00:00.000Z'));
      assert.notEqual(second.version, first.version);
      assert.equal(await store.latestVersion(), second.version, 'newest by when it was saved, not by fitted_at');
      assert.equal((await store.latest())!.answers, 200);
    });
  });
}
