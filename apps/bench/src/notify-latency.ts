// Cross-pod notification latency on the 2026-07-28 wire: `notify.toolsChanged()` on pod A until a
// `subscriptions/listen` stream held on pod B has the change, per backend (core's
// createServerEventBus over each backend's MessageBus, inside createMcpDualEraHandler), against the
// stock createMcpHandler announcing to a stream it holds itself (its in-process bus: what one SDK
// process does). Pods are handlers in this process, each with its own backend clients and HTTP port.
import { Agent, type Server } from 'node:http';
import { createMcpDualEraHandler, type McpDualEraHandler } from '@mcp-session-store/core/v2';
import {
  MemoryBackend,
  MemoryEventStore,
  MemoryMessageBus,
  MemorySessionStore,
} from '@mcp-session-store/memory';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { type Adapters, adaptersFor, BACKEND_LABELS, SHARED_BACKENDS } from './backends.js';
import { createBenchServerV2 } from './bench-server-v2.js';
import type { BenchContext, SectionResult } from './context.js';
import { type ListenStream, openListenStream } from './listen-client.js';
import { closeAll, endpointOf, listen } from './servers.js';
import { fmt, median, percentile, table } from './stats.js';

/** A change that takes longer than this to arrive is lost: the section fails rather than hang. */
const ARRIVAL_TIMEOUT_MS = 10_000;
const NAMESPACE = 'bench-notify';

interface Path {
  readonly name: string;
  readonly what: string;
  /** Announces a change on the notifying pod. */
  notify(): void;
  /** Resolves when the listen stream got the next change. */
  nextChange(): Promise<void>;
  close(): Promise<void>;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A listen stream on `server`, with a way to wait for its next change. */
async function stream(server: Server, agent: Agent) {
  let waiter: (() => void) | undefined;
  const listenStream: ListenStream = openListenStream(new URL(endpointOf(server)), agent, () => {
    const resolve = waiter;
    waiter = undefined;
    resolve?.();
  });
  await listenStream.acknowledged;
  return {
    listenStream,
    nextChange: () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no change within ${ARRIVAL_TIMEOUT_MS} ms`)),
          ARRIVAL_TIMEOUT_MS,
        );
        waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  };
}

// exactOptionalPropertyTypes: node's IncomingMessage has `method?: string | undefined`.
type NodeListener = Parameters<typeof listen>[0];

async function stockPath(agent: Agent): Promise<Path> {
  const handler = createMcpHandler(() => createBenchServerV2());
  const server = await listen(toNodeHandler(handler) as unknown as NodeListener);
  const { listenStream, nextChange } = await stream(server, agent);
  return {
    name: 'stock createMcpHandler, 1 process',
    what: 'its in-process bus (notify and stream on the same handler)',
    notify: () => handler.notify.toolsChanged(),
    nextChange,
    async close() {
      listenStream.close();
      await handler.close();
      await closeAll([server]);
    },
  };
}

/** Two dual-era pods on one bus; the stream on B, the change announced on A. */
async function podPairPath(
  name: string,
  what: string,
  agent: Agent,
  adapters: readonly [Adapters, Adapters],
): Promise<Path> {
  const handlers: McpDualEraHandler[] = adapters.map((a, i) =>
    createMcpDualEraHandler(() => createBenchServerV2(), {
      store: a.store,
      bus: a.bus,
      processId: `bench-notify-${i}`,
    }),
  );
  const servers: Server[] = [];
  try {
    await Promise.all(handlers.map((h) => h.events.ready()));
    servers.push(await listen((req, res) => void handlers[1]!.handle(req, res)));
    const { listenStream, nextChange } = await stream(servers[0]!, agent);
    return {
      name,
      what,
      notify: () => handlers[0]!.notify.toolsChanged(),
      nextChange,
      async close() {
        listenStream.close();
        await Promise.allSettled(handlers.map((h) => h.close({ deadlineMs: 1_000 })));
        await closeAll(servers);
        await Promise.allSettled(adapters.map((a) => a.close()));
      },
    };
  } catch (error) {
    await Promise.allSettled(handlers.map((h) => h.close({ deadlineMs: 1_000 })));
    await closeAll(servers);
    await Promise.allSettled(adapters.map((a) => a.close()));
    throw error;
  }
}

function memoryAdapters(backend: MemoryBackend): Adapters {
  return {
    store: new MemorySessionStore({ backend }),
    eventStore: new MemoryEventStore({ backend }),
    bus: new MemoryMessageBus({ backend }),
    driver: {},
    async close() {},
  };
}

const BUS_OF = {
  redis: 'pub/sub (PUBLISH, a subscriber connection per pod)',
  postgres: 'LISTEN/NOTIFY',
  dynamodb: 'inbox items, polled every 50 ms',
} as const;

async function paths(ctx: BenchContext, agent: Agent): Promise<Path[]> {
  const list: Path[] = [];
  try {
    list.push(await stockPath(agent));
    const memory = new MemoryBackend();
    list.push(
      await podPairPath('memory, 2 pods in 1 process', 'MemoryMessageBus (our in-process bus)', agent, [
        memoryAdapters(memory),
        memoryAdapters(memory),
      ]),
    );
    for (const backend of SHARED_BACKENDS) {
      const pair = [
        await adaptersFor(ctx, backend, NAMESPACE),
        await adaptersFor(ctx, backend, NAMESPACE),
      ] as const;
      list.push(await podPairPath(`${BACKEND_LABELS[backend]}, 2 pods`, BUS_OF[backend], agent, pair));
    }
    return list;
  } catch (error) {
    await Promise.allSettled(list.map((p) => p.close()));
    throw error;
  }
}

export async function runNotifyLatency(ctx: BenchContext): Promise<SectionResult> {
  const rounds = ctx.quick ? 3 : 5;
  const perRound = ctx.quick ? 40 : 120;
  const agent = new Agent({ keepAlive: true });
  const list = await paths(ctx, agent);
  try {
    // Warm-up: JIT, the buses' subscriptions, the backends' connections.
    for (let i = 0; i < 10; i++) {
      for (const path of list) {
        const arrived = path.nextChange();
        path.notify();
        await arrived;
      }
    }
    const perPath = list.map(() => [] as Array<{ p50: number; p99: number }>);
    for (let round = 0; round < rounds; round++) {
      const ms = list.map(() => [] as number[]);
      for (let i = 0; i < perRound; i++) {
        for (let k = 0; k < list.length; k++) {
          const index = (k + i + round) % list.length;
          const path = list[index]!;
          // A random pause: DynamoDB's bus polls every 50 ms, and the samples must not lock onto its phase.
          await delay(Math.random() * 10);
          const arrived = path.nextChange();
          const started = performance.now();
          path.notify();
          await arrived;
          ms[index]!.push(performance.now() - started);
        }
      }
      ms.forEach((values, index) => {
        perPath[index]!.push({ p50: percentile(values, 0.5), p99: percentile(values, 0.99) });
      });
    }
    const base = perPath[0]!;
    const figures = list.map((path, index) => {
      const r = perPath[index]!;
      return {
        path,
        p50: median(r.map((x) => x.p50)),
        p99: median(r.map((x) => x.p99)),
        addedP50: median(r.map((x, i) => x.p50 - base[i]!.p50)),
      };
    });
    const ms = (v: number) => fmt(v, v < 10 ? 2 : 1);
    const rows = figures.map((f, i) => [
      f.path.name,
      f.path.what,
      ms(f.p50),
      ms(f.p99),
      i === 0 ? '(baseline)' : `${f.addedP50 >= 0 ? '+' : '−'}${ms(Math.abs(f.addedP50))} ms`,
    ]);
    const markdown = `Method: a change announced with \`notify.toolsChanged()\` on one pod, timed until a \`subscriptions/listen\` stream (2026-07-28, subscribed to tool list changes) held on another pod has the \`notifications/tools/list_changed\` event, read by a raw \`node:http\` client. The pods are \`createMcpDualEraHandler\`s (SDK v2, the bench's echo server), each with its own backend clients and its own HTTP port, in this process; their 2026-07-28 legs share change events through core's \`createServerEventBus\` over the backend's \`MessageBus\`. The baseline is what one stock SDK process does: v2's \`createMcpHandler\` announcing to a stream it holds itself, over its in-process bus. One change at a time, each awaited; the paths take turns change by change in a rotating order, with a random pause of up to 10 ms before each (so DynamoDB's polling phase is sampled evenly); ${rounds} rounds of ${perRound} changes per path, figures are medians over rounds of each round's percentile, "added" the median of the per-round differences from the baseline. All pods share this process's event loop and the machine's 2 cores with the backends: a real deployment adds the network between pods and backend.

${table(['path', 'how the change travels', 'p50 ms', 'p99 ms', 'added at p50'], rows)}

DynamoDB has no push channel: its bus writes the change into each subscribed pod's inbox, and every pod queries its inbox 50 ms after its previous poll ended, then deletes what it read. The wait for the next poll (25 ms on average, more when a poll itself takes a while) and those calls (a few ms each on DynamoDB Local) make up the figure; \`pollIntervalMs\` trades it against idle polling.`;
    const row = (name: string) => figures.find((f) => f.path.name.startsWith(name))!;
    return {
      id: 'notify-latency',
      title: 'Cross-pod notification latency (2026-07-28 listen streams)',
      markdown,
      headlines: [
        `notify on one pod to a listen stream on another, p50 / p99: ${[
          'Redis',
          'PostgreSQL',
          'DynamoDB',
          'memory',
        ]
          .map((name) => `${name} ${ms(row(name).p50)} / ${ms(row(name).p99)} ms`)
          .join(
            ', ',
          )} (in-process pods), against ${ms(figures[0]!.p50)} / ${ms(figures[0]!.p99)} ms for the stock handler's in-process bus (same run).`,
      ],
      chart: {
        title: 'notify to a listen stream on another pod, p50 (ms)',
        unit: 'ms',
        bars: figures.map((f) => ({ label: f.path.name, value: f.p50 })),
      },
    };
  } finally {
    await Promise.allSettled(list.map((p) => p.close()));
    agent.destroy();
  }
}
