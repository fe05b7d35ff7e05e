// The main job: start a backend, N pod processes and a round-robin balancer with no affinity, run one
// MCP session through every scenario across them, print a table, stop everything.
//   pnpm demo [--store postgres|redis] [--pods N] [--port P] [--serve]
import { join } from 'node:path';
import { type PodClusterHandle, startPodCluster } from '@mcp-session-store/testing';
import { type EmbeddedPostgresServer, startEmbeddedPostgres } from './embedded-postgres.js';
import { runScenarios, type ScenarioResult } from './scenarios.js';

const USAGE = `Usage: pnpm demo [--store postgres|redis] [--pods N] [--port P] [--serve]
  --store  postgres (default: an embedded PostgreSQL, or DATABASE_URL) or redis (REDIS_URL)
  --pods   pod processes behind the balancer, 2-16 (default 3)
  --port   the balancer's port on 127.0.0.1 (default: any free port)
  --serve  instead of running the scenarios, serve until SIGINT/SIGTERM (point any MCP client at it)`;

interface DemoOptions {
  store: 'postgres' | 'redis';
  pods: number;
  port: number | undefined;
  serve: boolean;
}

function parseArgs(argv: string[]): DemoOptions {
  let store: 'postgres' | 'redis' = 'postgres';
  let pods = 3;
  let port: number | undefined;
  let serve = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--store') {
      const value = argv[++i];
      if (value !== 'postgres' && value !== 'redis') throw new Error(`unknown store '${value}'\n${USAGE}`);
      store = value;
    } else if (arg === '--pods') {
      pods = Number(argv[++i]);
      if (!Number.isInteger(pods) || pods < 2 || pods > 16) throw new Error(`--pods takes 2-16\n${USAGE}`);
    } else if (arg === '--port') {
      port = Number(argv[++i]);
      if (!Number.isInteger(port) || port < 1 || port > 65_535)
        throw new Error(`--port takes 1-65535\n${USAGE}`);
    } else if (arg === '--serve') {
      serve = true;
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return { store, pods, port, serve };
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
  const { store, pods, port, serve } = parseArgs(process.argv.slice(2));
  let database: EmbeddedPostgresServer | undefined;
  let cluster: PodClusterHandle | undefined;
  let stopping: Promise<void> | undefined;
  const serving = serve;
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
      // Serving ends by a signal, as asked; during the scenarios a signal is an interruption.
      void stopAll().then(() => process.exit(serving ? 0 : 130));
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
      balancerPort: port,
    });
    console.log(
      `ready: ${cluster.pods.map((p) => `${p.name} ${p.url}`).join(', ')}; balancer ${cluster.url}/mcp\n`,
    );
    if (serve) {
      console.log(`MCP endpoint: ${cluster.url}/mcp`);
      console.log('serving until SIGINT/SIGTERM (Ctrl-C)');
      await new Promise<never>(() => {}); // the signal handlers stop everything and exit
    }
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
