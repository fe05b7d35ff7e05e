// Where the time goes when a headline target is missed: one more round on each side of the pair,
// with the pod's V8 sampling profiler on over the measured window (pod-profile.ts), turned into CPU
// time per request by package. Profiled rounds are not part of any ratio (profiling slows a pod).
import { type LoadTarget, runRound, type Timing } from './load-generator.js';
import type { ProfileSummary } from './pod-profile.js';
import { fmt, table } from './stats.js';

export interface ProfiledSide {
  readonly label: string;
  /** Responses counted in the profiled window. */
  readonly requests: number;
  readonly summary: ProfileSummary;
}

async function profilePod(podUrl: string, ms: number): Promise<ProfileSummary> {
  const res = await fetch(`${podUrl}/profile?ms=${ms}`);
  if (!res.ok) throw new Error(`profile of ${podUrl}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as ProfileSummary;
}

/** One round on `target` (a one-pod variant) with its pod profiled over the measured window. */
export async function profiledRound(
  label: string,
  target: LoadTarget,
  timing: Timing,
): Promise<ProfiledSide> {
  if (target.podUrls.length !== 1) throw new Error(`${label}: profiles are taken on one-pod variants`);
  const round = await runRound(target, timing, (ms) => profilePod(target.podUrls[0]!, ms));
  if (round.errors > 0)
    throw new Error(`${label}: ${round.errors} errors in the profiled round (${round.firstError})`);
  return { label, requests: round.requests, summary: round.during! };
}

const perRequest = (side: ProfiledSide, us: number) => us / side.requests;

/** Markdown: CPU µs per request by package on both sides, the biggest differences first. */
export function whereTheTimeGoes(ours: ProfiledSide, stock: ProfiledSide): string {
  const packages = new Set([...Object.keys(ours.summary.byPackage), ...Object.keys(stock.summary.byPackage)]);
  const rows = [...packages]
    .map((name) => {
      const o = perRequest(ours, ours.summary.byPackage[name] ?? 0);
      const s = perRequest(stock, stock.summary.byPackage[name] ?? 0);
      return { name, o, s, diff: o - s };
    })
    .filter((row) => row.o >= 0.5 || row.s >= 0.5)
    .sort((a, b) => b.diff - a.diff);
  const signed = (n: number) => `${n >= 0 ? '+' : '−'}${fmt(Math.abs(n), 1)}`;
  const busy = {
    o: perRequest(ours, ours.summary.busyUs),
    s: perRequest(stock, stock.summary.busyUs),
  };
  const byPackage = table(
    ['package (self time)', `${stock.label} µs/req`, `${ours.label} µs/req`, 'difference'],
    [
      ...rows.map((r) => [r.name, fmt(r.s, 1), fmt(r.o, 1), signed(r.diff)]),
      ['**main thread busy, total**', fmt(busy.s, 1), fmt(busy.o, 1), signed(busy.o - busy.s)],
    ],
  );
  const functions = table(
    ['function', 'where (dist file:line)', 'self µs/req'],
    ours.summary.ours
      .filter((f) => perRequest(ours, f.us) >= 0.5)
      .map((f) => [`\`${f.what}\``, f.where, fmt(perRequest(ours, f.us), 1)]),
  );
  return `${byPackage}\n\nThe functions of \`@mcp-session-store/*\` with the most self time on the ${ours.label} side:\n\n${functions}`;
}
