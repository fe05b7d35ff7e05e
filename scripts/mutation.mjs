// `pnpm mutation [--package memory|redis] [--mutate <file or file:line-line>]...`: mutation testing
// (StrykerJS) of an adapter, with the shared conformance suites as the tests (for Redis, also the
// adapter's raw-key tests: see TARGETS). A mutant the suites do not kill is a plausible adapter
// bug a third party's adapter could ship while passing the suites: docs/mutation.md lists each one
// (killed since by a sharper suite test, or equivalent, with the reason).
//
// How the suites reach the mutated code: Stryker copies the package into a sandbox and runs jest
// there on packages/<name>/test/conformance.test.ts. That test loads the adapter through
// examples/conformance-factory.mjs, which imports `@mcp-session-store/<name>` (the built dist);
// the jest config below maps that import to the sandbox's `src/index.ts`, the mutated TypeScript,
// which @swc/jest compiles. The suites themselves come from core's built dist (`pnpm mutation`
// builds core first), so a suite change needs that build to count.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Stryker } from '@stryker-mutator/core';

const TARGETS = {
  // The three files of issue 18: the store, the event store and the bus. Score to hold: 95%.
  memory: {
    mutate: ['src/memory-session-store.ts', 'src/memory-event-store.ts', 'src/memory-message-bus.ts'],
    breakBelow: 95,
  },
  // Every TypeScript file; the Lua inside session-scripts.ts / event-scripts.ts is a string to
  // Stryker (its mutants are whole-script ones). Besides the suites, the tests that read raw keys
  // back: they cover the scripts, and what only Redis can show (expiries, index, subscriptions).
  redis: {
    mutate: ['src/**/*.ts', '!src/index.ts'],
    // (follow-idle.test.ts is left out: it waits out a 5 s blocking read per mutant.)
    tests: [
      'session-scripts',
      'event-scripts',
      'bus-channels',
      'claim-store',
      'key-expiry',
      'construction',
      'server-replies',
      'event-follow',
      'cluster-publish',
    ],
    breakBelow: null,
  },
};

const { values } = parseArgs({
  options: {
    package: { type: 'string', default: 'memory' },
    concurrency: { type: 'string', default: '2' },
    // A targeted rerun: only these files (or `file:10-20` line ranges), the score then covers them only.
    mutate: { type: 'string', multiple: true },
  },
});
const target = TARGETS[values.package];
if (!target) {
  console.error(`--package must be one of: ${Object.keys(TARGETS).join(', ')} (got "${values.package}")`);
  process.exit(2);
}

// Stryker's jest plugin loads the test environment by name from the sandbox, where pnpm does not
// hoist jest's own `jest-environment-node`: hand it the one jest itself uses, by path.
const requireFrom = (chain) =>
  chain.reduce((req, name) => createRequire(req.resolve(name)), createRequire(import.meta.url));
const jestEnvironmentNode = requireFrom(['jest', '@jest/core', 'jest-config']).resolve(
  'jest-environment-node',
);

const packageDir = new URL(`../packages/${values.package}/`, import.meta.url);
process.chdir(fileURLToPath(packageDir));

const reportDir = `reports/mutation`;
const stryker = new Stryker({
  testRunner: 'jest',
  plugins: ['@stryker-mutator/jest-runner'],
  coverageAnalysis: 'perTest',
  mutate: values.mutate ?? target.mutate,
  concurrency: Number(values.concurrency),
  // The suites wait for deliveries and expiries: give a mutant room before calling it a timeout.
  timeoutMS: 20_000,
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.cjs',
    enableFindRelatedTests: false,
    config: {
      testEnvironment: jestEnvironmentNode,
      testMatch: ['conformance', ...(target.tests ?? [])].map((name) => `<rootDir>/test/${name}.test.ts`),
      moduleNameMapper: {
        '^(\\.{1,2}/.*)\\.js$': '$1',
        [`^@mcp-session-store/${values.package}$`]: '<rootDir>/src/index.ts',
      },
    },
  },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${reportDir}/index.html` },
  jsonReporter: { fileName: `${reportDir}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true },
  // A targeted rerun scores a subset: it must not fail the threshold of the whole package.
  thresholds: { high: 95, low: 90, break: values.mutate ? null : target.breakBelow },
  // At the repository root, so a sandbox sits two levels down as the package does and its
  // jest.config.cjs finds ../../jest.preset.cjs; one per package, so two runs can go at once.
  tempDirName: `../../.stryker-tmp-${values.package}`,
  cleanTempDir: true,
});

await stryker.runMutationTest();
