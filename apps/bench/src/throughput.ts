// End-to-end throughput and latency of tools/call: the stock SDK against our router on each backend,
// with and without sticky sessions. Every pod is a process of its own (bench-pod.ts); a closed-loop
// load generator in this process drives one variant at a time, rounds interleaved, medians reported.
import { type Agent, Agent as HttpAgent, request as httpRequest } from 'node:http';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type PodClusterHandle, startPodCluster, startRoundRobinBalancer } from '@mcp-session-store/testing';
import type { BenchContext, SectionResult } from './context.js';
import { openSession } from './mcp-http.js';
import { fmt, median, percentile, table } from './stats.js';

/** Workers of the closed loop, each with a session of its own. */
const CONCURRENCY = 16;
/** A request slower than this counts as an error (a hung pod must not hang the run). */
const REQUEST_TIMEOUT_MS = 10_000;

interface Timing {
  readonly rounds: number;
  readonly warmupMs: number;
  readonly measureMs: number;
}

// Quick mode keeps the section near 70 s on 2 cores (pods start in ~10 s). The warm-up only has to
// refill the round's fresh connections: the pods stay up, and JIT-warm, between rounds.
const QUICK: Timing = { rounds: 3, warmupMs: 500, measureMs: 2_500 };
const FULL: Timing = { rounds: 5, warmupMs: 1_000, measureMs: 8_000 };

const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
};

type VariantKey = 'a' | 'b' | 'c' | 'd' | 'e1' | 'e2';

/** A variant as measured: where its load goes and the sessions the workers use there. */
interface Variant {
  readonly key: VariantKey;
  readonly label: string;
  readonly pods: number;
  readonly route: string;
  readonly endpoint: string;
  /** The pods' own base URLs, for their CPU counters. */
  readonly podUrls: readonly string[];
  readonly sessions: readonly string[];
}

/** One variant's figures in one round. */
interface Round {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** CPU time of the pods (all of them) per counted response, in µs. */
  readonly cpuPerRequest: number;
  readonly errors: number;
  readonly firstError: string | undefined;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One tools/call of `echo`, read to the end; resolves to an error description, or undefined if it worked. */
function callEcho(agent: Agent, target: URL, sessionId: string, id: number): Promise<string | undefined> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'echo', arguments: { text: 'x' } },
  });
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { ...HEADERS, 'mcp-session-id': sessionId, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => resolve(error.message));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve(
            res.statusCode === 200 && text.includes('"result"')
              ? undefined
              : `HTTP ${res.statusCode} ${text.slice(0, 160)}`,
          );
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
 * One round on one variant: every worker loops on its session for warm-up + measure. Counted are
 * the responses that complete inside the measured window (unbiased in a steady state), with the
 * latency of each. A fresh agent per round: idle kept-alive sockets from an earlier round may have
 * been closed by the server in the meantime.
 */
async function runRound(variant: Variant, timing: Timing): Promise<Round> {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(variant.endpoint);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const measureFrom = performance.now() + timing.warmupMs;
  const end = measureFrom + timing.measureMs;
  // The pods' CPU counters at both edges of the measured window, read while the load runs.
  const cpuAt = (at: number) => delay(at - performance.now()).then(() => podCpu(variant.podUrls));
  const cpuBefore = cpuAt(measureFrom);
  const cpuAfter = cpuAt(end);
  const worker = async (sessionId: string) => {
    for (let id = 1; ; id++) {
      const started = performance.now();
      if (started >= end) return;
      const error = await callEcho(agent, target, sessionId, id);
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
    await Promise.all(variant.sessions.map(worker));
  } finally {
    agent.destroy();
  }
  const cpu = (await cpuAfter) - (await cpuBefore);
  return {
    rps: latencies.length / (timing.measureMs / 1_000),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpuPerRequest: cpu / latencies.length,
    errors,
    firstError,
  };
}

async function openSessions(endpoint: string): Promise<string[]> {
  const sessions: string[] = [];
  for (let i = 0; i < CONCURRENCY; i++) sessions.push(await openSession(endpoint));
  return sessions;
}

/** The running pods and balancers; `stop` ends every one of them, whatever failed. */
class Fleet {
  private readonly stops: Array<() => Promise<void>> = [];

  async cluster(pods: number, env: Record<string, string>): Promise<PodClusterHandle> {
    const cluster = await startPodCluster({
      command: [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'bench-pod.ts')],
      pods,
      env,
      // Eight pods compile their TypeScript at once on a small machine.
      readyTimeoutMs: 60_000,
    });
    this.stops.push(() => cluster.stop());
    return cluster;
  }

  async affinityBalancer(cluster: PodClusterHandle): Promise<string> {
    const balancer = await startRoundRobinBalancer(
      cluster.pods.map((pod) => pod.url),
      { affinity: 'session' },
    );
    this.stops.push(() => balancer.stop());
    return balancer.url;
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.stops.map((stop) => stop()));
  }
}

/** Starts every variant's pods at once (idle until measured) and opens the workers' sessions. */
async function startVariants(ctx: BenchContext, fleet: Fleet): Promise<Variant[]> {
  const router = (store: string, namespace: string) => ({
    VARIANT: 'router',
    STORE: store,
    NAMESPACE: namespace,
  });
  const started = await Promise.allSettled([
    fleet.cluster(1, { VARIANT: 'stock' }),
    // Like the stock server (a), no event store: (b)/(a) is the price of the router alone.
    fleet.cluster(1, { ...router('memory', 'bench-throughput-memory'), EVENTS: '0' }),
    fleet.cluster(2, { ...router('redis', 'bench-throughput-redis'), REDIS_URL: ctx.redisUrl }),
    fleet.cluster(2, { ...router('postgres', 'bench-throughput-pg'), DATABASE_URL: ctx.databaseUrl }),
    fleet.cluster(2, {
      ...router('dynamodb', 'bench-throughput-ddb'),
      DYNAMODB_ENDPOINT: ctx.dynamodbEndpoint,
    }),
  ]);
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  const [stock, memory, redis, postgres, dynamodb] = started.map(
    (result) => (result as PromiseFulfilledResult<PodClusterHandle>).value,
  ) as [PodClusterHandle, PodClusterHandle, PodClusterHandle, PodClusterHandle, PodClusterHandle];
  // (d) is the same two pods as (c): only the balancer's routing differs.
  const pinned = await fleet.affinityBalancer(redis);
  // [key, label, its pods, route, where the load goes]
  const specs: Array<[VariantKey, string, PodClusterHandle, string, string]> = [
    ['a', '(a) stock SDK, in-memory session map', stock, 'direct', stock.pods[0]!.url],
    ['b', '(b) router, memory store, no event store', memory, 'direct', memory.pods[0]!.url],
    ['c', '(c) router, Redis', redis, 'round robin', redis.url],
    ['d', '(d) router, Redis', redis, 'session affinity', pinned],
    ['e1', '(e1) router, PostgreSQL', postgres, 'round robin', postgres.url],
    ['e2', '(e2) router, DynamoDB Local', dynamodb, 'round robin', dynamodb.url],
  ];
  const variants: Variant[] = [];
  for (const [key, label, cluster, route, base] of specs) {
    const endpoint = `${base}/mcp`;
    const podUrls = cluster.pods.map((pod) => pod.url);
    const sessions = await openSessions(endpoint);
    variants.push({ key, label, pods: podUrls.length, route, endpoint, podUrls, sessions });
  }
  return variants;
}

type Pick = (round: Round) => number;

const medianOf = (rounds: readonly Round[], pick: Pick): number => median(rounds.map(pick));

/**
 * `of / to` per round (both ran in that round, a minute apart at most), then the median over
 * rounds: drifting background load cancels out better than in a ratio of two medians.
 */
function pairedRatio(of: readonly Round[], to: readonly Round[], pick: Pick) {
  const ratios = of.map((round, i) => pick(round) / pick(to[i]!));
  return { median: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) };
}

const x = (n: number): string => `${fmt(n, 2)}×`;

function report(
  variants: readonly Variant[],
  results: ReadonlyMap<VariantKey, readonly Round[]>,
  timing: Timing,
): SectionResult {
  const rounds = (key: VariantKey) => results.get(key)!;
  const ratioOf = (of: VariantKey, to: VariantKey, pick: Pick) => pairedRatio(rounds(of), rounds(to), pick);
  const rps: Pick = (r) => r.rps;
  const p50: Pick = (r) => r.p50;
  const p99: Pick = (r) => r.p99;
  const cpu: Pick = (r) => r.cpuPerRequest;

  const errorNotes: string[] = [];
  const rows = variants.map((v) => {
    const rs = rounds(v.key);
    const errors = rs.reduce((sum, r) => sum + r.errors, 0);
    const firstError = rs.find((r) => r.firstError)?.firstError;
    if (firstError) errorNotes.push(`- ${v.label}, ${v.route}: ${errors} errors; first: \`${firstError}\``);
    return [
      v.label,
      String(v.pods),
      v.route,
      fmt(medianOf(rs, rps)),
      fmt(medianOf(rs, p50), 2),
      fmt(medianOf(rs, p99), 2),
      fmt(medianOf(rs, cpu)),
      errors === 0 ? '0' : `**${fmt(errors)}**`,
      rs.map((r) => fmt(r.rps)).join(' / '),
    ];
  });

  const comparisons: Array<[string, VariantKey, VariantKey]> = [
    ['(b)/(a): our router (memory store) vs the stock SDK, 1 process, direct', 'b', 'a'],
    ['(c)/(d): round robin vs ideal affinity, Redis, 2 pods (the price of no sticky sessions)', 'c', 'd'],
    ['(e1)/(c): PostgreSQL vs Redis, round robin, 2 pods', 'e1', 'c'],
    ['(e2)/(c): DynamoDB Local vs Redis, round robin, 2 pods', 'e2', 'c'],
  ];
  const cell = (of: VariantKey, to: VariantKey, pick: Pick): string => {
    const r = ratioOf(of, to, pick);
    return `${x(r.median)} (${fmt(r.low, 2)}–${fmt(r.high, 2)})`;
  };
  const ratioRows = comparisons.map(([label, of, to]) => [
    label,
    cell(of, to, rps),
    cell(of, to, p50),
    cell(of, to, p99),
    cell(of, to, cpu),
  ]);

  const markdown = [
    'A closed-loop load generator (`node:http`, one keep-alive agent, no dependencies) runs in the bench process: ' +
      `${CONCURRENCY} workers, each with a session of its own opened beforehand, each sending \`tools/call\` of ` +
      '`echo` back to back and reading the whole response (HTTP 200 with a `result`, anything else is an error). ' +
      `A round is ${fmt(timing.warmupMs / 1_000, 1)} s of warm-up (not recorded), then ` +
      `${fmt(timing.measureMs / 1_000, 1)} s measured: req/s counts the responses completed inside the measured ` +
      'window, p50/p99 are over every one of them; errors are counted over the whole round. ' +
      `${timing.rounds} rounds; each round runs every variant in turn, the two sides of each of the first two ` +
      'ratios back to back, the order rotated from round to round; the table shows medians over rounds. ' +
      "Pod CPU µs/req is the pods' own CPU time (`process.cpuUsage()`, " +
      "summed over the variant's pods) across the measured window, per response: other load on the machine " +
      'stretches wall time far more than CPU time, so it is the steadiest figure here (it leaves out the ' +
      "balancer and the backends' own servers).",
    '',
    'Every variant serves the same bench server from processes of its own (`bench-pod.ts`), all started before ' +
      'round 1 and idle while another variant is measured. (a) and (b) are reached directly; (c)–(e) through ' +
      'the in-process round-robin balancer of `@mcp-session-store/testing`, and (d) through the same balancer ' +
      'code with ideal session affinity, in front of the same two pods as (c). (a) keeps no event store (the ' +
      "SDK documentation's session map) and neither does (b), so (b)/(a) is the router alone; (c)–(e) run " +
      'with the event store on (resumable streams), as a deployment would. Pods of the other variants are ' +
      'idle while a variant is measured, except that the DynamoDB pods keep polling their bus inbox (every ' +
      '50 ms, against DynamoDB Local): a small background load in every round. Everything (load generator, balancer, pods, ' +
      `redis-server, PostgreSQL, DynamoDB Local: a JVM emulator, not AWS) shares one machine of ${availableParallelism()} ` +
      'cores, so absolute figures belong to this machine and this run: compare rows, not runs. The balancer ' +
      "costs a hop and CPU in the generator's process, which is why (b) is compared with (a) (both direct) and " +
      '(c) with (d) (both balanced), never across.',
    '',
    table(
      ['variant', 'pods', 'route', 'req/s', 'p50 ms', 'p99 ms', 'pod CPU µs/req', 'errors', 'req/s by round'],
      rows,
    ),
    ...(errorNotes.length > 0 ? ['', '**Errors** (these rows are not comparable):', ...errorNotes] : []),
    '',
    "Ratios: the median over rounds of each round's ratio (both variants ran in that round), and in " +
      'parentheses the lowest and highest round. Above 1× means more req/s, slower latency or more CPU.',
    '',
    table(['comparison', 'req/s', 'p50', 'p99', 'pod CPU/req'], ratioRows),
  ].join('\n');

  const errorsIn = (...keys: VariantKey[]) =>
    keys.some((key) => rounds(key).some((r) => r.errors > 0)) ? ' (with errors: see the table)' : '';
  return {
    id: 'throughput',
    title: 'End-to-end throughput and latency',
    markdown,
    headlines: [
      `router, 1 pod, memory store: ${x(ratioOf('b', 'a', rps).median)} the stock SDK's tools/call ` +
        `throughput, p99 ${x(ratioOf('b', 'a', p99).median)}, CPU per request ` +
        `${x(ratioOf('b', 'a', cpu).median)} (same run)${errorsIn('a', 'b')}`,
      `no sticky sessions (round robin) vs ideal affinity, Redis, 2 pods: ${x(ratioOf('c', 'd', rps).median)} ` +
        `throughput, p99 ${x(ratioOf('c', 'd', p99).median)}, CPU per request ` +
        `${x(ratioOf('c', 'd', cpu).median)}${errorsIn('c', 'd')}`,
      `round robin on PostgreSQL / DynamoDB Local instead of Redis: ${x(ratioOf('e1', 'c', rps).median)} / ` +
        `${x(ratioOf('e2', 'c', rps).median)} throughput${errorsIn('c', 'e1', 'e2')}`,
    ],
    chart: {
      title: 'tools/call throughput',
      unit: 'req/s',
      bars: variants.map((v) => ({
        label: `${v.label}, ${v.route}`,
        value: Math.round(medianOf(rounds(v.key), rps)),
      })),
    },
  };
}

/**
 * The variants of round `round`. The two sides of each headline ratio run back to back, so a burst
 * of other load rarely hits one side only; the groups rotate, and the pairs swap, from round to
 * round, so no variant always runs first or right after the heaviest one.
 */
function roundOrder(variants: readonly Variant[], round: number): Variant[] {
  const byKey = new Map(variants.map((v) => [v.key, v]));
  const groups: VariantKey[][] = [['a', 'b'], ['c', 'd'], ['e1'], ['e2']];
  const rotated = groups.map((_, i) => groups[(i + round) % groups.length]!);
  return rotated
    .flatMap((group) => (round % 2 === 1 ? [...group].reverse() : group))
    .map((key) => byKey.get(key)!);
}

export async function runThroughput(ctx: BenchContext): Promise<SectionResult> {
  const timing = ctx.quick ? QUICK : FULL;
  const fleet = new Fleet();
  const started = performance.now();
  try {
    ctx.log('throughput: starting 8 pods (stock, memory, Redis, PostgreSQL, DynamoDB)...');
    const variants = await startVariants(ctx, fleet);
    ctx.log(
      `throughput: pods ready and sessions open after ${fmt((performance.now() - started) / 1_000, 1)} s`,
    );
    const results = new Map<VariantKey, Round[]>(variants.map((v) => [v.key, []]));
    for (let round = 0; round < timing.rounds; round++) {
      const order = roundOrder(variants, round);
      for (const variant of order) {
        const result = await runRound(variant, timing);
        results.get(variant.key)!.push(result);
        ctx.log(
          `throughput: round ${round + 1}/${timing.rounds} ${variant.label}, ${variant.route}: ` +
            `${fmt(result.rps)} req/s, p50 ${fmt(result.p50, 2)} ms, p99 ${fmt(result.p99, 2)} ms` +
            (result.errors > 0 ? `, ${result.errors} errors (${result.firstError})` : ''),
        );
      }
    }
    ctx.log(`throughput: done in ${fmt((performance.now() - started) / 1_000, 1)} s`);
    return report(variants, results, timing);
  } finally {
    await fleet.stop();
  }
}
