// What the virtual users measured: per operation, how many, how many failed (and why), and the
// latency of the ones that succeeded.

/** The value at quantile `q` (0-1) of sorted numbers, nearest rank; NaN when there are none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

/** One failure worth showing: what was asked, when, and what came back. */
export interface FailureRecord {
  op: string;
  atS: number;
  error: string;
  /** What the failure was attributed to. */
  /** `killed-pod`: in flight on a SIGKILLed pod, then retried; `killed-pod-unretried`: nothing to retry it with. */
  kind: 'error' | 'killed-pod' | 'killed-pod-unretried' | 'retry-failed';
}

interface OpCounters {
  requests: number;
  errors: number;
  killed: number;
  latencies: number[];
}

/**
 * Counts per operation. A request is one MCP operation the user asked for (a retry is not a new
 * request); it ends as ok, an error, or "in flight on a killed pod" (then retried once: if the retry
 * fails too, that is an error).
 */
export class SoakStats {
  private readonly ops = new Map<string, OpCounters>();
  readonly failures: FailureRecord[] = [];
  /** Retries of kill-attributed failures that succeeded / failed. */
  retriesOk = 0;
  retriesFailed = 0;
  sessionsOpened = 0;
  sessionsDeleted = 0;
  sessionsAbandoned = 0;
  /** GET-stream errors the SDK client reported on its own (it reconnects by itself). */
  getStreamNotices = 0;

  /** GET streams: opened (fresh or resumed with Last-Event-ID), ended by the server, broken. */
  readonly getStreams = { opened: 0, resumed: 0, ended: 0, broke: 0, events: [] as Array<[number, string]> };

  constructor(readonly startedAt: number) {}

  getStream(what: 'opened' | 'ended' | 'broke', resumed: boolean): void {
    if (what === 'opened') {
      if (resumed) this.getStreams.resumed++;
      else this.getStreams.opened++;
      return;
    }
    this.getStreams[what]++;
    this.getStreams.events.push([(Date.now() - this.startedAt) / 1000, what]);
  }

  private op(name: string): OpCounters {
    let counters = this.ops.get(name);
    if (!counters) {
      counters = { requests: 0, errors: 0, killed: 0, latencies: [] };
      this.ops.set(name, counters);
    }
    return counters;
  }

  request(op: string): void {
    this.op(op).requests++;
  }

  ok(op: string, ms: number): void {
    this.op(op).latencies.push(ms);
  }

  error(op: string, error: string, kind: 'error' | 'retry-failed' = 'error'): void {
    this.op(op).errors++;
    this.failures.push({ op, atS: (Date.now() - this.startedAt) / 1000, error, kind });
  }

  killed(op: string, error: string, retried = true): void {
    this.op(op).killed++;
    const kind = retried ? 'killed-pod' : 'killed-pod-unretried';
    this.failures.push({ op, atS: (Date.now() - this.startedAt) / 1000, error, kind });
  }

  /** Totals over every operation. */
  totals(): { requests: number; errors: number; killed: number; latency: LatencySummary } {
    let requests = 0;
    let errors = 0;
    let killed = 0;
    const all: number[] = [];
    for (const c of this.ops.values()) {
      requests += c.requests;
      errors += c.errors;
      killed += c.killed;
      for (const ms of c.latencies) all.push(ms);
    }
    return { requests, errors, killed, latency: summarize(all) };
  }

  /** Per operation, in the order they were first seen. */
  perOp(): Array<{ op: string; requests: number; errors: number; killed: number; latency: LatencySummary }> {
    return [...this.ops].map(([op, c]) => ({
      op,
      requests: c.requests,
      errors: c.errors,
      killed: c.killed,
      latency: summarize(c.latencies),
    }));
  }

  /** Latencies recorded since the last call (for the progress line's p99 over the last interval). */
  private seen = new Map<string, number>();
  recentLatencies(): number[] {
    const recent: number[] = [];
    for (const [op, c] of this.ops) {
      const from = this.seen.get(op) ?? 0;
      for (let i = from; i < c.latencies.length; i++) recent.push(c.latencies[i]!);
      this.seen.set(op, c.latencies.length);
    }
    return recent;
  }
}
