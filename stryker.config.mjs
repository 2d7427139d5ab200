// Mutation testing of the pure code the numbers come from: the model (the seed's formulas and
// the learner model) and event validation. `npm run test:mutation`; docs/testing.md explains
// the score and lists the survivors that are equivalent.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // The suite is node:test, whose files print TAP; the tap runner runs each spec file as its own
  // process (through tsx, as npm test does) and, with per-test coverage, runs only the files
  // that reach a mutant, which is what keeps a run of a thousand mutants within minutes.
  testRunner: 'tap',
  tap: {
    testFiles: ['src/model/**/*.unit.spec.ts', 'src/validation/**/*.unit.spec.ts'],
    nodeArgs: ['--import', 'tsx', '--require', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  mutate: ['src/model/**/*.ts', 'src/validation/**/*.ts', '!src/**/*.spec.ts', '!src/**/testing/**'],
  // tsx strips types without checking them, so a mutant that would not type-check still runs;
  // a type checker per mutant would double the run for little gain on code this small.
  checkers: [],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
  concurrency: 2,
  timeoutMS: 10000,
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: '.stryker-tmp',
};
