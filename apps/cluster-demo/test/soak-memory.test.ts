// The soak's memory verdict on synthetic series: what a leak looks like, and what it does not.
import { checkMemory, MIB, soakLocalIdleMs } from '../src/soak/memory-check.js';
import type { Incarnation, MemorySample } from '../src/soak/memory-sampler.js';

const RSS_EVERY_MS = 2_000;
const RETAINED_EVERY_MS = 3_000;

type Curve = (msSinceStart: number) => number;

function series(fromMs: number, toMs: number, everyMs: number, mib: Curve): MemorySample[] {
  const samples = [];
  for (let t = fromMs; t <= toMs; t += everyMs) samples.push({ t, bytes: mib(t - fromMs) * MIB });
  return samples;
}

/** One pod process sampled from `fromMs` to `toMs`: its retained memory and its RSS, in MiB. */
function incarnation(pid: number, fromMs: number, toMs: number, retained: Curve, rss: Curve): Incarnation {
  return {
    pod: `pod-${pid % 3}`,
    pid,
    retained: series(fromMs, toMs, RETAINED_EVERY_MS, retained),
    rss: series(fromMs, toMs, RSS_EVERY_MS, rss),
  };
}

// A session more or less: ±1 MiB of retained memory. GC sawtooth in RSS: ±20 MiB.
const jitter = (t: number) => Math.sin(t / 5_000);
const sawtooth = (t: number) => 20 * Math.sin(t / 7_000);
// What a healthy pod looks like: it fills its session cache in its first few seconds, then holds.
const healthyRetained = (t: number) => Math.min(32, 25 + t / 1_000) + jitter(t);
const flatRss = (t: number) => 150 + sawtooth(t);

describe('a one-minute run (the CI soak)', () => {
  const RUN_MS = 60_000;

  test('flat retained memory holds, whatever RSS does as V8 grows its heap by tens of MiB', () => {
    // The failure issue 14 reported: RSS climbing from 145 to 257 MiB in one long-lived pod while
    // its data stayed the same. RSS is no longer what the verdict rests on.
    const v8Growth = (t: number) => 145 + (112 * t) / RUN_MS;
    const verdict = checkMemory([incarnation(1, 0, RUN_MS, healthyRetained, v8Growth)], RUN_MS);
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(true);
  });

  test('restarted pods that refill their cache hold', () => {
    const verdict = checkMemory(
      [
        incarnation(1, 0, 10_000, healthyRetained, flatRss),
        incarnation(2, 0, RUN_MS, healthyRetained, flatRss),
        incarnation(4, 12_000, 28_000, healthyRetained, flatRss),
        incarnation(7, 32_000, 48_000, healthyRetained, flatRss),
        incarnation(10, 52_000, RUN_MS, healthyRetained, flatRss),
      ],
      RUN_MS,
    );
    expect(verdict.problems).toEqual([]);
  });

  test('a leak of 16 KiB per request at 40 requests/s (what one pod serves in the CI soak) is caught', () => {
    // 0.6 MiB/s. The smallest growth a one-minute run catches is about 0.4 MiB/s: 8 MiB + 5%
    // between the medians of quarters 24 s apart.
    const leaking = (t: number) => healthyRetained(t) + (16 / 1024) * 40 * (t / 1_000);
    const verdict = checkMemory([incarnation(1, 0, RUN_MS, leaking, flatRss)], RUN_MS);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.join('\n')).toMatch(/over the ceiling/);
    expect(verdict.problems.join('\n')).toMatch(/retained memory grew from a median/);
  });

  test('growth that only a restarted pod shows is caught too (the ceiling covers every process)', () => {
    const leaking = (t: number) => healthyRetained(t) + t / 500;
    const verdict = checkMemory(
      [incarnation(1, 0, RUN_MS, healthyRetained, flatRss), incarnation(2, 20_000, RUN_MS, leaking, flatRss)],
      RUN_MS,
    );
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.join('\n')).toMatch(/pod-2 \(pid 2\) retained .* over the ceiling/);
  });

  test('no retained-memory sample during the warm-up is a failure, not a pass', () => {
    const late: Incarnation = { ...incarnation(1, 0, RUN_MS, healthyRetained, flatRss), retained: [] };
    const verdict = checkMemory([late], RUN_MS);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toContain('no retained-memory sample during the warm-up');
  });

  test('pods drop sessions idle for a quarter of the 12 s warm-up', () => {
    expect(soakLocalIdleMs(RUN_MS)).toBe(3_000);
  });
});

describe('a ten-minute run (pnpm soak)', () => {
  const RUN_MS = 600_000;

  test('flat memory with GC sawtooth holds', () => {
    const verdict = checkMemory([incarnation(1, 0, RUN_MS, healthyRetained, flatRss)], RUN_MS);
    expect(verdict.problems).toEqual([]);
  });

  test('a slow leak of retained memory that stays under the ceiling is caught by the trend', () => {
    // +0.05 MiB/s: 30 MiB over the run, just under 1.25 × R + 16 MiB.
    const slow = (t: number) => healthyRetained(t) + t / 20_000;
    const verdict = checkMemory([incarnation(1, 0, RUN_MS, slow, flatRss)], RUN_MS);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.join('\n')).not.toMatch(/over the ceiling/);
    expect(verdict.problems.join('\n')).toMatch(/retained memory grew from a median/);
  });

  test('native memory the probe cannot see, growing 0.25 MiB/s, is caught by the RSS trend', () => {
    const nativeLeak = (t: number) => 250 + t / 4_000 + sawtooth(t);
    const verdict = checkMemory([incarnation(1, 0, RUN_MS, healthyRetained, nativeLeak)], RUN_MS);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.join('\n')).toMatch(/RSS grew from a median/);
  });

  test('pods drop sessions idle for 30 s (a quarter of the 120 s warm-up), and never more than 60 s', () => {
    expect(soakLocalIdleMs(RUN_MS)).toBe(30_000);
    expect(soakLocalIdleMs(3_600_000)).toBe(60_000);
    expect(soakLocalIdleMs(10_000)).toBe(1_000);
  });
});
