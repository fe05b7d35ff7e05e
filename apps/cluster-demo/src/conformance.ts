// The official MCP conformance suites through the cluster, on every backend, next to their baseline:
// the same example server as one stock SDK process, on SDK 1.x or (--sdk 2) SDK v2, which is
// measured on both protocol eras (the 2026-07-28 suite, then 2025-11-25; conformance-runner.ts).
//   pnpm conformance [--sdk 1|2] [--store stock|stock-cluster|memory|redis|postgres|dynamodb|all] [--pods N]
// The runners (conformance-runner.ts) need Node >= 22: they run on the `node@22` npm package
// installed in conformance-runner/; everything else stays on this machine's Node.
import { join } from 'node:path';
import { type PodClusterHandle, startPodCluster } from '@mcp-session-store/testing';
import { startDemoCluster } from './cluster.js';
import { CONFORMANCE_USAGE, parseConformanceArgs, type Target } from './conformance-options.js';
import { type Outcome, shortfall, summaryTable } from './conformance-report.js';
import {
  type ConformanceSuite,
  ensureRunner,
  runSuite,
  stopRunner,
  suitesFor,
} from './conformance-runner.js';
import { KEYRING_FILE_ENV } from './keyring-file.js';
import { createTemporaryKeyringFile } from './keyring-temp-file.js';
import { type SdkMajor, sdkLabel } from './sdk-major.js';

const STOCK_SERVERS: Record<SdkMajor, string> = { 1: 'stock-server.ts', 2: 'stock-server-v2.ts' };

async function startTarget(
  target: Target,
  pods: number,
  sdk: SdkMajor,
): Promise<{ url: string; stop: () => Promise<void> }> {
  if (target === 'stock' || target === 'stock-cluster') {
    const count = target === 'stock' ? 1 : pods;
    console.log(
      target === 'stock'
        ? '  baseline: one stock SDK process (no router, sessions in its memory)...'
        : `  the problem: the same stock server as ${count} processes behind the round-robin balancer, no router...`,
    );
    // One requestState key for every process, as the SDK team's own multi-process measurement had.
    const keyring = await createTemporaryKeyringFile();
    let stock: PodClusterHandle;
    try {
      stock = await startPodCluster({
        command: [process.execPath, '--import', 'tsx', join(import.meta.dirname, STOCK_SERVERS[sdk])],
        pods: count,
        env: { [KEYRING_FILE_ENV]: keyring.path },
        readyTimeoutMs: 60_000,
      });
    } catch (error) {
      await keyring.remove();
      throw error;
    }
    // One process is reached directly (no balancer in front of the baseline); several through it.
    return {
      url: target === 'stock' ? `${stock.pods[0]!.url}/mcp` : `${stock.url}/mcp`,
      stop: async () => {
        await stock.stop();
        await keyring.remove();
      },
    };
  }
  const cluster = await startDemoCluster({
    store: target,
    pods: target === 'memory' ? 1 : pods,
    sdk,
    log: (line) => console.log(`  ${line}`),
  });
  return { url: cluster.endpoint, stop: () => cluster.stop() };
}

async function measure(target: Target, pods: number, suite: ConformanceSuite, url: string): Promise<Outcome> {
  const started = performance.now();
  console.log(`  running the official conformance suite (${suite.label}) against ${url} ...`);
  const { code, output, checks } = await runSuite(suite, url);
  const count = (status: string) => checks.filter((c) => c.status === status).length;
  const describe = (status: string) =>
    checks.filter((c) => c.status === status).map((c) => `${c.scenario}/${c.id}: ${c.errorMessage ?? ''}`);
  const failures = describe('FAILURE');
  const outcome: Outcome = {
    target,
    suite,
    pods: target === 'stock' || target === 'memory' ? 1 : pods,
    passed: count('SUCCESS'),
    failed: count('FAILURE'),
    warnings: count('WARNING'),
    failures,
    seconds: (performance.now() - started) / 1000,
  };
  // The runner's own verdict must agree with the checks we counted.
  if (code !== 0 && outcome.failed === 0) {
    outcome.failed = 1;
    outcome.failures.push(`the runner exited with ${code}:\n${output.slice(-2_000)}`);
  }
  const total = /Total: (\d+) passed, (\d+) failed/.exec(output);
  console.log(`  ${total ? total[0] : 'no summary from the runner'}`);
  if (target !== 'stock-cluster') {
    for (const failure of failures) console.log(`  FAILURE ${failure}`);
    for (const warning of describe('WARNING')) console.log(`  WARNING ${warning}`);
  }
  return outcome;
}

async function main(): Promise<number> {
  const parsed = parseConformanceArgs(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(CONFORMANCE_USAGE);
    return 0;
  }
  const { sdk, targets, pods } = parsed;
  ensureRunner();
  const outcomes: Outcome[] = [];
  let current: { stop: () => Promise<void> } | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopRunner();
      void (current?.stop() ?? Promise.resolve()).then(() => process.exit(130));
    });
  }
  const runStarted = performance.now();
  console.log(`MCP: ${sdkLabel(sdk)}`);
  for (const target of targets) {
    console.log(`\n=== ${target}`);
    const starting = performance.now();
    const running = await startTarget(target, pods, sdk);
    const startSeconds = (performance.now() - starting) / 1000;
    current = running;
    try {
      for (const [i, suite] of suitesFor(sdk).entries()) {
        const outcome = await measure(target, pods, suite, running.url);
        outcomes.push(i === 0 ? { ...outcome, startSeconds } : outcome);
      }
    } finally {
      await running.stop();
      current = undefined;
    }
  }

  console.log(
    `\nOfficial MCP conformance (@modelcontextprotocol/conformance, server suites) on ${sdkLabel(sdk)}\n`,
  );
  console.log(summaryTable(outcomes, sdk));
  console.log(`\nwall time ${((performance.now() - runStarted) / 1000).toFixed(1)} s`);
  // The unrouted stock cluster failing is the point; every other target must pass everything,
  // warnings included.
  const bad = outcomes.flatMap((o) => {
    const why = shortfall(o, outcomes);
    return why ? [`${o.target} (${o.suite.label}: ${why})`] : [];
  });
  console.log(
    bad.length === 0
      ? '\nall checks passed, with no warning, on every target (the unrouted stock cluster, if run, shows the problem: not counted)'
      : `\nFAILED: ${bad.join(', ')}`,
  );
  return bad.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
