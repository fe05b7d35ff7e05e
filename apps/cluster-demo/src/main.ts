// The main job: start a backend, N pod processes and a round-robin balancer with no affinity, run one
// MCP session through every scenario across them, print a table, stop everything.
//   pnpm demo [--store memory|redis|postgres|dynamodb] [--pods N] [--port P] [--serve]
import { type DemoCluster, isStoreName, type StoreName, startDemoCluster } from './cluster.js';
import { runScenarios, type ScenarioResult } from './scenarios.js';

const USAGE = `Usage: pnpm demo [--store memory|redis|postgres|dynamodb] [--pods N] [--port P] [--serve]
  --store  postgres (default: an embedded PostgreSQL, or DATABASE_URL), redis (REDIS_URL, default
           redis://127.0.0.1:6379), dynamodb (DynamoDB Local, or DYNAMODB_ENDPOINT) or memory (one pod)
  --pods   pod processes behind the balancer, 1-16 (default 3; memory: 1)
  --port   the balancer's port on 127.0.0.1 (default: any free port)
  --serve  instead of running the scenarios, serve until SIGINT/SIGTERM (point any MCP client at it)`;

interface DemoOptions {
  store: StoreName;
  pods: number;
  port: number | undefined;
  serve: boolean;
}

function parseArgs(argv: string[]): DemoOptions {
  let store: StoreName = 'postgres';
  let pods: number | undefined;
  let port: number | undefined;
  let serve = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--store') {
      const value = argv[++i];
      if (!isStoreName(value)) throw new Error(`unknown store '${value}'\n${USAGE}`);
      store = value;
    } else if (arg === '--pods') {
      pods = Number(argv[++i]);
      if (!Number.isInteger(pods) || pods < 1 || pods > 16) throw new Error(`--pods takes 1-16\n${USAGE}`);
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
  return { store, pods: pods ?? (store === 'memory' ? 1 : 3), port, serve };
}

function printTable(results: ScenarioResult[]): void {
  const rows = results.map((r) => [
    r.status === 'passed' ? 'PASS' : r.status === 'skipped' ? 'SKIP' : 'FAIL',
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
  let cluster: DemoCluster | undefined;
  // Ctrl-C or a kill: stop everything this started, then leave.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping the cluster and the backend...`);
      // Serving ends by a signal, as asked; during the scenarios a signal is an interruption.
      void (cluster?.stop() ?? Promise.resolve()).then(() => process.exit(serve ? 0 : 130));
    });
  }
  try {
    cluster = await startDemoCluster({ store, pods, port, log: (line) => console.log(line) });
    console.log('');
    if (serve) {
      console.log(`MCP endpoint: ${cluster.endpoint}`);
      console.log('serving until SIGINT/SIGTERM (Ctrl-C)');
      await new Promise<never>(() => {}); // the signal handlers stop everything and exit
    }
    const results = await runScenarios(cluster.pods, { durable: cluster.durable }, (r) =>
      console.log(
        `  ${r.status === 'passed' ? '✔' : r.status === 'skipped' ? '-' : '✖'} ${r.name} (${Math.round(r.ms)} ms)`,
      ),
    );
    printTable(results);
    const count = (status: ScenarioResult['status']) => results.filter((r) => r.status === status).length;
    const skipped = count('skipped');
    console.log(
      `\n${count('passed')} passed, ${count('failed')} failed${skipped ? `, ${skipped} skipped (${store}: one pod)` : ''}`,
    );
    return count('failed') === 0 && count('passed') > 0 ? 0 : 1;
  } finally {
    await cluster?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
