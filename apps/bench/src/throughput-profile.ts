// Where the time goes when a headline target is missed: more rounds on each side of the pair,
// alternating, with the pod's V8 sampling profiler on over each measured window (pod-profile.ts).
// The profiler samples wall time, which a busy machine inflates whenever the pod is descheduled, so
// each package's share of the samples is applied to the CPU time the pod really used in those
// rounds (process.cpuUsage). Profiled rounds are not part of any ratio (profiling slows a pod).
import { type LoadTarget, runRound, type Timing } from './load-generator.js';
import type { ProfiledFunction, ProfileSummary } from './pod-profile.js';
import { fmt, table } from './stats.js';

/** One side's profiles, summed over its turns. */
export interface ProfiledSide {
  readonly label: string;
  /** Responses counted in the profiled windows. */
  readonly requests: number;
  /** The pod's CPU time over the profiled windows, µs. */
  readonly cpuUs: number;
  readonly summary: ProfileSummary;
}

async function profilePod(podUrl: string, ms: number): Promise<ProfileSummary> {
  const res = await fetch(`${podUrl}/profile?ms=${ms}`);
  if (!res.ok) throw new Error(`profile of ${podUrl}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as ProfileSummary;
}

function merge(a: ProfileSummary, b: ProfileSummary): ProfileSummary {
  const byPackage: Record<string, number> = { ...a.byPackage };
  for (const [name, us] of Object.entries(b.byPackage)) byPackage[name] = (byPackage[name] ?? 0) + us;
  const ours = new Map<string, ProfiledFunction>();
  for (const f of [...a.ours, ...b.ours]) {
    const key = `${f.what} ${f.where}`;
    ours.set(key, { ...f, us: (ours.get(key)?.us ?? 0) + f.us });
  }
  return { busyUs: a.busyUs + b.busyUs, byPackage, ours: [...ours.values()].sort((x, y) => y.us - x.us) };
}

/** One round on `target` (a one-pod variant) with its pod profiled over the measured window. */
async function profiledRound(label: string, target: LoadTarget, timing: Timing): Promise<ProfiledSide> {
  if (target.podUrls.length !== 1) throw new Error(`${label}: profiles are taken on one-pod variants`);
  const round = await runRound(target, timing, (ms) => profilePod(target.podUrls[0]!, ms));
  if (round.errors > 0)
    throw new Error(`${label}: ${round.errors} errors in the profiled round (${round.firstError})`);
  return {
    label,
    requests: round.requests,
    cpuUs: round.cpuPerRequest * round.requests,
    summary: round.during!,
  };
}

/** `turns` profiled rounds per side, alternating (who goes first alternates too), summed per side. */
export async function profilePair(
  ours: LoadTarget,
  stock: LoadTarget,
  timing: Timing,
  turns: number,
): Promise<readonly [ProfiledSide, ProfiledSide]> {
  let sides: [ProfiledSide, ProfiledSide] | undefined;
  for (let turn = 0; turn < turns; turn++) {
    const order = turn % 2 === 0 ? (['stock', 'ours'] as const) : (['ours', 'stock'] as const);
    const got: Partial<Record<'ours' | 'stock', ProfiledSide>> = {};
    for (const side of order) got[side] = await profiledRound(side, side === 'ours' ? ours : stock, timing);
    const next = [got.ours!, got.stock!] as const;
    sides = sides
      ? ([0, 1].map((i) => ({
          label: sides![i]!.label,
          requests: sides![i]!.requests + next[i]!.requests,
          cpuUs: sides![i]!.cpuUs + next[i]!.cpuUs,
          summary: merge(sides![i]!.summary, next[i]!.summary),
        })) as [ProfiledSide, ProfiledSide])
      : [next[0], next[1]];
  }
  return sides!;
}

/** CPU µs per request attributed to `us` of main-thread samples on `side`. */
const attributed = (side: ProfiledSide, us: number) =>
  side.summary.busyUs === 0 ? 0 : ((us / side.summary.busyUs) * side.cpuUs) / side.requests;

/** Markdown: CPU µs per request by package on both sides, the biggest differences first. */
export function whereTheTimeGoes(ours: ProfiledSide, stock: ProfiledSide): string {
  const packages = new Set([...Object.keys(ours.summary.byPackage), ...Object.keys(stock.summary.byPackage)]);
  const rows = [...packages]
    .map((name) => {
      const o = attributed(ours, ours.summary.byPackage[name] ?? 0);
      const s = attributed(stock, stock.summary.byPackage[name] ?? 0);
      return { name, o, s, diff: o - s };
    })
    .sort((a, b) => b.diff - a.diff);
  // Small rows summed into one: the table names what matters.
  const shown = rows.filter((row) => Math.max(row.o, row.s) >= 3);
  const rest = rows.filter((row) => Math.max(row.o, row.s) < 3);
  if (rest.length > 0) {
    const o = rest.reduce((sum, r) => sum + r.o, 0);
    const s = rest.reduce((sum, r) => sum + r.s, 0);
    shown.push({ name: `${rest.length} more, each under 3 µs/req`, o, s, diff: o - s });
  }
  const signed = (n: number) => `${n >= 0 ? '+' : '−'}${fmt(Math.abs(n), 1)}`;
  const total = { o: ours.cpuUs / ours.requests, s: stock.cpuUs / stock.requests };
  const byPackage = table(
    ['package (self time)', 'stock ≈ CPU µs/req', 'ours ≈ CPU µs/req', 'difference'],
    [
      ...shown.map((r) => [r.name, fmt(r.s, 1), fmt(r.o, 1), signed(r.diff)]),
      [
        '**pod CPU per request in these rounds**',
        fmt(total.s, 1),
        fmt(total.o, 1),
        signed(total.o - total.s),
      ],
    ],
  );
  const functions = table(
    ['function', 'where (dist file:line)', '≈ CPU µs/req'],
    ours.summary.ours
      .slice(0, 12)
      .filter((f) => attributed(ours, f.us) >= 0.5)
      .map((f) => [`\`${f.what}\``, f.where, fmt(attributed(ours, f.us), 1)]),
  );
  return `${byPackage}\n\nThe functions of \`@mcp-session-store/*\` with the most self time on our side:\n\n${functions}`;
}
