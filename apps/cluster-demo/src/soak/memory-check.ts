// The memory criterion of the soak: pod memory must not grow without bound.
//
// RSS is sampled per pod process ("incarnation": a restart starts a new one, whose memory starts
// over). Two checks, both over what was sampled after the warm-up (the first 20% of the run, when
// code is loaded, JIT-compiled and the V8 heap sizes itself to the load):
//
// 1. A ceiling. W is the highest RSS any pod reached during the warm-up. Every later sample of every
//    incarnation, restarted ones included, must stay under max(1.5 × W, W + 64 MiB). A leak of a
//    fixed size per request or per session crosses it given enough traffic; normal GC sawtooth
//    (tens of MiB) does not.
// 2. No trend in a long-lived process. For every incarnation sampled over at least 120 s after the
//    warm-up (the run's, and its own first 120 s: a restarted pod fills its cache of live sessions,
//    which it keeps for the pods' `localIdleMs`, and its heap sizes itself again), the median RSS
//    of the last quarter of that span must not exceed the median of its second quarter by more
//    than 5% + 32 MiB. This catches a leak too slow to reach the ceiling within the run, while
//    the quarters' medians ride out GC sawtooth.
import type { Incarnation, RssSample } from './rss-sampler.js';

export const MIB = 1024 * 1024;
export const WARMUP_FRACTION = 0.2;
const CEILING_FACTOR = 1.5;
const CEILING_HEADROOM = 64 * MIB;
const TREND_MIN_SPAN_MS = 120_000;
/** A process's own warm-up, excluded from its trend check (see above). */
export const INCARNATION_WARMUP_MS = 120_000;
const TREND_FACTOR = 1.05;
const TREND_HEADROOM = 32 * MIB;

export const MEMORY_CRITERION = `pod memory criterion (after a warm-up of the first ${WARMUP_FRACTION * 100}% of the run; W = the highest RSS of any pod during it):
  1. ceiling: every RSS sample of every pod process, restarted ones included, stays under max(${CEILING_FACTOR} × W, W + ${CEILING_HEADROOM / MIB} MiB)
  2. no trend: in every pod process sampled for at least ${TREND_MIN_SPAN_MS / 1000} s after the warm-up and its own first ${INCARNATION_WARMUP_MS / 1000} s,
     the median RSS of the last quarter of that span is at most ${TREND_FACTOR} × the median of its second quarter + ${TREND_HEADROOM / MIB} MiB`;

export interface IncarnationSummary {
  pod: string;
  pid: number;
  fromS: number;
  toS: number;
  firstMiB: number;
  maxMiB: number;
  lastMiB: number;
  /** Second-quarter and last-quarter medians after the warm-up, when the trend check applies. */
  trend?: { secondMiB: number; lastMiB: number; limitMiB: number };
}

export interface MemoryVerdict {
  ok: boolean;
  warmupMaxMiB: number;
  ceilingMiB: number;
  incarnations: IncarnationSummary[];
  problems: string[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const mib = (bytes: number) => bytes / MIB;

/** Applies the criterion to what was sampled during a run of `durationMs`. */
export function checkMemory(incarnations: readonly Incarnation[], durationMs: number): MemoryVerdict {
  const warmupEnd = durationMs * WARMUP_FRACTION;
  const warmupSamples = incarnations.flatMap((i) => i.samples.filter((s) => s.t <= warmupEnd));
  const problems: string[] = [];
  if (warmupSamples.length === 0) problems.push('no RSS sample during the warm-up');
  const w = Math.max(0, ...warmupSamples.map((s) => s.bytes));
  const ceiling = Math.max(CEILING_FACTOR * w, w + CEILING_HEADROOM);
  const summaries: IncarnationSummary[] = [];
  for (const incarnation of incarnations) {
    const { samples } = incarnation;
    const bytes = samples.map((s) => s.bytes);
    const summary: IncarnationSummary = {
      pod: incarnation.pod,
      pid: incarnation.pid,
      fromS: samples[0]!.t / 1000,
      toS: samples.at(-1)!.t / 1000,
      firstMiB: mib(bytes[0]!),
      maxMiB: mib(Math.max(...bytes)),
      lastMiB: mib(bytes.at(-1)!),
    };
    const late = samples.filter((s) => s.t > warmupEnd);
    const over = late.filter((s) => s.bytes > ceiling);
    if (over.length > 0) {
      const worst = over.reduce((a, b) => (b.bytes > a.bytes ? b : a));
      problems.push(
        `${incarnation.pod} (pid ${incarnation.pid}) reached ${mib(worst.bytes).toFixed(1)} MiB at ${(worst.t / 1000).toFixed(0)} s, over the ceiling of ${mib(ceiling).toFixed(1)} MiB`,
      );
    }
    const settled = late.filter((s) => s.t > samples[0]!.t + INCARNATION_WARMUP_MS);
    if (settled.length >= 8 && settled.at(-1)!.t - settled[0]!.t >= TREND_MIN_SPAN_MS) {
      const from = settled[0]!.t;
      const span = settled.at(-1)!.t - from;
      const quarter = (q: number): RssSample[] =>
        settled.filter((s) => s.t >= from + (q * span) / 4 && s.t <= from + ((q + 1) * span) / 4);
      const second = median(quarter(1).map((s) => s.bytes));
      const last = median(quarter(3).map((s) => s.bytes));
      const limit = TREND_FACTOR * second + TREND_HEADROOM;
      summary.trend = { secondMiB: mib(second), lastMiB: mib(last), limitMiB: mib(limit) };
      if (last > limit) {
        problems.push(
          `${incarnation.pod} (pid ${incarnation.pid}) grew from a median of ${mib(second).toFixed(1)} MiB to ${mib(last).toFixed(1)} MiB (limit ${mib(limit).toFixed(1)} MiB)`,
        );
      }
    }
    summaries.push(summary);
  }
  return {
    ok: problems.length === 0,
    warmupMaxMiB: mib(w),
    ceilingMiB: mib(ceiling),
    incarnations: summaries,
    problems,
  };
}
