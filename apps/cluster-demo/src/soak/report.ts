// The soak's output: the progress line every ~10 s and the final report.

import { formatTable } from '../text-table.js';
import { type MemoryVerdict, MIB, memoryCriterion, type SeriesSummary, type Trend } from './memory-check.js';
import type { PodRestart } from './pod-restarts.js';
import { type SoakStats, summarize } from './stats.js';

const ms = (value: number) =>
  Number.isNaN(value) ? '-' : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
const percent = (part: number, whole: number) =>
  whole === 0 ? '0%' : `${((100 * part) / whole).toFixed(3)}%`;

/** One line: elapsed time, totals so far, p99 of the last interval, restarts, each pod's memory now. */
export function progressLine(
  elapsedS: number,
  stats: SoakStats,
  restarts: number,
  memoryNow: ReadonlyArray<{ pod: string; rss: number | undefined; retained: number | undefined }>,
): string {
  const t = stats.totals();
  const recent = summarize(stats.recentLatencies());
  const mibOrDown = (bytes: number | undefined) =>
    bytes === undefined ? 'down' : String(Math.round(bytes / MIB));
  const memory = memoryNow.map((m) => `${m.pod} ${mibOrDown(m.retained)}/${mibOrDown(m.rss)}`);
  return `  ${String(Math.round(elapsedS)).padStart(4)} s  requests ${t.requests}, errors ${t.errors}, in flight on a killed pod ${t.killed}, p99 (last interval) ${ms(recent.p99)}, sessions ${stats.sessionsOpened}, restarts ${restarts}, retained/RSS MiB: ${memory.join(', ')}`;
}

export interface ReportInput {
  title: string;
  stats: SoakStats;
  restarts: readonly PodRestart[];
  memory: MemoryVerdict;
  /** The run's planned duration, which sets the memory criterion's warm-up. */
  durationMs: number;
  elapsedS: number;
}

export function finalReport({ title, stats, restarts, memory, durationMs, elapsedS }: ReportInput): string {
  const t = stats.totals();
  const out: string[] = [`\n${title}\n`];
  const graceful = restarts.filter((r) => r.kind === 'graceful').length;
  out.push(
    formatTable(
      [
        'requests',
        'req/s',
        'errors',
        'error rate',
        'in flight on a killed pod',
        'their retry ok',
        'p50',
        'p95',
        'p99',
        'max',
      ],
      [
        [
          String(t.requests),
          (t.requests / elapsedS).toFixed(1),
          String(t.errors),
          percent(t.errors, t.requests),
          String(t.killed),
          `${stats.retriesOk}/${stats.retriesOk + stats.retriesFailed}`,
          ms(t.latency.p50),
          ms(t.latency.p95),
          ms(t.latency.p99),
          ms(t.latency.max),
        ],
      ],
      new Set([0, 1, 2, 3, 4, 6, 7, 8, 9]),
    ),
  );
  out.push(
    `\nsessions: ${stats.sessionsOpened} opened, ${stats.sessionsDeleted} ended with DELETE, ${stats.sessionsAbandoned} abandoned\nGET streams: ${stats.getStreams.opened} opened by the SDK client after initialize, ${stats.getStreams.resumed} resumed with Last-Event-ID after a restart ended or cut them (${stats.getStreams.broke} cut by a SIGKILL); stream errors the client reported and handled itself: ${stats.getStreamNotices}`,
  );
  out.push(
    `pod restarts: ${restarts.length} (${graceful} graceful SIGTERM, ${restarts.length - graceful} SIGKILL)${restarts.some((r) => r.error) ? `, ${restarts.filter((r) => r.error).length} FAILED` : ''}\n`,
  );
  out.push(
    formatTable(
      ['operation', 'requests', 'errors', 'killed pod', 'p50', 'p95', 'p99', 'max'],
      stats
        .perOp()
        .map((o) => [
          o.op,
          String(o.requests),
          String(o.errors),
          String(o.killed),
          ms(o.latency.p50),
          ms(o.latency.p95),
          ms(o.latency.p99),
          ms(o.latency.max),
        ]),
      new Set([1, 2, 3, 4, 5, 6, 7]),
    ),
  );
  out.push(
    '\nlatency: of each successful request (a retry counts its own time); requests are MCP operations',
  );
  if (stats.failures.length > 0) {
    out.push('\nfailures (first 20):');
    for (const f of stats.failures.slice(0, 20)) {
      const kind =
        f.kind === 'killed-pod'
          ? 'in flight on a killed pod, retried'
          : f.kind === 'killed-pod-unretried'
            ? 'in flight on a killed pod, not retriable'
            : 'ERROR';
      out.push(`  ${f.atS.toFixed(1).padStart(6)} s  ${f.op}: ${kind}: ${f.error}`);
    }
  }
  out.push(
    '\npod memory (MiB), per pod process (a restart starts a new one): retained after a full garbage collection (judged), and RSS\n',
  );
  const trendCells = (trend: Trend | undefined) =>
    trend
      ? [trend.secondMiB.toFixed(1), trend.lastMiB.toFixed(1), trend.limitMiB.toFixed(1)]
      : ['-', '-', '-'];
  const seriesCells = (series: SeriesSummary | undefined) =>
    series
      ? [series.firstMiB.toFixed(1), series.maxMiB.toFixed(1), series.lastMiB.toFixed(1)]
      : ['-', '-', '-'];
  out.push(
    formatTable(
      [
        'pod',
        'pid',
        'sampled',
        'retained first',
        'max',
        'last',
        '2nd quarter median',
        'last quarter median',
        'limit',
        'RSS first',
        'max',
        'last',
        'RSS trend limit',
      ],
      memory.incarnations.map((i) => [
        i.pod,
        String(i.pid),
        `${Math.round(i.fromS)}-${Math.round(i.toS)} s`,
        ...seriesCells(i.retained),
        ...trendCells(i.retained?.trend),
        ...seriesCells(i.rss),
        i.rss?.trend ? `${i.rss.trend.lastMiB.toFixed(1)} <= ${i.rss.trend.limitMiB.toFixed(1)}` : '-',
      ]),
      new Set([1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    ),
  );
  out.push(`\n${memoryCriterion(durationMs)}`);
  out.push(
    `  R = ${memory.warmupRetainedMiB.toFixed(1)} MiB, retained ceiling ${memory.retainedCeilingMiB.toFixed(1)} MiB: ${memory.ok ? 'holds' : 'VIOLATED'}`,
  );
  for (const problem of memory.problems) out.push(`  - ${problem}`);
  return out.join('\n');
}
