// The official MCP conformance runner (`@modelcontextprotocol/conformance`), in the two versions and
// suites `pnpm conformance` runs: installed with npm in conformance-runner/ (pinned by its lockfile,
// with the Node 22 it needs from the `node@22` package), run against one URL, its checks read back.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SdkMajor } from './sdk-major.js';

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

const STABLE_CLI = join(
  RUNNER_DIR,
  'node_modules',
  '@modelcontextprotocol',
  'conformance',
  'dist',
  'index.js',
);
// The next runner, installed under the npm alias `conformance-next`.
const NEXT_CLI = join(RUNNER_DIR, 'node_modules', 'conformance-next', 'dist', 'index.js');

/** The runner's stable release: its active server suite (2025 scenarios), what CI has always run. */
const STABLE_ACTIVE: ConformanceSuite = { label: '0.1.16, active', cli: STABLE_CLI, args: [] };
/**
 * Every 2025-11-25 scenario of the next runner, pending ones too (server-sse-polling,
 * json-schema-2020-12, the session lifecycle, DNS rebinding): a superset of 0.1.16's active suite.
 */
const NEXT_2025: ConformanceSuite = {
  label: '0.2.0-alpha.12, 2025-11-25 all',
  cli: NEXT_CLI,
  args: ['--spec-version', '2025-11-25', '--suite', 'all'],
};
/**
 * Every 2026-07-28 scenario of the next runner: session-less requests (server/discover, the
 * per-request envelope, header validation), subscriptions/listen, input-required results with
 * requestState, caching hints; and the 2025 scenarios the revision keeps, on the 2026 wire.
 */
const NEXT_2026: ConformanceSuite = {
  label: '0.2.0-alpha.12, 2026-07-28 all',
  cli: NEXT_CLI,
  args: ['--spec-version', '2026-07-28', '--suite', 'all'],
};

/**
 * The suites every target is measured with, in order, per SDK major: SDK 1.x speaks the 2025
 * revisions only (0.1.16 active and the next runner's 2025-11-25 suite); SDK v2 serves both eras on
 * one endpoint (the 2026-07-28 suite, then 2025-11-25, which covers 0.1.16's active scenarios).
 */
export function suitesFor(sdk: SdkMajor): readonly ConformanceSuite[] {
  return sdk === 1 ? [STABLE_ACTIVE, NEXT_2025] : [NEXT_2026, NEXT_2025];
}

/** One check the runner saved, with the scenario it belongs to. */
export interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED' | string;
  errorMessage?: string;
  scenario?: string;
}

/** Installs the runners and their Node 22 with npm (once; the lockfile pins them). */
export function ensureRunner(): void {
  if (existsSync(RUNNER_NODE) && existsSync(STABLE_CLI) && existsSync(NEXT_CLI)) return;
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
