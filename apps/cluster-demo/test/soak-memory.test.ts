// The soak's memory verdict on synthetic RSS series: what a leak looks like, and what it does not.
import { checkMemory, MIB } from '../src/soak/memory-check.js';
import type { Incarnation } from '../src/soak/rss-sampler.js';

const RUN_MS = 600_000;
const EVERY_MS = 2_000;

/** One process sampled every 2 s from `fromMs` to `toMs`, its RSS in MiB given by `mib(t)`. */
function incarnation(
  pid: number,
  fromMs: number,
  toMs: number,
  mib: (msSinceStart: number) => number,
): Incarnation {
  const samples = [];
  for (let t = fromMs; t <= toMs; t += EVERY_MS) samples.push({ t, bytes: mib(t - fromMs) * MIB });
  return { pod: `pod-${pid % 3}`, pid, samples };
}

// GC sawtooth: ±20 MiB around the level.
const sawtooth = (t: number) => 20 * Math.sin(t / 7_000);

test('a flat process with GC sawtooth holds', () => {
  const verdict = checkMemory([incarnation(1, 0, RUN_MS, (t) => 300 + sawtooth(t))], RUN_MS);
  expect(verdict.problems).toEqual([]);
  expect(verdict.ok).toBe(true);
});

test('a restarted process that fills its session cache, then levels off, holds', () => {
  // Restarted at 100 s: ramps from 60 to 380 MiB over its first 90 s, flat after.
  const ramp = (t: number) => Math.min(380, 60 + (320 * t) / 90_000) + sawtooth(t);
  const verdict = checkMemory(
    [incarnation(1, 0, 98_000, (t) => 300 + sawtooth(t)), incarnation(2, 100_000, 400_000, ramp)],
    RUN_MS,
  );
  expect(verdict.problems).toEqual([]);
});

test('a slow leak that never reaches the ceiling is caught by the trend check', () => {
  // +0.25 MiB/s (900 MiB an hour): it stays under the ceiling for the whole 10 minutes.
  const verdict = checkMemory([incarnation(1, 0, RUN_MS, (t) => 250 + t / 4_000 + sawtooth(t))], RUN_MS);
  expect(verdict.ok).toBe(false);
  expect(verdict.problems.join('\n')).toMatch(/grew from a median/);
});

test('a fast leak crosses the ceiling', () => {
  const verdict = checkMemory([incarnation(1, 0, RUN_MS, (t) => 200 + t / 1_000)], RUN_MS);
  expect(verdict.ok).toBe(false);
  expect(verdict.problems.join('\n')).toMatch(/over the ceiling/);
});
