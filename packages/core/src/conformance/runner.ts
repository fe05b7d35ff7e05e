import type { TestApi } from './types.js';

/** The outcome of one test run by {@link ConformanceRunner}. */
export interface TestResult {
  /** Full name: the describe names and the test name, joined with ` › `. */
  name: string;
  passed: boolean;
  durationMs: number;
  error?: unknown;
}

interface PendingTest {
  name: string;
  fn: () => Promise<void>;
}

/**
 * A minimal sequential test runner that implements {@link TestApi}, so the suites run with no test
 * framework installed. The CLI uses it; use it yourself to run a suite from a script.
 *
 * @example
 * ```ts
 * const runner = new ConformanceRunner();
 * sessionStoreSuite(runner.api, factory);
 * const results = await runner.run((r) => console.log(r.passed ? 'ok' : 'FAIL', r.name));
 * process.exitCode = results.some((r) => !r.passed) ? 1 : 0;
 * ```
 */
export class ConformanceRunner {
  private readonly tests: PendingTest[] = [];
  private readonly path: string[] = [];

  /** Pass it to a suite as its test API. */
  readonly api: TestApi = {
    describe: (name, fn) => {
      this.path.push(name);
      try {
        fn();
      } finally {
        this.path.pop();
      }
    },
    it: (name, fn) => {
      this.tests.push({ name: [...this.path, name].join(' › '), fn });
    },
  };

  /** How many tests are registered. */
  get size(): number {
    return this.tests.length;
  }

  /** Runs every registered test in order, reporting each result as it ends. */
  async run(onResult?: (result: TestResult) => void): Promise<TestResult[]> {
    const results: TestResult[] = [];
    for (const test of this.tests) {
      const started = performance.now();
      let result: TestResult;
      try {
        await test.fn();
        result = { name: test.name, passed: true, durationMs: performance.now() - started };
      } catch (error) {
        result = { name: test.name, passed: false, durationMs: performance.now() - started, error };
      }
      results.push(result);
      onResult?.(result);
    }
    return results;
  }
}
