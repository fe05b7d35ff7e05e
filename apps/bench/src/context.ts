// What every benchmark section gets, and what it gives back for the report.

/** The backends of one run: instances of their own, started by main.ts, so counters are ours alone. */
export interface BenchContext {
  /** `--quick`: fewer rounds and smaller sizes (the whole run stays under 5 minutes). */
  readonly quick: boolean;
  /** A redis-server started for this run. */
  readonly redisUrl: string;
  /** An embedded PostgreSQL started for this run. */
  readonly databaseUrl: string;
  /** A DynamoDB Local started for this run. */
  readonly dynamodbEndpoint: string;
  /** Progress lines (stdout). */
  log(line: string): void;
}

/** One section of the report. */
export interface SectionResult {
  /** Anchor in the report, e.g. `round-trips`. */
  readonly id: string;
  readonly title: string;
  /** Markdown: what was measured and how, tables with every figure next to its baseline of the same run. */
  readonly markdown: string;
  /** The section's headline ratios, for the README's "Performance" section. */
  readonly headlines: readonly string[];
  /** Panels for the report's chart, if the section has a natural one. */
  readonly chart?: Chart | readonly Chart[];
}

/** One panel of the report's chart: horizontal bars. */
export interface Chart {
  readonly title: string;
  readonly unit: string;
  readonly bars: ReadonlyArray<{
    readonly label: string;
    readonly value: number;
    /** Lowest and highest round, drawn as a whisker. */
    readonly low?: number | undefined;
    readonly high?: number | undefined;
    /** Whether the bar meets its target (drawn green, or red if not); no target: neutral. */
    readonly met?: boolean | undefined;
  }>;
  /** Target lines across the bars (panels with targets come first in the chart). */
  readonly targets?: ReadonlyArray<{ readonly value: number; readonly label: string }> | undefined;
}
