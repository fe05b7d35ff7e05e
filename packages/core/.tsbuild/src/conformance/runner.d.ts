import type { TestApi } from './types.js';
/** The outcome of one test run by {@link ConformanceRunner}. */
export interface TestResult {
    /** Full name: the describe names and the test name, joined with ` › `. */
    name: string;
    passed: boolean;
    durationMs: number;
    error?: unknown;
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
export declare class ConformanceRunner {
    private readonly tests;
    private readonly path;
    /** Pass it to a suite as its test API. */
    readonly api: TestApi;
    /** How many tests are registered. */
    get size(): number;
    /** Runs every registered test in order, reporting each result as it ends. */
    run(onResult?: (result: TestResult) => void): Promise<TestResult[]>;
}
//# sourceMappingURL=runner.d.ts.map