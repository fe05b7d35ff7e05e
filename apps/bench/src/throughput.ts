// End-to-end throughput and latency of tools/call: the stock SDK against our router, on both SDK
// majors, the 2026-07-28 wire (our dual-era handler against the stock `createMcpHandler`), ours with
// `telemetry` at its default (`@opentelemetry/api` present, no SDK registered) against
// `telemetry: false` (issue 19), and the router on each backend with and without sticky sessions.
// Every pod is a process of its own (bench-pod.ts); a closed-loop load generator in this process
// (load-generator.ts) drives one variant at a time, rounds interleaved, medians reported, issue
// 17's targets judged.

import { Agent } from 'node:http';
import { availableParallelism } from 'node:os';
import type { PodClusterHandle } from '@mcp-session-store/testing';
import type { BenchContext, Chart, SectionResult } from './context.js';
import { callEcho, type LoadTarget, type Round, runRound, type Timing, type Wire } from './load-generator.js';
import { openSession } from './mcp-http.js';
import { Fleet, startAll } from './pod-fleet.js';
import { fmt, median, pairedRatio, table } from './stats.js';
import { CPU_TARGET, cpuVerdict, THROUGHPUT_TARGET, throughputVerdict } from './targets.js';
import { type ProfiledSide, profilePair, whereTheTimeGoes } from './throughput-profile.js';

/** Profiled rounds per side of a pair that missed a target (full run only), and their timing. */
const PROFILE_TURNS = 3;
const PROFILE_TIMING: Timing = { rounds: 1, warmupMs: 1_000, measureMs: 4_000 };

/** Workers of the closed loop, each with a session of its own (2025 wire). */
const CONCURRENCY = 16;

// Quick mode keeps the section near 1.5 minutes on 2 cores (a dozen pods start in ~20 s). A round's
// warm-up only has to refill its fresh connections: before round 1, every variant runs once for
// `jitWarmupMs`, unrecorded, so that no round measures a pod whose code V8 has not optimized yet.
const QUICK: Timing & { jitWarmupMs: number } = {
  rounds: 3,
  warmupMs: 300,
  measureMs: 1_500,
  jitWarmupMs: 500,
};
const FULL: Timing & { jitWarmupMs: number } = {
  rounds: 5,
  warmupMs: 1_000,
  measureMs: 8_000,
  jitWarmupMs: 3_000,
};

type VariantKey = 'a' | 'b' | 't' | 'a2' | 'b2' | 't2' | 's' | 'm' | 'tm' | 'c' | 'd' | 'e1' | 'e2';

/** A variant as measured: where its load goes and the sessions the workers use there. */
interface Variant extends LoadTarget {
  readonly key: VariantKey;
  readonly label: string;
  readonly pods: number;
  readonly route: string;
  /** What the variant's pods printed lately, for the error when one is gone. */
  readonly output: () => string;
}

/** The pairs issue 17 sets targets for: ours / stock, 1 process each, direct. */
const HEADLINE_PAIRS = [
  { of: 'b', to: 'a', name: 'SDK 1.x: router / stock session map', short: 'SDK 1.x router/stock' },
  { of: 'b2', to: 'a2', name: 'SDK v2: router / stock session map', short: 'SDK v2 router/stock' },
  {
    of: 'm',
    to: 's',
    name: '2026-07-28: dual-era modern path / stock createMcpHandler',
    short: '2026 modern/stock',
  },
] as const satisfies ReadonlyArray<{ of: VariantKey; to: VariantKey; name: string; short: string }>;

/**
 * The pairs issue 19 asks about: ours with `telemetry` at its default, `@opentelemetry/api` present
 * and no SDK registered (no-op API calls), against the same with `telemetry: false` (no API call at
 * all); within noise when they meet issue 17's bounds.
 */
const TELEMETRY_PAIRS = [
  { of: 'b', to: 't', name: 'SDK 1.x router: API, no SDK / telemetry: false', short: 'SDK 1.x' },
  { of: 'b2', to: 't2', name: 'SDK v2 router: API, no SDK / telemetry: false', short: 'SDK v2' },
  { of: 'm', to: 'tm', name: '2026-07-28 dual-era path: API, no SDK / telemetry: false', short: '2026' },
] as const satisfies ReadonlyArray<{ of: VariantKey; to: VariantKey; name: string; short: string }>;

/**
 * Back-to-back groups of a round: each headline pair with ours in the middle (next to both the stock
 * side and its `telemetry: false` twin, whichever way the group runs), the affinity pair, then the
 * other backends.
 */
const GROUPS: readonly VariantKey[][] = [
  ['a', 'b', 't'],
  ['a2', 'b2', 't2'],
  ['s', 'm', 'tm'],
  ['c', 'd'],
  ['e1'],
  ['e2'],
];

/** The workers' sessions on a 2025 endpoint, or as many session-less workers on the 2026 wire. */
async function workers(wire: Wire, endpoint: string): Promise<Array<string | null>> {
  if (wire === '2026') {
    // Fail before round 1 if the 2026 request does not get its result.
    const agent = new Agent();
    const error = await callEcho(agent, new URL(endpoint), '2026', null, 0).finally(() => agent.destroy());
    if (error) throw new Error(`2026-07-28 tools/call on ${endpoint}: ${error}`);
    return Array.from({ length: CONCURRENCY }, () => null);
  }
  const sessions: string[] = [];
  for (let i = 0; i < CONCURRENCY; i++) sessions.push(await openSession(endpoint));
  return sessions;
}

/** Starts every variant's pods at once (idle until measured) and opens the workers' sessions. */
async function startVariants(ctx: BenchContext, fleet: Fleet): Promise<Variant[]> {
  const ours = (variant: string, store: string, namespace: string) => ({
    VARIANT: variant,
    STORE: store,
    NAMESPACE: namespace,
  });
  // Like the stock servers, the one-process variants of ours keep no event store: each headline
  // ratio is the price of the router (or the dual-era handler) alone. Ours leave `telemetry` at its
  // default (TELEMETRY unset) unless TELEMETRY=off: (t), (t2), (tm).
  const off = { TELEMETRY: 'off' };
  const [
    stock,
    memory,
    memoryOff,
    stockV2,
    memoryV2,
    memoryV2Off,
    stockModern,
    dualEra,
    dualEraOff,
    redis,
    postgres,
    dynamodb,
  ] = (await startAll(fleet, [
    [1, { VARIANT: 'stock' }],
    [1, { ...ours('router', 'memory', 'bench-throughput-memory'), EVENTS: '0' }],
    [1, { ...ours('router', 'memory', 'bench-throughput-memory'), EVENTS: '0', ...off }],
    [1, { VARIANT: 'stock-v2' }],
    [1, { ...ours('router-v2', 'memory', 'bench-throughput-memory-v2'), EVENTS: '0' }],
    [1, { ...ours('router-v2', 'memory', 'bench-throughput-memory-v2'), EVENTS: '0', ...off }],
    [1, { VARIANT: 'stock-modern' }],
    [1, { ...ours('dual-era', 'memory', 'bench-throughput-dual-era'), EVENTS: '0' }],
    [1, { ...ours('dual-era', 'memory', 'bench-throughput-dual-era'), EVENTS: '0', ...off }],
    [2, { ...ours('router', 'redis', 'bench-throughput-redis'), REDIS_URL: ctx.redisUrl }],
    [2, { ...ours('router', 'postgres', 'bench-throughput-pg'), DATABASE_URL: ctx.databaseUrl }],
    [2, { ...ours('router', 'dynamodb', 'bench-throughput-ddb'), DYNAMODB_ENDPOINT: ctx.dynamodbEndpoint }],
  ])) as [
    PodClusterHandle,
    PodClusterHandle,
    PodClusterHandle,
    PodClusterHandle,
    PodClusterHandle,
    PodClusterHandle,
    PodClusterHandle,
    PodClusterHandle,
    PodClusterHandle,
    PodClusterHandle,
    PodClusterHandle,
    PodClusterHandle,
  ];
  // (d) is the same two pods as (c): only the balancer's routing differs.
  const pinned = await fleet.affinityBalancer(redis);
  const direct = (cluster: PodClusterHandle) => cluster.pods[0]!.url;
  // [key, label, wire, its pods, route, where the load goes]
  const specs: Array<[VariantKey, string, Wire, PodClusterHandle, string, string]> = [
    ['a', '(a) SDK 1.x stock, in-memory session map', '2025', stock, 'direct', direct(stock)],
    ['b', '(b) SDK 1.x router, memory store, no event store', '2025', memory, 'direct', direct(memory)],
    ['t', '(t) as (b), telemetry: false', '2025', memoryOff, 'direct', direct(memoryOff)],
    ['a2', '(a2) SDK v2 stock, in-memory session map', '2025', stockV2, 'direct', direct(stockV2)],
    ['b2', '(b2) SDK v2 router, memory store, no event store', '2025', memoryV2, 'direct', direct(memoryV2)],
    ['t2', '(t2) as (b2), telemetry: false', '2025', memoryV2Off, 'direct', direct(memoryV2Off)],
    [
      's',
      '(s) SDK v2 stock createMcpHandler, 2026-07-28',
      '2026',
      stockModern,
      'direct',
      direct(stockModern),
    ],
    ['m', '(m) dual-era handler, 2026-07-28 path', '2026', dualEra, 'direct', direct(dualEra)],
    ['tm', '(tm) as (m), telemetry: false', '2026', dualEraOff, 'direct', direct(dualEraOff)],
    ['c', '(c) SDK 1.x router, Redis', '2025', redis, 'round robin', redis.url],
    ['d', '(d) SDK 1.x router, Redis', '2025', redis, 'session affinity', pinned],
    ['e1', '(e1) SDK 1.x router, PostgreSQL', '2025', postgres, 'round robin', postgres.url],
    ['e2', '(e2) SDK 1.x router, DynamoDB Local', '2025', dynamodb, 'round robin', dynamodb.url],
  ];
  const variants: Variant[] = [];
  for (const [key, label, wire, cluster, route, base] of specs) {
    const endpoint = `${base}/mcp`;
    const podUrls = cluster.pods.map((pod) => pod.url);
    const sessions = await workers(wire, endpoint);
    const output = () => cluster.pods.map((pod, i) => `${pod.name}: ${cluster.output(i)}`).join('\n');
    variants.push({ key, label, wire, pods: podUrls.length, route, endpoint, podUrls, sessions, output });
  }
  return variants;
}

/**
 * After a round with errors: if a pod of the variant no longer answers, the rest of the run would
 * measure nothing; stop with what its pods printed (a pod stopped from outside says which signal).
 */
async function failIfPodsGone(variant: Variant): Promise<void> {
  const alive = await Promise.all(
    variant.podUrls.map((url) =>
      fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) }).then(
        (res) => res.ok,
        () => false,
      ),
    ),
  );
  if (alive.every(Boolean)) return;
  throw new Error(`throughput: a pod of ${variant.label} is gone; its pods printed:\n${variant.output()}`);
}

type Pick = (round: Round) => number;
const rps: Pick = (r) => r.rps;
const p50: Pick = (r) => r.p50;
const p99: Pick = (r) => r.p99;
const cpu: Pick = (r) => r.cpuPerRequest;

const x = (n: number): string => `${fmt(n, 2)}×`;

interface Results {
  readonly variants: readonly Variant[];
  readonly rounds: ReadonlyMap<VariantKey, readonly Round[]>;
  /** Profiles of the headline pairs that missed a target: [ours, stock]. */
  readonly profiles: ReadonlyMap<VariantKey, readonly [ProfiledSide, ProfiledSide]>;
}

function report(results: Results, timing: Timing & { jitWarmupMs: number }): SectionResult {
  const { variants, profiles } = results;
  const rounds = (key: VariantKey) => results.rounds.get(key)!;
  const medianOf = (key: VariantKey, pick: Pick): number => median(rounds(key).map(pick));
  const ratioOf = (of: VariantKey, to: VariantKey, pick: Pick) =>
    pairedRatio(rounds(of).map(pick), rounds(to).map(pick));

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
      fmt(medianOf(v.key, rps)),
      fmt(medianOf(v.key, p50), 2),
      fmt(medianOf(v.key, p99), 2),
      fmt(medianOf(v.key, cpu)),
      errors === 0 ? '0' : `**${fmt(errors)}**`,
      rs.map((r) => fmt(r.rps)).join(' / '),
    ];
  });

  const comparisons: Array<[string, VariantKey, VariantKey]> = [
    ['(b)/(a): SDK 1.x, our router (memory store) vs the stock SDK, 1 process, direct', 'b', 'a'],
    ['(b2)/(a2): SDK v2, our router (memory store) vs the stock SDK, 1 process, direct', 'b2', 'a2'],
    ['(m)/(s): 2026-07-28, our dual-era handler vs the stock createMcpHandler, 1 process, direct', 'm', 's'],
    ['(b)/(t): SDK 1.x router, @opentelemetry/api present and no SDK vs telemetry: false', 'b', 't'],
    ['(b2)/(t2): SDK v2 router, @opentelemetry/api present and no SDK vs telemetry: false', 'b2', 't2'],
    [
      '(m)/(tm): 2026-07-28 dual-era path, @opentelemetry/api present and no SDK vs telemetry: false',
      'm',
      'tm',
    ],
    ['(c)/(d): round robin vs ideal affinity, Redis, 2 pods (the price of no sticky sessions)', 'c', 'd'],
    ['(e1)/(c): PostgreSQL vs Redis, round robin, 2 pods', 'e1', 'c'],
    ['(e2)/(c): DynamoDB Local vs Redis, round robin, 2 pods', 'e2', 'c'],
  ];
  const cell = (of: VariantKey, to: VariantKey, pick: Pick): string => {
    const r = ratioOf(of, to, pick);
    return `${x(r.median)} (${fmt(r.low, 2)}–${fmt(r.high, 2)})`;
  };
  const ratioRows = comparisons.map(([name, of, to]) => [
    name,
    cell(of, to, rps),
    cell(of, to, p50),
    cell(of, to, p99),
    cell(of, to, cpu),
  ]);

  const verdicts = HEADLINE_PAIRS.map((pair) => ({
    pair,
    throughput: throughputVerdict(ratioOf(pair.of, pair.to, rps)),
    cpu: cpuVerdict(ratioOf(pair.of, pair.to, cpu), medianOf(pair.to, cpu)),
  }));
  const targetRows = verdicts.map((v) => [v.pair.name, v.throughput.text, v.cpu.text]);
  const telemetryVerdicts = TELEMETRY_PAIRS.map((pair) => ({
    pair,
    throughput: throughputVerdict(ratioOf(pair.of, pair.to, rps)),
    cpu: cpuVerdict(ratioOf(pair.of, pair.to, cpu), medianOf(pair.to, cpu), 'the `telemetry: false` side'),
  }));
  const telemetryRows = telemetryVerdicts.map((v) => [v.pair.name, v.throughput.text, v.cpu.text]);
  const profileParts = HEADLINE_PAIRS.flatMap((pair) => {
    const sides = profiles.get(pair.of);
    if (!sides) return [];
    const [ours, stock] = sides;
    return [
      `#### ${pair.name}`,
      '',
      `Profiled: ${PROFILE_TURNS} rounds of ${fmt(PROFILE_TIMING.measureMs / 1_000, 1)} s per side, alternating; ${fmt(stock.requests)} responses on the stock side, ${fmt(ours.requests)} on ours.`,
      '',
      whereTheTimeGoes(ours, stock),
      '',
    ];
  });
  const anyMissed = verdicts.some((v) => !v.throughput.met || !v.cpu.met);

  const markdown = [
    'A closed-loop load generator (`node:http`, one keep-alive agent, no dependencies) runs in the bench process: ' +
      `${CONCURRENCY} workers, each sending \`tools/call\` of \`echo\` back to back and reading the whole ` +
      'response (HTTP 200 with a `result` holding the echoed text, anything else is an error). On the 2025 wire ' +
      'each worker has a session of its own, opened beforehand; on the 2026-07-28 wire there is no session: ' +
      'every request carries the `_meta` envelope (protocol version, client info, capabilities) and the ' +
      "`Mcp-Method` / `Mcp-Name` headers, as SDK v2's own client sends them (`wire-2026.ts`). " +
      `Before round 1, every variant runs once for ${fmt(timing.jitWarmupMs / 1_000, 1)} s, unrecorded (JIT ` +
      `warm-up). A round is ${fmt(timing.warmupMs / 1_000, 1)} s of warm-up (not recorded: fresh connections), then ` +
      `${fmt(timing.measureMs / 1_000, 1)} s measured: req/s counts the responses completed inside the measured ` +
      'window, p50/p99 are over every one of them; errors are counted over the whole round. ' +
      `${timing.rounds} rounds; each round runs every variant in turn, the sides of each of the first seven ` +
      'ratios back to back, the groups rotated and reversed from round to round; the table shows ' +
      "medians over rounds. Pod CPU µs/req is the pods' own CPU time (`process.cpuUsage()`, " +
      "summed over the variant's pods) across the measured window, per response: other load on the machine " +
      'stretches wall time far more than CPU time, so it is the steadiest figure here (it leaves out the ' +
      "balancer and the backends' own servers).",
    '',
    'Every variant serves the same bench server (one `echo` tool; `bench-server.ts` on SDK 1.x, its twin ' +
      '`bench-server-v2.ts` on SDK v2) from processes of its own (`bench-pod.ts`), all started before round 1 and ' +
      'idle while another variant is measured. (a)/(b), (a2)/(b2) and (s)/(m) are reached directly; (c)–(e) ' +
      'through the in-process round-robin balancer of `@mcp-session-store/testing`, and (d) through the same ' +
      'balancer code with ideal session affinity, in front of the same two pods as (c). The stock sessionful ' +
      "servers (a) and (a2) are each SDK's documented session map (one transport and server per session in a " +
      '`Map`, `StreamableHTTPServerTransport` on 1.x, `NodeStreamableHTTPServerTransport` on v2, no event ' +
      'store); (b) is `createMcpSessionRouter` and (b2) `createMcpSessionHandler`, each on the memory store ' +
      "with no event store, so (b)/(a) and (b2)/(a2) are the router alone. (s) is v2's `createMcpHandler` " +
      '(a fresh server per request) behind `toNodeHandler`; (m) is our `createMcpDualEraHandler` (memory store, ' +
      'no event store) through its own `handle`: every 2026-07-28 request goes through its checks and ' +
      'classification, then to the same `createMcpHandler` inside. Ours run through their own node:http entry ' +
      '(`handle`). Ours leave the `telemetry` option at its default: `@opentelemetry/api` is installed and no ' +
      'OpenTelemetry SDK is registered (no bench pod registers one), so the router makes no-op API calls, as an ' +
      'application that has the API but does not collect telemetry would; (t), (t2) and (tm) are (b), (b2) and ' +
      '(m) with `telemetry: false` (no API call at all), in pods of their own, each run right next to its twin. ' +
      '(c)–(e) run with the event store on (resumable streams), as a deployment would. Pods of ' +
      'the other variants are idle while a variant is measured, except that the DynamoDB pods keep polling ' +
      'their bus inbox (every 50 ms, against DynamoDB Local): a small background load in every round. ' +
      'Everything (load generator, balancer, pods, redis-server, PostgreSQL, DynamoDB Local: a JVM emulator, ' +
      `not AWS) shares one machine of ${availableParallelism()} cores, so absolute figures belong to this ` +
      "machine and this run: compare rows, not runs. The balancer costs a hop and CPU in the generator's " +
      'process, which is why direct variants are compared with direct ones and (c) with (d), never across.',
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
    '',
    '### Targets (issue 17)',
    '',
    `Ours against the stock SDK, same run: throughput at least ${x(THROUGHPUT_TARGET)}, CPU per request at ` +
      `most ${x(CPU_TARGET)}, judged on the median over rounds (the rounds that met it are counted too).`,
    '',
    table(
      ['pair', `throughput (≥ ${x(THROUGHPUT_TARGET)})`, `CPU per request (≤ ${x(CPU_TARGET)})`],
      targetRows,
    ),
    '',
    '### Telemetry with no SDK registered (issue 19)',
    '',
    'Ours with `telemetry` at its default (`@opentelemetry/api` present, no SDK registered) against the same ' +
      'with `telemetry: false`, same run: within noise when it meets the same bounds, judged the same way ' +
      `(throughput at least ${x(THROUGHPUT_TARGET)}, CPU per request at most ${x(CPU_TARGET)}).`,
    '',
    table(
      ['pair', `throughput (≥ ${x(THROUGHPUT_TARGET)})`, `CPU per request (≤ ${x(CPU_TARGET)})`],
      telemetryRows,
    ),
    ...(anyMissed
      ? [
          '',
          '### Where the time goes',
          '',
          'For each pair that missed a target: more rounds on each side after the measured ones ' +
            `(${PROFILE_TURNS} per side, ${fmt(PROFILE_TIMING.measureMs / 1_000, 1)} s each, alternating), with V8's sampling ` +
            'profiler on in the pod over each measured window (`pod-profile.ts`, a sample every 250 µs). Self time ' +
            'on the main thread is summed by the package the sampled function belongs to (workspace packages by ' +
            "their `dist/`, Node.js by its internal module), and each package's share of the samples is applied to " +
            'the CPU time the pod used in those rounds (`process.cpuUsage()`): the profiler samples wall time, which ' +
            'a busy machine inflates whenever the pod waits for a core. The profiler slows the pod, so these rounds ' +
            'count for no ratio; they show where the difference sits, not its exact size. `V8: builtins` is native ' +
            'code called from JavaScript (JSON, promises, regular expressions).',
          '',
          ...(profileParts.length > 0
            ? profileParts
            : ['(no profile: profiles are taken in the full run only, `pnpm bench`)', '']),
        ]
      : []),
  ].join('\n');

  const errorsIn = (...keys: VariantKey[]) =>
    keys.some((key) => rounds(key).some((r) => r.errors > 0)) ? ' (with errors: see the table)' : '';
  const headline = (v: (typeof verdicts)[number]) => {
    const { of, to } = v.pair;
    const state = (met: boolean) => (met ? 'met' : 'missed');
    return (
      `${v.pair.name}: ${x(ratioOf(of, to, rps).median)} the throughput ` +
      `(${fmt(ratioOf(of, to, rps).low, 2)}–${fmt(ratioOf(of, to, rps).high, 2)}; target ≥ ${x(THROUGHPUT_TARGET)} ${state(v.throughput.met)}), ` +
      `${x(ratioOf(of, to, cpu).median)} the CPU per request ` +
      `(${fmt(ratioOf(of, to, cpu).low, 2)}–${fmt(ratioOf(of, to, cpu).high, 2)}; target ≤ ${x(CPU_TARGET)} ${state(v.cpu.met)}), ` +
      `p99 ${x(ratioOf(of, to, p99).median)} (same run)${errorsIn(of, to)}`
    );
  };
  const telemetryHeadline =
    'telemetry at its default (@opentelemetry/api present, no SDK registered) / telemetry: false, same run: ' +
    telemetryVerdicts
      .map((v) => {
        const t = ratioOf(v.pair.of, v.pair.to, rps);
        const c = ratioOf(v.pair.of, v.pair.to, cpu);
        return (
          `${v.pair.short} ${x(t.median)} the throughput (${fmt(t.low, 2)}–${fmt(t.high, 2)}), ` +
          `${x(c.median)} the CPU per request (${fmt(c.low, 2)}–${fmt(c.high, 2)})` +
          `${errorsIn(v.pair.of, v.pair.to)}`
        );
      })
      .join('; ') +
    (telemetryVerdicts.every((v) => v.throughput.met && v.cpu.met)
      ? `: within noise (≥ ${x(THROUGHPUT_TARGET)}, ≤ ${x(CPU_TARGET)})`
      : `: **not within noise** on ${telemetryVerdicts
          .filter((v) => !v.throughput.met || !v.cpu.met)
          .map((v) => v.pair.short)
          .join(', ')} (≥ ${x(THROUGHPUT_TARGET)}, ≤ ${x(CPU_TARGET)})`);
  const ratioBars = (
    list: ReadonlyArray<{
      pair: { of: VariantKey; to: VariantKey; short: string };
      throughput: { met: boolean };
      cpu: { met: boolean };
    }>,
  ) =>
    list.flatMap((v) => {
      const t = ratioOf(v.pair.of, v.pair.to, rps);
      const c = ratioOf(v.pair.of, v.pair.to, cpu);
      return [
        {
          label: `${v.pair.short}: throughput`,
          value: t.median,
          low: t.low,
          high: t.high,
          met: v.throughput.met,
        },
        {
          label: `${v.pair.short}: CPU per request`,
          value: c.median,
          low: c.low,
          high: c.high,
          met: v.cpu.met,
        },
      ];
    });
  const targetLines = [
    { value: THROUGHPUT_TARGET, label: `throughput ≥ ${x(THROUGHPUT_TARGET)}` },
    { value: CPU_TARGET, label: `CPU ≤ ${x(CPU_TARGET)}` },
  ];
  const headlineChart: Chart = {
    title: `Headline ratios, ours / stock, same run (median over rounds; whiskers: lowest–highest round)`,
    unit: '×',
    targets: targetLines,
    bars: ratioBars(verdicts),
  };
  const telemetryChart: Chart = {
    title:
      'Telemetry at its default (API present, no SDK) / telemetry: false, same run (median; whiskers: lowest–highest round)',
    unit: '×',
    targets: targetLines,
    bars: ratioBars(telemetryVerdicts),
  };
  return {
    id: 'throughput',
    title: 'End-to-end throughput and latency',
    markdown,
    headlines: [
      ...verdicts.map(headline),
      `no sticky sessions (round robin) vs ideal affinity, Redis, 2 pods: ${x(ratioOf('c', 'd', rps).median)} ` +
        `throughput, p99 ${x(ratioOf('c', 'd', p99).median)}, CPU per request ` +
        `${x(ratioOf('c', 'd', cpu).median)}${errorsIn('c', 'd')}`,
      `round robin on PostgreSQL / DynamoDB Local instead of Redis: ${x(ratioOf('e1', 'c', rps).median)} / ` +
        `${x(ratioOf('e2', 'c', rps).median)} throughput${errorsIn('c', 'e1', 'e2')}`,
      telemetryHeadline,
    ],
    chart: [
      headlineChart,
      telemetryChart,
      {
        title: 'tools/call throughput',
        unit: 'req/s',
        bars: variants.map((v) => ({
          label: `${v.label}, ${v.route}`,
          value: Math.round(medianOf(v.key, rps)),
        })),
      },
    ],
  };
}

/**
 * The variants of round `round`. The two sides of each pair run back to back, so a burst of other
 * load rarely hits one side only; the groups rotate, and the pairs swap, from round to round, so no
 * variant always runs first or right after the heaviest one.
 */
function roundOrder(variants: readonly Variant[], round: number): Variant[] {
  const byKey = new Map(variants.map((v) => [v.key, v]));
  const rotated = GROUPS.map((_, i) => GROUPS[(i + round) % GROUPS.length]!);
  return rotated
    .flatMap((group) => (round % 2 === 1 ? [...group].reverse() : group))
    .map((key) => byKey.get(key)!);
}

export async function runThroughput(ctx: BenchContext): Promise<SectionResult> {
  const timing = ctx.quick ? QUICK : FULL;
  const fleet = new Fleet();
  const started = performance.now();
  try {
    ctx.log(
      'throughput: starting 15 pods (SDK 1.x, SDK v2, 2026-07-28, each also with telemetry: false; Redis, PostgreSQL, DynamoDB)...',
    );
    const variants = await startVariants(ctx, fleet);
    ctx.log(
      `throughput: pods ready and sessions open after ${fmt((performance.now() - started) / 1_000, 1)} s`,
    );
    for (const variant of variants) {
      const warm = await runRound(variant, { rounds: 1, warmupMs: 0, measureMs: timing.jitWarmupMs });
      if (warm.errors > 0)
        ctx.log(`throughput: warm-up of ${variant.label}: ${warm.errors} errors (${warm.firstError})`);
    }
    ctx.log(`throughput: every variant warmed up (${fmt(timing.jitWarmupMs / 1_000, 1)} s each, unrecorded)`);
    const rounds = new Map<VariantKey, Round[]>(variants.map((v) => [v.key, []]));
    for (let round = 0; round < timing.rounds; round++) {
      for (const variant of roundOrder(variants, round)) {
        const result = await runRound(variant, timing);
        rounds.get(variant.key)!.push(result);
        ctx.log(
          `throughput: round ${round + 1}/${timing.rounds} ${variant.label}, ${variant.route}: ` +
            `${fmt(result.rps)} req/s, p50 ${fmt(result.p50, 2)} ms, p99 ${fmt(result.p99, 2)} ms, ` +
            `${fmt(result.cpuPerRequest)} µs CPU/req` +
            (result.errors > 0 ? `, ${result.errors} errors (${result.firstError})` : ''),
        );
        if (result.errors > 0) await failIfPodsGone(variant);
      }
    }
    const profiles = new Map<VariantKey, readonly [ProfiledSide, ProfiledSide]>();
    if (!ctx.quick) {
      const byKey = new Map(variants.map((v) => [v.key, v]));
      for (const pair of HEADLINE_PAIRS) {
        const of = rounds.get(pair.of)!;
        const to = rounds.get(pair.to)!;
        const missed =
          !throughputVerdict(pairedRatio(of.map(rps), to.map(rps))).met ||
          !cpuVerdict(pairedRatio(of.map(cpu), to.map(cpu)), 0).met;
        if (!missed) continue;
        ctx.log(`throughput: profiling ${pair.name}`);
        const sides = await profilePair(
          byKey.get(pair.of)!,
          byKey.get(pair.to)!,
          PROFILE_TIMING,
          PROFILE_TURNS,
        );
        profiles.set(pair.of, sides);
      }
    }
    ctx.log(`throughput: done in ${fmt((performance.now() - started) / 1_000, 1)} s`);
    return report({ variants, rounds, profiles }, timing);
  } finally {
    await fleet.stop();
  }
}
