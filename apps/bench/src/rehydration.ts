// Rehydration latency: the first request of a session on a pod that has never seen it (one store
// read, the SDK server rebuilt, the initialize replayed), against the next request on that pod.
import {
  MemoryBackend,
  MemoryEventStore,
  MemoryMessageBus,
  MemorySessionStore,
} from '@mcp-session-store/memory';
import { type Adapters, adaptersFor } from './backends.js';
import type { BenchContext, SectionResult } from './context.js';
import { callEcho, openSession } from './mcp-http.js';
import { type RouterBackend, serveRouters } from './servers.js';
import { fmt, percentile, table } from './stats.js';

type Backend = 'memory' | 'redis' | 'postgres' | 'dynamodb';

interface Latencies {
  backend: Backend;
  cold: number[];
  warm: number[];
}

async function timed(call: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await call();
  return performance.now() - started;
}

async function measure(ctx: BenchContext, backend: Backend, sessions: number): Promise<Latencies> {
  const adapters: Adapters[] = [];
  const shared = new MemoryBackend();
  const build = async (): Promise<RouterBackend> => {
    if (backend === 'memory') {
      return {
        store: new MemorySessionStore({ backend: shared }),
        eventStore: new MemoryEventStore({ backend: shared }),
        bus: new MemoryMessageBus({ backend: shared }),
      };
    }
    const a = await adaptersFor(ctx, backend, `bench-rehydrate-${backend}`);
    adapters.push(a);
    return { store: a.store, eventStore: a.eventStore, bus: a.bus };
  };
  const pods = [await build(), await build()];
  const served = await serveRouters(2, (i) => pods[i]!);
  const [home, away] = served.endpoints as [string, string];
  const result: Latencies = { backend, cold: [], warm: [] };
  try {
    // Warm-up: connections and JIT, not recorded.
    const warmup = await openSession(home);
    await callEcho(away, warmup, 1);
    let id = 10;
    for (let i = 0; i < sessions; i++) {
      const sessionId = await openSession(home);
      await callEcho(home, sessionId, id++);
      result.cold.push(await timed(() => callEcho(away, sessionId, id++)));
      result.warm.push(await timed(() => callEcho(away, sessionId, id++)));
    }
    return result;
  } finally {
    await served.close();
    for (const a of adapters) await a.close();
  }
}

export async function runRehydration(ctx: BenchContext): Promise<SectionResult> {
  const sessions = ctx.quick ? 40 : 200;
  const results: Latencies[] = [];
  for (const backend of ['memory', 'redis', 'postgres', 'dynamodb'] as const) {
    ctx.log(`  rehydration: ${backend}`);
    results.push(await measure(ctx, backend, sessions));
  }
  const rows = results.map((r) => {
    const [coldP50, coldP99, warmP50, warmP99] = [
      percentile(r.cold, 0.5),
      percentile(r.cold, 0.99),
      percentile(r.warm, 0.5),
      percentile(r.warm, 0.99),
    ];
    return {
      backend: r.backend,
      cells: [
        r.backend,
        fmt(coldP50, 2),
        fmt(coldP99, 2),
        fmt(warmP50, 2),
        fmt(warmP99, 2),
        `+${fmt(coldP50 - warmP50, 2)} ms`,
      ],
      extra: coldP50 - warmP50,
    };
  });
  const markdown = `Method: two routers (pods) in one process on one backend, ${sessions} sessions each initialized and called once on pod A; then, per session, the first \`tools/call\` on pod B (cold: pod B has never seen the session, so it reads the record, builds the SDK server and replays \`initialize\` and the log level) and the next one on pod B (warm), timed end to end on loopback. Percentiles over the sessions; the event store is on. Memory is the in-process reference (both routers share one memory backend).

${table(
  ['backend', 'cold p50 (ms)', 'cold p99 (ms)', 'warm p50 (ms)', 'warm p99 (ms)', 'rehydration cost (p50)'],
  rows.map((r) => r.cells),
)}

Rehydration happens once per session per pod (then the pod keeps it, LRU-bounded), so its cost is paid on the first request a pod serves for a session, not on every request.`;
  return {
    id: 'rehydration',
    title: 'Rehydration latency',
    markdown,
    headlines: [
      `Rehydrating a session on a pod that never saw it adds ${rows
        .filter((r) => r.backend !== 'memory')
        .map((r) => `${fmt(r.extra, 1)} ms (${r.backend})`)
        .join(', ')} at p50 to that first request (cold minus warm, same run), against ${fmt(
        rows.find((r) => r.backend === 'memory')!.extra,
        1,
      )} ms with the in-process memory store (the SDK server rebuilt, no network); once per session and pod.`,
    ],
  };
}
