// Robust summaries: medians over rounds, percentiles over samples.

/** The q-quantile (0..1) of `values`, nearest-rank; NaN for none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: readonly number[]): number => percentile(values, 0.5);

/** `n` formatted with `digits` decimals (and thousands separators). */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio `a / b`, formatted `1.23×`. */
export const ratio = (a: number, b: number, digits = 2): string => `${fmt(a / b, digits)}×`;

/** A Markdown table. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A ratio measured per round: the median over rounds, and the lowest and highest round. */
export interface PairedRatio {
  readonly median: number;
  readonly low: number;
  readonly high: number;
  /** Each round's ratio, in round order. */
  readonly rounds: readonly number[];
}

/**
 * `of[i] / to[i]` per round (both measured in that round, close together), then the median over
 * rounds: drifting background load cancels out better than in a ratio of two medians.
 */
export function pairedRatio(of: readonly number[], to: readonly number[]): PairedRatio {
  const rounds = of.map((value, i) => value / to[i]!);
  return { median: median(rounds), low: Math.min(...rounds), high: Math.max(...rounds), rounds };
}
