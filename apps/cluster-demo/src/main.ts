// The main job: start a backend, N pod processes and a round-robin balancer with no affinity, run one
// MCP session through every scenario across them, print a table, stop everything.
//   pnpm demo [--store postgres|redis] [--pods N]
import { join } from 'node:path';
import { type PodClusterHandle, startPodCluster } from '@mcp-session-store/testing';
import { type EmbeddedPostgresServer, startEmbeddedPostgres } from './embedded-postgres.js';
import { runScenarios, type ScenarioResult } from './scenarios.js';

const USAGE = 'Usage: pnpm demo [--store postgres|redis] [--pods N]';

function parseArgs(argv: string[]): { store: 'postgres' | 'redis'; pods: number } {
  let store: 'postgres' | 'redis' = 'postgres';
  let pods = 3;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--store') {
      const value = argv[++i];
      if (value !== 'postgres' && value !== 'redis') throw new Error(`unknown store '${value}'\n${USAGE}`);
      store = value;
    } else if (arg === '--pods') {
      pods = Number(argv[++i]);
      if (!Number.isInteger(pods) || pods < 2 || pods > 16) throw new Error(`--pods takes 2-16\n${USAGE}`);
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return { store, pods };
}

function printTable(results: ScenarioResult[]): void {
  const rows = results.map((r) => [
    r.passed ? 'PASS' : 'FAIL',
    r.name,
    r.pods,
    `${Math.round(r.ms)} ms`,
    r.detail ?? '',
  ]);
  const header = ['result', 'scenario', 'pods', 'time', 'detail'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<number> {
  const { store, pods } = parseArgs(process.argv.slice(2));
  let database: EmbeddedPostgresServer | undefined;
  let cluster: PodClusterHandle | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      await cluster?.stop().catch(() => {});
      await database?.stop().catch(() => {});
    })();
    return stopping;
  };
  // Ctrl-C or a kill: stop everything this started, then leave.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping the cluster and the backend...`);
      void stopAll().then(() => process.exit(130));
    });
  }
  try {
    const env: Record<string, string> = { STORE: store };
    if (store === 'postgres') {
      if (process.env.DATABASE_URL) {
        env.DATABASE_URL = process.env.DATABASE_URL;
        console.log('backend: PostgreSQL at DATABASE_URL');
      } else {
        console.log('backend: starting an embedded PostgreSQL (embedded-postgres)...');
        database = await startEmbeddedPostgres();
        env.DATABASE_URL = database.url;
      }
    } else {
      env.REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
      env.KEY_PREFIX = `mcp:demo:${process.pid}:`;
      console.log(`backend: Redis at ${env.REDIS_URL}`);
    }
    console.log(`pods: starting ${pods} pod processes and a round-robin balancer (no affinity)...`);
    cluster = await startPodCluster({
      command: [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'pod.ts')],
      pods,
      env,
      readyTimeoutMs: 60_000,
    });
    console.log(
      `ready: ${cluster.pods.map((p) => `${p.name} ${p.url}`).join(', ')}; balancer ${cluster.url}/mcp\n`,
    );
    const results = await runScenarios(cluster, (r) =>
      console.log(`  ${r.passed ? '✔' : '✖'} ${r.name} (${Math.round(r.ms)} ms)`),
    );
    printTable(results);
    const passed = results.filter((r) => r.passed).length;
    console.log(`\n${passed} passed, ${results.length - passed} failed`);
    return passed === results.length && results.length > 0 ? 0 : 1;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
