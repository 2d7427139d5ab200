import type { LearnerParams } from '../../model/learner/learner-params.js';
import type { LearnerParamsStore } from '../../ports/learner-params-store.js';

/** Parameter versions in this process's memory: the embedded store of `:memory:` and the tests. */
export function createMemoryLearnerParamsStore(): LearnerParamsStore {
  const versions: LearnerParams[] = [];
  return {
    async save(fitted, fittedAt) {
      const params: LearnerParams = { ...fitted, version: `v${versions.length + 1}`, fitted_at: fittedAt.toISOString() };
      versions.push(params);
      return params;
    },
    async latest() {
      return versions.at(-1) ?? null;
    },
    async latestVersion() {
      return versions.at(-1)?.version ?? null;
    },
  };
}
