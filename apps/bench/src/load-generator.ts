// The closed-loop load generator of the throughput benchmark: raw node:http (no client library, so
// it costs little next to the servers it measures), `tools/call` of `echo` back to back on each
// worker, over either wire: a 2025 session (Mcp-Session-Id) or a 2026-07-28 request (no session).
import { type Agent, Agent as HttpAgent, request as httpRequest } from 'node:http';
import { percentile } from './stats.js';
import { modernEchoBody, modernHeaders } from './wire-2026.js';

/** A request slower than this counts as an error (a hung pod must not hang the run). */
const REQUEST_TIMEOUT_MS = 10_000;

const SESSION_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
};

export type Wire = '2025' | '2026';

export interface Timing {
  readonly rounds: number;
  readonly warmupMs: number;
  readonly measureMs: number;
}

/** Where one variant's load goes. */
export interface LoadTarget {
  readonly wire: Wire;
  readonly endpoint: string;
  /** The pods' own base URLs, for their CPU counters. */
  readonly podUrls: readonly string[];
  /** One worker per entry: its session id on the 2025 wire, null on the 2026 wire (no session). */
  readonly sessions: ReadonlyArray<string | null>;
}

/** One variant's figures in one round. */
export interface Round {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** CPU time of the pods (all of them) per counted response, in µs. */
  readonly cpuPerRequest: number;
  /** Responses counted in the measured window. */
  readonly requests: number;
  readonly errors: number;
  readonly firstError: string | undefined;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One tools/call of `echo`, read to the end; resolves to an error description, or undefined if it worked. */
export function callEcho(
  agent: Agent,
  target: URL,
  wire: Wire,
  sessionId: string | null,
  id: number,
): Promise<string | undefined> {
  const body =
    wire === '2026'
      ? modernEchoBody(id)
      : JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: { name: 'echo', arguments: { text: 'x' } },
        });
  const headers =
    wire === '2026'
      ? modernHeaders('tools/call', 'echo')
      : { ...SESSION_HEADERS, 'mcp-session-id': sessionId ?? '' };
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => resolve(error.message));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          // The echoed text in a result: an error, or a result of something else, does not count.
          const ok = res.statusCode === 200 && text.includes('"result"') && text.includes('"text":"x"');
          resolve(ok ? undefined : `HTTP ${res.statusCode} ${text.slice(0, 160)}`);
        });
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (error) => resolve(error.message));
    req.end(body);
  });
}

/** The pods' CPU time so far (user + system, µs), summed; NaN if a pod does not answer. */
async function podCpu(podUrls: readonly string[]): Promise<number> {
  try {
    const usages = await Promise.all(
      podUrls.map(async (url) => {
        const res = await fetch(`${url}/cpu`);
        const { user, system } = (await res.json()) as NodeJS.CpuUsage;
        return user + system;
      }),
    );
    return usages.reduce((a, b) => a + b, 0);
  } catch {
    return Number.NaN;
  }
}

/**
 * One round on one target: every worker loops for warm-up + measure. Counted are the responses that
 * complete inside the measured window (unbiased in a steady state), with the latency of each. A
 * fresh agent per round: idle kept-alive sockets from an earlier round may have been closed by the
 * server in the meantime. `during`, if given, starts with the measured window and is awaited with
 * the round (the throughput benchmark profiles a pod that way).
 */
export async function runRound<T = undefined>(
  target: LoadTarget,
  timing: Timing,
  during?: (windowMs: number) => Promise<T>,
): Promise<Round & { during: T | undefined }> {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: target.sessions.length });
  const url = new URL(target.endpoint);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const measureFrom = performance.now() + timing.warmupMs;
  const end = measureFrom + timing.measureMs;
  // The pods' CPU counters at both edges of the measured window, read while the load runs.
  const at = <R>(when: number, what: () => Promise<R>) => delay(when - performance.now()).then(what);
  const cpuBefore = at(measureFrom, () => podCpu(target.podUrls));
  const cpuAfter = at(end, () => podCpu(target.podUrls));
  const probe = during ? at(measureFrom, () => during(timing.measureMs)) : Promise.resolve(undefined);
  const worker = async (sessionId: string | null) => {
    for (let id = 1; ; id++) {
      const started = performance.now();
      if (started >= end) return;
      const error = await callEcho(agent, url, target.wire, sessionId, id);
      const finished = performance.now();
      if (error === undefined) {
        if (finished >= measureFrom && finished <= end) latencies.push(finished - started);
        continue;
      }
      // Counted during the warm-up too: any failure makes the variant's figures suspect.
      errors++;
      firstError ??= error;
      // A failing endpoint answers fast: without a pause, errors would spin and starve the others.
      await delay(10);
    }
  };
  try {
    await Promise.all(target.sessions.map(worker));
  } finally {
    agent.destroy();
  }
  const cpu = (await cpuAfter) - (await cpuBefore);
  return {
    rps: latencies.length / (timing.measureMs / 1_000),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpuPerRequest: cpu / latencies.length,
    requests: latencies.length,
    errors,
    firstError,
    during: await probe,
  };
}
