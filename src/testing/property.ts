/**
 * fast-check as the suite's property tests use it: every property of a run draws from one seed,
 * printed as a TAP comment when the file loads, so a failure found once can be replayed with
 * `MASTERY_TEST_SEED=<seed>`. Spec files import fc from here, never from fast-check directly.
 */
import fc from 'fast-check';
import { testSeed } from '../config/test-environment.js';

export const PROPERTY_SEED = testSeed();

fc.configureGlobal({ seed: PROPERTY_SEED });
// node:test shows a spec file's own output as a comment of its report; a TAP parser (the
// mutation runner's) passes lines that are not TAP by.
console.log(`property tests: seed ${PROPERTY_SEED} (replay with MASTERY_TEST_SEED=${PROPERTY_SEED})`);

export { fc };
