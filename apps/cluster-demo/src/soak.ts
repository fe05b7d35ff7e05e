// The soak run: the demo cluster under mixed traffic for minutes, with pods restarted under it one at
// a time (graceful and SIGKILL in turn). Reports requests, error rate, latency percentiles and each
// pod's memory over time, and exits 0 only if nothing failed (requests in flight on a killed pod
// excepted, when their retry succeeded) and pod memory did not grow without bound.
//   pnpm soak [--duration S] [--store redis|postgres|dynamodb] [--pods N] [--restart-every S] [--users N] [--inject-leak KIB]
import { type DemoCluster, startDemoCluster } from './cluster.js';
import { podSettingsEnv } from './pod-settings.js';
import { checkMemory, soakLocalIdleMs } from './soak/memory-check.js';
import { MemorySampler } from './soak/memory-sampler.js';
import { parseSoakArgs, SOAK_USAGE } from './soak/options.js';
import { PodRestarter } from './soak/pod-restarts.js';
import { finalReport, progressLine } from './soak/report.js';
import { SoakStats } from './soak/stats.js';
import { runVirtualUser } from './soak/virtual-user.js';

const PROGRESS_EVERY_MS = 10_000;
const RSS_EVERY_MS = 2_000;
// Each probe runs a full garbage collection in every pod: a pause of tens of ms, so less often.
const RETAINED_EVERY_MS = 3_000;
const REQUEST_TIMEOUT_MS = 10_000;

async function main(): Promise<number> {
  const parsed = parseSoakArgs(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(SOAK_USAGE);
    return 0;
  }
  const { durationS, store, pods, restartEveryS, users, injectLeakKiB } = parsed;
  // Pods reach the memory they will hold within the warm-up (see memory-check.ts), and answer the
  // retained-memory probe the criterion judges.
  const localIdleMs = soakLocalIdleMs(durationS * 1000);
  const podEnv = podSettingsEnv({
    localIdleMs,
    memoryProbe: true,
    injectedLeakBytesPerRequest: injectLeakKiB * 1024,
  });
  let cluster: DemoCluster | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping the cluster and the backend...`);
      void (cluster?.stop() ?? Promise.resolve()).then(() => process.exit(130));
    });
  }
  try {
    cluster = await startDemoCluster({ store, pods, podEnv, log: (line) => console.log(line) });
    const leak = injectLeakKiB > 0 ? `; SELF-TEST: every pod leaks ${injectLeakKiB} KiB per MCP request` : '';
    const title = `soak: ${durationS} s of mixed traffic, ${store}, ${pods} pods, ${users} virtual users, a pod restart every ${restartEveryS} s (graceful SIGTERM and SIGKILL in turn; the last pod is never restarted); pods drop sessions idle for ${localIdleMs / 1000} s${leak}`;
    console.log(`\n${title}`);
    const startedAt = Date.now();
    const endsAt = startedAt + durationS * 1000;
    const stats = new SoakStats(startedAt);
    const restarter = new PodRestarter(cluster.pods, restartEveryS * 1000, (line, at) =>
      console.log(`  ${String(Math.round((at - startedAt) / 1000)).padStart(4)} s  ${line}`),
    );
    const sampler = new MemorySampler(cluster.pods, {
      rssEveryMs: RSS_EVERY_MS,
      retainedEveryMs: RETAINED_EVERY_MS,
    });
    sampler.start(startedAt);
    restarter.start(startedAt, endsAt);
    const progress = setInterval(
      () =>
        console.log(
          progressLine((Date.now() - startedAt) / 1000, stats, restarter.restarts.length, sampler.latest()),
        ),
      PROGRESS_EVERY_MS,
    );
    const ctx = {
      endpoint: cluster.endpoint,
      stats,
      restarter,
      stopping: () => Date.now() >= endsAt,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    };
    try {
      await Promise.all(Array.from({ length: users }, () => runVirtualUser(ctx)));
    } finally {
      // Also when a user failed unexpectedly: no restart may run into cluster.stop().
      await restarter.stop();
      clearInterval(progress);
      await sampler.stop();
    }
    const elapsedS = (Date.now() - startedAt) / 1000;

    const memory = checkMemory(sampler.incarnations(), durationS * 1000);
    const totals = stats.totals();
    console.log(
      finalReport({
        title,
        stats,
        restarts: restarter.restarts,
        memory,
        durationMs: durationS * 1000,
        elapsedS,
      }),
    );
    const reasons: string[] = [];
    if (totals.errors > 0) reasons.push(`${totals.errors} request(s) failed`);
    if (stats.retriesFailed > 0) reasons.push(`${stats.retriesFailed} retry(ies) after a pod kill failed`);
    if (totals.requests === 0) reasons.push('no request was made');
    const failedRestarts = restarter.restarts.filter((r) => r.error);
    if (failedRestarts.length > 0) reasons.push(`${failedRestarts.length} pod restart(s) failed`);
    if (!memory.ok) reasons.push('the pod memory criterion does not hold');
    console.log(reasons.length === 0 ? '\nPASS' : `\nFAIL: ${reasons.join('; ')}`);
    return reasons.length === 0 ? 0 : 1;
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
