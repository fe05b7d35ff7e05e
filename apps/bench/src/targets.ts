// Issue 17's performance targets, and how the report states each one: met, or missed by how much.
import { fmt, type PairedRatio } from './stats.js';

/** Ours / stock throughput, same run: at least this. */
export const THROUGHPUT_TARGET = 0.95;
/** Ours / stock CPU per request, same run: at most this. */
export const CPU_TARGET = 1.05;

export interface Verdict {
  readonly met: boolean;
  /** Markdown, e.g. `met (0.97× ≥ 0.95×, 4 of 5 rounds)`. */
  readonly text: string;
}

const x = (n: number) => `${fmt(n, 2)}×`;

function roundsMeeting(ratio: PairedRatio, meets: (r: number) => boolean): string {
  return `${ratio.rounds.filter(meets).length} of ${ratio.rounds.length} rounds`;
}

/** Throughput ratio against {@link THROUGHPUT_TARGET}, judged on the median over rounds. */
export function throughputVerdict(ratio: PairedRatio): Verdict {
  const meets = (r: number) => r >= THROUGHPUT_TARGET;
  const rounds = roundsMeeting(ratio, meets);
  if (meets(ratio.median))
    return { met: true, text: `met (${x(ratio.median)} ≥ ${x(THROUGHPUT_TARGET)}, ${rounds})` };
  const needed = THROUGHPUT_TARGET / ratio.median - 1;
  return {
    met: false,
    text: `**missed** by ${fmt(THROUGHPUT_TARGET - ratio.median, 2)} (${x(ratio.median)} against ≥ ${x(THROUGHPUT_TARGET)}, ${rounds} met it): ${fmt(needed * 100)}% more req/s needed`,
  };
}

/**
 * CPU-per-request ratio against {@link CPU_TARGET}, judged on the median over rounds; `stockUs` (the
 * baseline side's median, µs per request; `baseline` names that side) turns the excess into µs to
 * save per request.
 */
export function cpuVerdict(ratio: PairedRatio, stockUs: number, baseline = 'the stock side'): Verdict {
  const meets = (r: number) => r <= CPU_TARGET;
  const rounds = roundsMeeting(ratio, meets);
  if (meets(ratio.median))
    return { met: true, text: `met (${x(ratio.median)} ≤ ${x(CPU_TARGET)}, ${rounds})` };
  const excess = ratio.median - CPU_TARGET;
  return {
    met: false,
    text: `**missed** by ${fmt(excess, 2)} (${x(ratio.median)} against ≤ ${x(CPU_TARGET)}, ${rounds} met it): about ${fmt(excess * stockUs)} µs per request to save (${fmt(excess, 2)} × ${baseline}'s ${fmt(stockUs)} µs)`,
  };
}
