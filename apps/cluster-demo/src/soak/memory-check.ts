// The memory criterion of the soak: pod memory must not grow without bound.
//
// What it judges is the memory a pod *retains*: the V8 heap in use plus Buffers, right after a full
// garbage collection (the pod's /debug/memory probe, sampled every few seconds). A leak moves that
// figure by what it keeps; garbage does not move it at all. RSS, which an earlier version judged,
// mostly measures how far V8 has grown its heap: it grows in steps of tens of MiB and gives memory
// back late, whatever the live data, so on a one-minute run a ceiling on RSS was crossed by a
// healthy pod whenever traffic was a little faster (issue 14). RSS is still sampled and reported,
// and judged for a trend where a run is long enough for that to mean something.
//
// Both checks start after the warm-up: the first 20% of the run, during which code is loaded and
// JIT-compiled and each pod fills its cache of live sessions. The soak gives its pods a `localIdleMs`
// of a quarter of the warm-up (soakLocalIdleMs), and a pod drops an idle session within twice that
// (its sweep runs every `localIdleMs`): by the end of the warm-up a pod holds what it will hold for
// the rest of the run, on any machine, however fast the traffic. (With the demo's 60 s, a one-minute
// run never reaches that state: every session served stays for the whole run.)
//
// 1. Retained ceiling. R = the highest retained memory of any pod during the warm-up. Every later
//    sample of every pod process, restarted ones included, stays under 1.25 × R + 16 MiB.
// 2. Retained trend. In every pod process sampled for at least max(30 s, the warm-up) after the
//    run's warm-up and its own first warm-up-long stretch, the median of the last quarter of that span
//    is at most 1.05 × the median of its second quarter + 8 MiB. The quarters' medians ride out a
//    session more or less; a leak of a fixed size per request crosses it within the run.
// 3. RSS trend, for native memory the probe does not see: the same rule over RSS with 32 MiB of
//    headroom, in pod processes sampled for at least 120 s after the warm-up and their own first
//    120 s (runs of several minutes).
import type { Incarnation, MemorySample } from './memory-sampler.js';

export const MIB = 1024 * 1024;
export const WARMUP_FRACTION = 0.2;
const RETAINED_CEILING_FACTOR = 1.25;
const RETAINED_CEILING_HEADROOM = 16 * MIB;
const RETAINED_TREND_MIN_SPAN_MS = 30_000;
const RETAINED_TREND_HEADROOM = 8 * MIB;
const RSS_TREND_MIN_SPAN_MS = 120_000;
/** A process's own warm-up, for the RSS trend: its heap sizes itself again after a restart. */
const RSS_INCARNATION_WARMUP_MS = 120_000;
const RSS_TREND_HEADROOM = 32 * MIB;
const TREND_FACTOR = 1.05;
const TREND_MIN_SAMPLES = 8;
const MIN_LOCAL_IDLE_MS = 1_000;
const MAX_LOCAL_IDLE_MS = 60_000;

/** The warm-up of a run of `durationMs`: nothing sampled before its end is judged. */
export function warmupMs(durationMs: number): number {
  return durationMs * WARMUP_FRACTION;
}

/**
 * The `localIdleMs` of the soak's pods: a quarter of the warm-up (1 s to 60 s), so that a pod has
 * dropped the idle sessions of the warm-up's first half before the warm-up ends.
 */
export function soakLocalIdleMs(durationMs: number): number {
  return Math.round(Math.min(MAX_LOCAL_IDLE_MS, Math.max(MIN_LOCAL_IDLE_MS, warmupMs(durationMs) / 4)));
}

export function memoryCriterion(durationMs: number): string {
  const w = warmupMs(durationMs) / 1000;
  const trendSpan = Math.max(RETAINED_TREND_MIN_SPAN_MS, warmupMs(durationMs)) / 1000;
  return `pod memory criterion (retained = V8 heap in use + Buffers after a full garbage collection; warm-up = the first ${w} s, ${WARMUP_FRACTION * 100}% of the run;
pods drop sessions idle for ${soakLocalIdleMs(durationMs) / 1000} s, so each holds what it will hold by the end of the warm-up; R = the highest retained memory of any pod during it):
  1. retained ceiling: every later sample of every pod process, restarted ones included, stays under ${RETAINED_CEILING_FACTOR} × R + ${RETAINED_CEILING_HEADROOM / MIB} MiB
  2. retained trend: in every pod process sampled for at least ${trendSpan} s after the warm-up and its own first ${w} s,
     the median of the last quarter of that span is at most ${TREND_FACTOR} × the median of its second quarter + ${RETAINED_TREND_HEADROOM / MIB} MiB
  3. RSS trend (runs of several minutes): the same over RSS, + ${RSS_TREND_HEADROOM / MIB} MiB, in pod processes sampled for at least ${RSS_TREND_MIN_SPAN_MS / 1000} s after the warm-up and their own first ${RSS_INCARNATION_WARMUP_MS / 1000} s`;
}

/** Medians of a series' second and last quarters, and the limit the last one must stay under. */
export interface Trend {
  secondMiB: number;
  lastMiB: number;
  limitMiB: number;
}

/** First, highest and last value of one series of one process, and its trend where judged. */
export interface SeriesSummary {
  firstMiB: number;
  maxMiB: number;
  lastMiB: number;
  trend?: Trend | undefined;
}

export interface IncarnationSummary {
  pod: string;
  pid: number;
  fromS: number;
  toS: number;
  retained?: SeriesSummary | undefined;
  rss?: SeriesSummary | undefined;
}

export interface MemoryVerdict {
  ok: boolean;
  /** R: the highest retained memory of any pod during the warm-up. */
  warmupRetainedMiB: number;
  retainedCeilingMiB: number;
  incarnations: IncarnationSummary[];
  problems: string[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const mib = (bytes: number) => bytes / MIB;

function summarize(samples: readonly MemorySample[]): SeriesSummary | undefined {
  if (samples.length === 0) return undefined;
  const bytes = samples.map((s) => s.bytes);
  return { firstMiB: mib(bytes[0]!), maxMiB: mib(Math.max(...bytes)), lastMiB: mib(bytes.at(-1)!) };
}

/**
 * The trend of the samples after `from`, if they span at least `minSpanMs` in at least 8 samples:
 * the last quarter's median against `TREND_FACTOR` × the second quarter's + `headroom`.
 */
function trendOf(
  samples: readonly MemorySample[],
  from: number,
  minSpanMs: number,
  headroom: number,
): (Trend & { exceeded: boolean }) | undefined {
  const settled = samples.filter((s) => s.t > from);
  if (settled.length < TREND_MIN_SAMPLES) return undefined;
  const start = settled[0]!.t;
  const span = settled.at(-1)!.t - start;
  if (span < minSpanMs) return undefined;
  const quarter = (q: number) =>
    settled
      .filter((s) => s.t >= start + (q * span) / 4 && s.t <= start + ((q + 1) * span) / 4)
      .map((s) => s.bytes);
  const second = median(quarter(1));
  const last = median(quarter(3));
  const limit = TREND_FACTOR * second + headroom;
  return { secondMiB: mib(second), lastMiB: mib(last), limitMiB: mib(limit), exceeded: last > limit };
}

/** Applies the criterion to what was sampled during a run of `durationMs`. */
export function checkMemory(incarnations: readonly Incarnation[], durationMs: number): MemoryVerdict {
  const warmup = warmupMs(durationMs);
  const problems: string[] = [];
  const warmupRetained = incarnations.flatMap((i) => i.retained.filter((s) => s.t <= warmup));
  if (warmupRetained.length === 0) problems.push('no retained-memory sample during the warm-up');
  const r = Math.max(0, ...warmupRetained.map((s) => s.bytes));
  const ceiling = RETAINED_CEILING_FACTOR * r + RETAINED_CEILING_HEADROOM;
  const retainedTrendSpan = Math.max(RETAINED_TREND_MIN_SPAN_MS, warmup);
  const summaries: IncarnationSummary[] = [];
  for (const incarnation of incarnations) {
    const name = `${incarnation.pod} (pid ${incarnation.pid})`;
    const all = [...incarnation.rss, ...incarnation.retained].map((s) => s.t);
    const born = Math.min(...all);
    const summary: IncarnationSummary = {
      pod: incarnation.pod,
      pid: incarnation.pid,
      fromS: born / 1000,
      toS: Math.max(...all) / 1000,
      retained: summarize(incarnation.retained),
      rss: summarize(incarnation.rss),
    };
    const over = incarnation.retained.filter((s) => s.t > warmup && s.bytes > ceiling);
    if (over.length > 0) {
      const worst = over.reduce((a, b) => (b.bytes > a.bytes ? b : a));
      problems.push(
        `${name} retained ${mib(worst.bytes).toFixed(1)} MiB at ${(worst.t / 1000).toFixed(0)} s, over the ceiling of ${mib(ceiling).toFixed(1)} MiB`,
      );
    }
    const judge = (
      what: string,
      series: SeriesSummary | undefined,
      samples: readonly MemorySample[],
      processWarmupMs: number,
      minSpanMs: number,
      headroom: number,
    ) => {
      const trend = trendOf(samples, Math.max(warmup, born + processWarmupMs), minSpanMs, headroom);
      if (!series || !trend) return;
      series.trend = trend;
      if (trend.exceeded) {
        problems.push(
          `${name} ${what} grew from a median of ${trend.secondMiB.toFixed(1)} MiB to ${trend.lastMiB.toFixed(1)} MiB (limit ${trend.limitMiB.toFixed(1)} MiB)`,
        );
      }
    };
    judge(
      'retained memory',
      summary.retained,
      incarnation.retained,
      warmup,
      retainedTrendSpan,
      RETAINED_TREND_HEADROOM,
    );
    judge(
      'RSS',
      summary.rss,
      incarnation.rss,
      RSS_INCARNATION_WARMUP_MS,
      RSS_TREND_MIN_SPAN_MS,
      RSS_TREND_HEADROOM,
    );
    summaries.push(summary);
  }
  return {
    ok: problems.length === 0,
    warmupRetainedMiB: mib(r),
    retainedCeilingMiB: mib(ceiling),
    incarnations: summaries,
    problems,
  };
}
