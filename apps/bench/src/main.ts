// pnpm bench [--quick] [--only section,...]: what distribution costs, measured side by side against
// the obvious alternatives. Starts its own Redis, PostgreSQL and DynamoDB Local, runs every section,
// writes docs/benchmarks/README.md and chart.svg, and stops everything it started.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { BenchContext, SectionResult } from './context.js';
import { runListenStreams } from './listen-streams.js';
import { describeMachine } from './machine.js';
import { runNotifyLatency } from './notify-latency.js';
import { runRehydration } from './rehydration.js';
import { renderChart, renderReport, writeReport } from './report.js';
import { runRequestStateClaims } from './request-state-claims.js';
import { runRoundTrips } from './round-trips.js';
import { runScale } from './scale.js';
import { startBackends } from './start-backends.js';
import { runStoreOps } from './store-ops.js';
import { runThroughput } from './throughput.js';

const SECTIONS: Record<string, (ctx: BenchContext) => Promise<SectionResult>> = {
  'round-trips': runRoundTrips,
  throughput: runThroughput,
  'notify-latency': runNotifyLatency,
  'request-state': runRequestStateClaims,
  rehydration: runRehydration,
  'store-ops': runStoreOps,
  scale: runScale,
  'listen-streams': runListenStreams,
};

const USAGE = `Usage: pnpm bench [--quick] [--only ${Object.keys(SECTIONS).join(',')}]
  --quick  fewer rounds and smaller sizes (under 5 minutes)
  --only   run these sections only (the report then holds only them)`;

function parseArgs(argv: string[]): { quick: boolean; only: string[] } {
  let quick = false;
  let only = Object.keys(SECTIONS);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--only') {
      only = (argv[++i] ?? '').split(',').filter(Boolean);
      const unknown = only.filter((s) => !(s in SECTIONS));
      if (only.length === 0 || unknown.length > 0)
        throw new Error(`unknown section(s) ${unknown.join(', ')}\n${USAGE}`);
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return { quick, only };
}

async function main(): Promise<number> {
  const { quick, only } = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  // Other work on the machine moves every figure: the report says how busy it was.
  const loadAtStart = loadavg()[0]!;
  const log = (line: string) => console.log(line);
  const backends = await startBackends(log);
  const stop = () => backends.stop();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stop().then(() => process.exit(130)));
  }
  try {
    const ctx: BenchContext = { quick, ...backends, log };
    const machine = await describeMachine(ctx);
    const sections: SectionResult[] = [];
    for (const name of only) {
      const started = performance.now();
      log(`\n=== ${name}`);
      sections.push(await SECTIONS[name]!(ctx));
      log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    const durationS = (Date.now() - startedAt.getTime()) / 1000;
    const dir = join(import.meta.dirname, '..', '..', '..', 'docs', 'benchmarks');
    await writeReport(
      dir,
      renderReport(sections, machine, {
        quick,
        startedAt,
        durationS,
        load: [loadAtStart, loadavg()[0]!],
      }),
      renderChart(sections),
    );
    log('\nHeadlines:');
    for (const section of sections) for (const headline of section.headlines) log(`- ${headline}`);
    log(`\nreport: docs/benchmarks/README.md (and chart.svg), ${durationS.toFixed(0)} s`);
    return 0;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
