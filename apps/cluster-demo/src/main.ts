// The main job: start a backend, N pod processes and a round-robin balancer with no affinity, run an
// MCP session (2025) and, on SDK v2, a 2026-07-28 client through every scenario across them, print
// a table, stop everything. With --serve, serve instead, every pod exporting OpenTelemetry metrics
// (and with --traces, spans).
//   pnpm demo [--store memory|redis|postgres|dynamodb] [--pods N] [--sdk 1|2] [--port P] [--serve [--traces]]
import { type DemoCluster, startDemoCluster } from './cluster.js';
import { DEMO_USAGE, parseDemoArgs } from './demo-options.js';
import { type DemoTelemetry, prepareDemoTelemetry } from './demo-telemetry.js';
import { runScenarios, type ScenarioResult } from './scenarios.js';
import { sdkLabel } from './sdk-major.js';
import { formatTable } from './text-table.js';

function printTable(results: ScenarioResult[]): void {
  const rows = results.map((r) => [
    r.status === 'passed' ? 'PASS' : r.status === 'skipped' ? 'SKIP' : 'FAIL',
    r.era,
    r.name,
    r.pods,
    `${Math.round(r.ms)} ms`,
    r.detail ?? '',
  ]);
  console.log(`\n${formatTable(['result', 'era', 'scenario', 'pods', 'time', 'detail'], rows)}`);
}

async function main(): Promise<number> {
  const parsed = parseDemoArgs(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(DEMO_USAGE);
    return 0;
  }
  const { store, pods, sdk, port, serve, traces } = parsed;
  let cluster: DemoCluster | undefined;
  let telemetry: DemoTelemetry | undefined;
  const stopAll = async () => {
    await cluster?.stop();
    await telemetry?.stop();
  };
  // Ctrl-C or a kill: stop everything this started, then leave.
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // `on`, not `once`: while this listener stays, testing's process clean-up does not re-raise the
    // signal (which would end the process before the cluster has stopped); a second signal is ignored.
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: stopping the cluster and the backend...`);
      // Serving ends by a signal, as asked; during the scenarios a signal is an interruption.
      void stopAll().then(() => process.exit(serve ? 0 : 130));
    });
  }
  try {
    const clients =
      sdk === 2 ? 'clients of both protocol eras (2025 session, 2026-07-28)' : 'client (2025 session)';
    console.log(`MCP: ${sdkLabel(sdk)}, pods and scripted ${clients}`);
    // Serving, every pod exports telemetry: the OpenTelemetry SDK is registered in each before its
    // router is created (pod-telemetry.ts). The scenario runs load none.
    if (serve) telemetry = await prepareDemoTelemetry({ pods, traces });
    cluster = await startDemoCluster({
      store,
      pods,
      sdk,
      port,
      log: (line) => console.log(line),
      podEnv: telemetry?.podEnv,
    });
    console.log('');
    if (serve) {
      console.log(`MCP endpoint: ${cluster.endpoint}`);
      for (const [pod, url] of telemetry?.metricsUrls ?? []) console.log(`${pod} metrics: ${url}`);
      if (telemetry?.tracesFile) {
        console.log(`traces: every pod's spans as they end, printed here (also in ${telemetry.tracesFile})`);
      }
      if (sdk === 2) {
        console.log(
          `requestState keyring: ${cluster.keyringFile} (every pod follows it; rotate keys with\n` +
            `  pnpm demo:rotate-key ${cluster.keyringFile} add|activate|drop)`,
        );
      }
      console.log('serving until SIGINT/SIGTERM (Ctrl-C)');
      telemetry?.followTraces((line) => console.log(line));
      await new Promise<never>(() => {}); // the signal handlers stop everything and exit
    }
    const results = await runScenarios(
      cluster.pods,
      { durable: cluster.durable, sdk, keyringFile: cluster.keyringFile },
      (r) =>
        console.log(
          `  ${r.status === 'passed' ? '✔' : r.status === 'skipped' ? '-' : '✖'} ${r.era} ${r.name} (${Math.round(r.ms)} ms)`,
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
