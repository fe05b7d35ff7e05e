// Many open 2026-07-28 listen streams: memory per open stream and the time one change takes to
// reach all of them, our dual-era handler on 3 pod processes sharing a Redis bus against the stock
// createMcpHandler holding as many in one process (its in-process bus: the reach of one SDK process).
import { Agent } from 'node:http';
import type { PodClusterHandle } from '@mcp-session-store/testing';
import { forEachConcurrent } from './concurrency.js';
import type { BenchContext, SectionResult } from './context.js';
import { type ListenStream, openListenStream } from './listen-client.js';
import { Fleet, startAll } from './pod-fleet.js';
import { MAX_SUBSCRIPTIONS } from './pod-handlers-v2.js';
import { fmt, median, table } from './stats.js';

/** Streams opened at once (each waits for its acknowledgement). */
const OPEN_CONCURRENCY = 64;
/** All streams must have a change within this, or the section fails rather than hang. */
const FAN_OUT_TIMEOUT_MS = 120_000;

interface PodMemory {
  heapUsed: number;
  external: number;
  rss: number;
}

async function podsMemory(cluster: PodClusterHandle): Promise<PodMemory> {
  const readings = await Promise.all(
    cluster.pods.map(async (pod) => {
      const res = await fetch(`${pod.url}/memory`);
      if (!res.ok) throw new Error(`${pod.name} /memory: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as PodMemory;
    }),
  );
  return readings.reduce((a, b) => ({
    heapUsed: a.heapUsed + b.heapUsed,
    external: a.external + b.external,
    rss: a.rss + b.rss,
  }));
}

/** Streams spread round robin over the pods (directly, no balancer), every one acknowledged. */
async function openStreams(
  cluster: PodClusterHandle,
  count: number,
  agent: Agent,
  onChange: () => void,
): Promise<ListenStream[]> {
  const endpoints = cluster.pods.map((pod) => new URL(`${pod.url}/mcp`));
  const streams: ListenStream[] = [];
  try {
    await forEachConcurrent(
      Array.from({ length: count }, (_, i) => i),
      OPEN_CONCURRENCY,
      async (i) => {
        const stream = openListenStream(endpoints[i % endpoints.length]!, agent, onChange);
        streams.push(stream);
        await stream.acknowledged;
      },
    );
    return streams;
  } catch (error) {
    for (const stream of streams) stream.close();
    throw error;
  }
}

interface FanOut {
  firstMs: number;
  halfMs: number;
  allMs: number;
}

interface Side {
  readonly label: string;
  readonly pods: number;
  readonly streams: number;
  /** heapUsed + external growth per open stream, summed over the pods, in KiB. */
  readonly kibPerStream: number;
  readonly rssKibPerStream: number;
  readonly fanOuts: readonly FanOut[];
}

/** Opens `count` streams on `cluster`, reads its memory, then announces `notifies` changes on pod 0. */
async function measureSide(
  ctx: BenchContext,
  label: string,
  cluster: PodClusterHandle,
  count: number,
  notifies: number,
): Promise<Side> {
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  let arrived = 0;
  let onArrival: (() => void) | undefined;
  const onChange = () => {
    arrived++;
    onArrival?.();
  };
  try {
    // Warm-up: lazily built state (JIT, the bus subscription, HTTP machinery) is not per stream.
    const warm = await openStreams(cluster, 30 * cluster.pods.length, agent, () => {});
    await fetch(`${cluster.pods[0]!.url}/notify`, { method: 'POST' });
    const warmedBy = Date.now() + FAN_OUT_TIMEOUT_MS;
    while (warm.some((s) => s.changes === 0) && Date.now() < warmedBy) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const stream of warm) stream.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = await podsMemory(cluster);
    ctx.log(`  listen streams: ${label}: opening ${fmt(count)}`);
    const opened = performance.now();
    const streams = await openStreams(cluster, count, agent, onChange);
    ctx.log(
      `  listen streams: ${label}: ${fmt(count)} open in ${fmt((performance.now() - opened) / 1_000, 1)} s`,
    );
    try {
      const after = await podsMemory(cluster);
      const fanOuts: FanOut[] = [];
      for (let n = 0; n < notifies; n++) {
        arrived = 0;
        const times: Partial<FanOut> = {};
        let started = 0;
        const all = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () =>
              reject(
                new Error(
                  `${label}: ${arrived} of ${count} streams had the change after ${FAN_OUT_TIMEOUT_MS} ms`,
                ),
              ),
            FAN_OUT_TIMEOUT_MS,
          );
          onArrival = () => {
            const at = performance.now() - started;
            if (arrived === 1) times.firstMs = at;
            if (arrived === Math.ceil(count / 2)) times.halfMs = at;
            if (arrived === count) {
              times.allMs = at;
              clearTimeout(timer);
              resolve();
            }
          };
        });
        started = performance.now();
        const res = await fetch(`${cluster.pods[0]!.url}/notify`, { method: 'POST' });
        if (!res.ok) throw new Error(`${label} /notify: HTTP ${res.status}`);
        await all;
        fanOuts.push(times as FanOut);
        if (streams.some((s) => s.changes !== n + 1))
          throw new Error(`${label}: a stream missed or doubled a change`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return {
        label,
        pods: cluster.pods.length,
        streams: count,
        kibPerStream: (after.heapUsed + after.external - before.heapUsed - before.external) / count / 1024,
        rssKibPerStream: (after.rss - before.rss) / count / 1024,
        fanOuts,
      };
    } finally {
      for (const stream of streams) stream.close();
    }
  } finally {
    onArrival = undefined;
    agent.destroy();
  }
}

export async function runListenStreams(ctx: BenchContext): Promise<SectionResult> {
  const count = ctx.quick ? 1_000 : 10_000;
  const notifies = ctx.quick ? 3 : 5;
  const fleet = new Fleet();
  try {
    ctx.log('  listen streams: starting 3 dual-era pods on Redis and 1 stock createMcpHandler pod...');
    const [ours, stock] = (await startAll(fleet, [
      [3, { VARIANT: 'dual-era', STORE: 'redis', NAMESPACE: 'bench-listen', REDIS_URL: ctx.redisUrl }],
      [1, { VARIANT: 'stock-modern' }],
    ])) as [PodClusterHandle, PodClusterHandle];
    const stockSide = await measureSide(ctx, 'stock createMcpHandler, 1 process', stock, count, notifies);
    const oursSide = await measureSide(ctx, 'dual-era handler, 3 pods, Redis bus', ours, count, notifies);
    return report([stockSide, oursSide], notifies);
  } finally {
    await fleet.stop();
  }
}

function report(sides: readonly [Side, Side], notifies: number): SectionResult {
  const [stock, ours] = sides;
  const ms = (v: number) => fmt(v, v < 10 ? 2 : 0);
  const fan = (side: Side, pick: (f: FanOut) => number) => {
    const values = side.fanOuts.map(pick);
    return `${ms(median(values))} (${ms(Math.min(...values))}–${ms(Math.max(...values))})`;
  };
  const rows = sides.map((s) => [
    s.label,
    String(s.pods),
    fmt(s.streams),
    fmt(s.kibPerStream, 1),
    fmt(s.rssKibPerStream, 1),
    fan(s, (f) => f.firstMs),
    fan(s, (f) => f.halfMs),
    fan(s, (f) => f.allMs),
  ]);
  const allMs = (s: Side) => median(s.fanOuts.map((f) => f.allMs));
  const markdown = `Method: ${fmt(ours.streams)} \`subscriptions/listen\` streams (2026-07-28, tool list changes), held open by raw \`node:http\` clients in the bench process, ${OPEN_CONCURRENCY} opened at a time, each one acknowledged by the server. Ours: \`createMcpDualEraHandler\` on 3 pod processes sharing a Redis bus (core's \`createServerEventBus\`), the streams spread evenly over the pods, reached directly. The stock side: v2's \`createMcpHandler\` in one process holding all of them on its in-process bus, the reach of one SDK process (it cannot reach a stream on another). Both allow ${fmt(MAX_SUBSCRIPTIONS)} subscriptions (\`maxSubscriptions\`; the SDK's default is 1,024) and keep the SDK's 15 s SSE keep-alive. Memory: after 30 warm-up streams per pod (opened, sent one change, closed), the pods' \`heapUsed + external\` (and RSS), each read after two forced full GCs, summed over the pods, before and after the streams opened, the growth divided by the number of streams. Then ${notifies} times: one \`POST /notify\` to pod 0 (\`notify.toolsChanged()\`), timed from the request until the first stream, half of them, and every one of them had the change (each exactly once); medians over the ${notifies} changes, range in parentheses. The client's own reading of ${fmt(ours.streams)} events is in both figures alike; the two sides ran one after the other in this run, with the other side's pods idle.

${table(['handler', 'pods', 'open streams', 'KiB per stream (heap + external)', 'RSS KiB per stream', 'first stream ms', 'half ms', 'all ms'], rows)}`;
  return {
    id: 'listen-streams',
    title: 'Open listen streams at scale',
    markdown,
    headlines: [
      `${fmt(ours.streams)} open listen streams over 3 pods: ${fmt(ours.kibPerStream, 1)} KiB per stream against ${fmt(stock.kibPerStream, 1)} KiB for the stock createMcpHandler (${fmt(ours.kibPerStream / stock.kibPerStream, 2)}×); one notify reaches all of them in ${ms(allMs(ours))} ms across pods (Redis), against ${ms(allMs(stock))} ms for one stock process on its in-process bus (same run).`,
    ],
  };
}
