// What `pnpm conformance` concludes from the runner's checks: one outcome per target and suite, the
// verdict on each, and the summary table, which names the runner version and suite of every figure.
import type { Target } from './conformance-options.js';
import type { ConformanceSuite } from './conformance-runner.js';
import type { SdkMajor } from './sdk-major.js';
import { formatTable } from './text-table.js';

/** What one suite measured on one target. */
export interface Outcome {
  target: Target;
  suite: Pick<ConformanceSuite, 'label'>;
  pods: number;
  passed: number;
  failed: number;
  warnings: number;
  failures: string[];
  seconds: number;
  /** How long the target took to start (on its first suite's row only). */
  startSeconds?: number;
}

/**
 * What keeps a target from passing a suite: a failed check, a warning (a SHOULD not met: what one
 * stock process meets, the cluster must meet too), no check at all, or (when the baseline was
 * measured in the same run) fewer passing checks than the one stock process passed with it.
 * Undefined when it passed, and always for the unrouted stock cluster: its failing is the point.
 */
export function shortfall(outcome: Outcome, outcomes: readonly Outcome[]): string | undefined {
  if (outcome.target === 'stock-cluster') return undefined;
  if (outcome.failed > 0) return `${outcome.failed} failed`;
  if (outcome.warnings > 0) return `${outcome.warnings} warning${outcome.warnings === 1 ? '' : 's'}`;
  if (outcome.passed === 0) return 'no check passed';
  const baseline = outcomes.find((o) => o.target === 'stock' && o.suite.label === outcome.suite.label);
  if (baseline && outcome.passed < baseline.passed) {
    return `${outcome.passed} passed, the stock baseline ${baseline.passed}`;
  }
  return undefined;
}

/**
 * The summary table: a row per target and suite, the target named on its first row, with the checks
 * passed out of those the suite judged (passed, failed or warned) and the warnings among them.
 */
export function summaryTable(outcomes: readonly Outcome[], sdk: SdkMajor): string {
  const stock = `stock ${sdk === 1 ? 'SDK 1.x' : 'SDK v2'}`;
  const label = (o: Outcome) =>
    o.target === 'stock'
      ? `${stock}, 1 process (baseline)`
      : o.target === 'stock-cluster'
        ? `${stock}, ${o.pods} processes + round-robin, no router (the problem)`
        : `${o.target}, ${o.pods} pod(s) + round-robin`;
  const rows = outcomes.map((o, i) => [
    i > 0 && outcomes[i - 1]!.target === o.target ? '' : label(o),
    o.suite.label,
    // A warning is a check not passed: it counts in the total, as a failure does.
    `${o.passed}/${o.passed + o.failed + o.warnings}`,
    String(o.warnings),
    o.startSeconds === undefined ? '' : `${o.startSeconds.toFixed(1)} s`,
    `${o.seconds.toFixed(1)} s`,
  ]);
  return formatTable(['target', 'runner, suite', 'checks passed', 'warnings', 'start', 'run'], rows);
}
