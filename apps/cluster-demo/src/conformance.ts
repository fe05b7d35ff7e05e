// The official MCP conformance suite through the cluster, on every backend, next to its baseline: the
// same example server as one stock SDK process.
//   pnpm conformance [--store stock|memory|redis|postgres|dynamodb|all] [--pods N]
// The runner (`@modelcontextprotocol/conformance`) needs Node >= 22: it runs on the `node@22` npm
// package installed in conformance-runner/ (npm, pinned by its lockfile); everything else stays on
// this machine's Node.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PodClusterHandle, startPodCluster } from '@mcp-session-store/testing';
import { isStoreName, STORES, type StoreName, startDemoCluster } from './cluster.js';

const RUNNER_DIR = join(import.meta.dirname, '..', 'conformance-runner');
const RUNNER_NODE = join(RUNNER_DIR, 'node_modules', '.bin', 'node');
const RUNNER_CLI = join(
  RUNNER_DIR,
  'node_modules',
  '@modelcontextprotocol',
  'conformance',
  'dist',
  'index.js',
);

const USAGE = `Usage: pnpm conformance [--store stock|stock-cluster|memory|redis|postgres|dynamodb|all] [--pods N]
  --store  what to test (repeatable; default all: the stock single-process baseline, the same stock
           server as N processes behind the balancer without the router (the problem: expected to
           fail, not counted), then memory with 1 pod and redis, postgres, dynamodb with N pods each)
  --pods   pods per shared backend and for stock-cluster (default 3)`;

/** `stock-cluster` is the problem this project solves: it is expected to fail and is not counted. */
type Target = 'stock' | 'stock-cluster' | StoreName;
const ALL_TARGETS: Target[] = ['stock', 'stock-cluster', ...STORES];

interface Outcome {
  target: Target;
  pods: number;
  passed: number;
  failed: number;
  warnings: number;
  failures: string[];
  seconds: number;
}

function parseArgs(argv: string[]): { targets: Target[]; pods: number } {
  const targets: Target[] = [];
  let pods = 3;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--store') {
      const value = argv[++i];
      if (value === 'all') targets.push(...ALL_TARGETS);
      else if (value === 'stock' || value === 'stock-cluster' || isStoreName(value)) targets.push(value);
      else throw new Error(`unknown store '${value}'\n${USAGE}`);
    } else if (arg === '--pods') {
      pods = Number(argv[++i]);
      if (!Number.isInteger(pods) || pods < 1 || pods > 16) throw new Error(`--pods takes 1-16\n${USAGE}`);
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return { targets: targets.length > 0 ? [...new Set(targets)] : ALL_TARGETS, pods };
}

/** Installs the runner and its Node 22 with npm (once; the lockfile pins both). */
function ensureRunner(): void {
  if (existsSync(RUNNER_NODE) && existsSync(RUNNER_CLI)) return;
  console.log('runner: installing @modelcontextprotocol/conformance and node@22 (npm ci, once)...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: RUNNER_DIR, stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(RUNNER_NODE)) {
    throw new Error(
      `npm ci in ${RUNNER_DIR} failed (exit ${result.status}): the runner needs npm and the npm registry`,
    );
  }
}

/** The runner's process while it runs: a signal to this script ends it too. */
let activeRunner: ReturnType<typeof spawn> | undefined;

/** Runs the official runner against `url`; returns its exit code, its output and the checks it saved. */
async function runSuite(url: string): Promise<{ code: number; output: string; checks: Array<Check> }> {
  const outDir = await mkdtemp(join(tmpdir(), 'mcp-conformance-'));
  try {
    const child = spawn(RUNNER_NODE, [RUNNER_CLI, 'server', '--url', url, '--output-dir', outDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    activeRunner = child;
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
    activeRunner = undefined;
    const checks: Check[] = [];
    for (const dir of await readdir(outDir)) {
      const file = join(outDir, dir, 'checks.json');
      if (!existsSync(file)) continue;
      const scenario = dir.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T.*$/, '');
      for (const check of JSON.parse(await readFile(file, 'utf8')) as Check[])
        checks.push({ ...check, scenario });
    }
    return { code, output, checks };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | string;
  errorMessage?: string;
  scenario?: string;
}

async function startTarget(
  target: Target,
  pods: number,
): Promise<{ url: string; stop: () => Promise<void> }> {
  if (target === 'stock' || target === 'stock-cluster') {
    const count = target === 'stock' ? 1 : pods;
    console.log(
      target === 'stock'
        ? '  baseline: one stock SDK process (no router, sessions in its memory)...'
        : `  the problem: the same stock server as ${count} processes behind the round-robin balancer, no router...`,
    );
    const stock: PodClusterHandle = await startPodCluster({
      command: [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'stock-server.ts')],
      pods: count,
      readyTimeoutMs: 60_000,
    });
    // One process is reached directly (no balancer in front of the baseline); several through it.
    return {
      url: target === 'stock' ? `${stock.pods[0]!.url}/mcp` : `${stock.url}/mcp`,
      stop: () => stock.stop(),
    };
  }
  const cluster = await startDemoCluster({
    store: target,
    pods: target === 'memory' ? 1 : pods,
    log: (line) => console.log(`  ${line}`),
  });
  return { url: cluster.endpoint, stop: () => cluster.stop() };
}

async function main(): Promise<number> {
  const { targets, pods } = parseArgs(process.argv.slice(2));
  ensureRunner();
  const outcomes: Outcome[] = [];
  let current: { stop: () => Promise<void> } | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      activeRunner?.kill('SIGTERM');
      void (current?.stop() ?? Promise.resolve()).then(() => process.exit(130));
    });
  }
  for (const target of targets) {
    const started = performance.now();
    console.log(`\n=== ${target}`);
    const running = await startTarget(target, pods);
    current = running;
    try {
      console.log(`  running the official conformance suite against ${running.url} ...`);
      const { code, output, checks } = await runSuite(running.url);
      const count = (status: string) => checks.filter((c) => c.status === status).length;
      const failures = checks
        .filter((c) => c.status === 'FAILURE')
        .map((c) => `${c.scenario}/${c.id}: ${c.errorMessage ?? ''}`);
      const outcome: Outcome = {
        target,
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
      if (target !== 'stock-cluster') for (const failure of failures) console.log(`  FAILURE ${failure}`);
      outcomes.push(outcome);
    } finally {
      await running.stop();
      current = undefined;
    }
  }

  console.log('\nOfficial MCP conformance (@modelcontextprotocol/conformance 0.1.16, active server suite)\n');
  const label = (o: Outcome) =>
    o.target === 'stock'
      ? 'stock SDK, 1 process (baseline)'
      : o.target === 'stock-cluster'
        ? `stock SDK, ${o.pods} processes + round-robin, no router (the problem)`
        : `${o.target}, ${o.pods} pod(s) + round-robin`;
  const rows = outcomes.map((o) => [
    label(o),
    `${o.passed}/${o.passed + o.failed}`,
    String(o.warnings),
    `${o.seconds.toFixed(1)} s`,
  ]);
  const header = ['target', 'checks passed', 'warnings', 'time'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  // The unrouted stock cluster failing is the point; every other target must pass everything.
  const bad = outcomes.filter((o) => o.target !== 'stock-cluster' && (o.failed > 0 || o.passed === 0));
  console.log(
    bad.length === 0
      ? '\nall checks passed on every target (the unrouted stock cluster, if run, shows the problem: not counted)'
      : `\nFAILED: ${bad.map((o) => o.target).join(', ')}`,
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
