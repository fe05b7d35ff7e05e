// The official MCP conformance runner (`@modelcontextprotocol/conformance`), in the two versions and
// suites `pnpm conformance` runs: installed with npm in conformance-runner/ (pinned by its lockfile,
// with the Node 22 it needs from the `node@22` package), run against one URL, its checks read back.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNNER_DIR = join(import.meta.dirname, '..', 'conformance-runner');
const RUNNER_NODE = join(RUNNER_DIR, 'node_modules', '.bin', 'node');

/** One suite of one runner version: what the summary names it, and how to run it. */
export interface ConformanceSuite {
  /** How the summary table names it: the runner version and the suite. */
  label: string;
  /** The runner's entry point. */
  cli: string;
  /** The runner's arguments after `server --url U`. */
  args: readonly string[];
}

/** The suites every target is measured with, in order. */
export const SUITES: readonly ConformanceSuite[] = [
  {
    // The runner's stable release: its active server suite (2025 scenarios), what CI has always run.
    label: '0.1.16, active',
    cli: join(RUNNER_DIR, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js'),
    args: [],
  },
  {
    // The next runner (npm alias `conformance-next`): every 2025-11-25 scenario, pending ones too
    // (server-sse-polling, json-schema-2020-12, the session lifecycle, DNS rebinding).
    label: '0.2.0-alpha.12, 2025-11-25 all',
    cli: join(RUNNER_DIR, 'node_modules', 'conformance-next', 'dist', 'index.js'),
    args: ['--spec-version', '2025-11-25', '--suite', 'all'],
  },
];

/** One check the runner saved, with the scenario it belongs to. */
export interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED' | string;
  errorMessage?: string;
  scenario?: string;
}

/** Installs the runners and their Node 22 with npm (once; the lockfile pins them). */
export function ensureRunner(): void {
  if (existsSync(RUNNER_NODE) && SUITES.every((suite) => existsSync(suite.cli))) return;
  console.log('runner: installing @modelcontextprotocol/conformance and node@22 (npm ci, once)...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: RUNNER_DIR, stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(RUNNER_NODE)) {
    throw new Error(
      `npm ci in ${RUNNER_DIR} failed (exit ${result.status}): the runner needs npm and the npm registry`,
    );
  }
}

/** The runner's process while it runs: a signal to the caller should end it too. */
let activeRunner: ReturnType<typeof spawn> | undefined;

/** Ends the runner, if one is running. */
export function stopRunner(): void {
  activeRunner?.kill('SIGTERM');
}

/** Runs `suite` against `url`; returns the runner's exit code, its output and the checks it saved. */
export async function runSuite(
  suite: ConformanceSuite,
  url: string,
): Promise<{ code: number; output: string; checks: Check[] }> {
  const outDir = await mkdtemp(join(tmpdir(), 'mcp-conformance-'));
  try {
    const child = spawn(
      RUNNER_NODE,
      [suite.cli, 'server', '--url', url, ...suite.args, '--output-dir', outDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
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
