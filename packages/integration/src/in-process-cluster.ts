import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventStoreFactory, MessageBus, SessionStore } from '@mcp-session-store/core';
import type { McpSessionRouter, SessionRouterOptions } from '@mcp-session-store/core/router';
import {
  MemoryBackend,
  MemoryEventStore,
  MemoryMessageBus,
  MemorySessionStore,
} from '@mcp-session-store/memory';
import { type BalancerHandle, startRoundRobinBalancer } from '@mcp-session-store/testing';
import { createTestRouter, type SdkMajor } from './sdk-major.js';

/** One pod: a router on its own HTTP server. */
export interface Pod {
  readonly name: string;
  readonly url: string;
  readonly router: McpSessionRouter;
  readonly store: SessionStore;
  readonly bus: MessageBus;
}

export interface InProcessCluster {
  /** The balancer's MCP endpoint. */
  readonly url: string;
  readonly pods: Pod[];
  readonly balancer: BalancerHandle;
  readonly backend: MemoryBackend;
  /** Resolves once `count` GET streams are live across the pods (instead of sleeping). */
  waitForStreams(count?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** The SDK major the pods' servers are built on. Default 1. */
  sdk?: SdkMajor;
  pods?: number;
  withEventStore?: boolean;
  /** Wraps each pod's store (to count calls or inject failures). */
  wrapStore?: (store: SessionStore, pod: string) => SessionStore;
  /** Wraps each pod's event store (to inject failures). */
  wrapEvents?: (events: EventStoreFactory, pod: string) => EventStoreFactory;
  /** Wraps each pod's bus (to count forwarded messages). */
  wrapBus?: (bus: MessageBus, pod: string) => MessageBus;
  router?: Partial<SessionRouterOptions>;
}

/**
 * N routers in this process sharing one memory backend (as pods share Redis), each on its own HTTP
 * port, behind a round-robin balancer with no affinity.
 */
export async function startInProcessCluster(options: ClusterOptions = {}): Promise<InProcessCluster> {
  const backend = new MemoryBackend();
  const pods: Pod[] = [];
  const servers: HttpServer[] = [];
  for (let i = 0; i < (options.pods ?? 3); i++) {
    const name = `pod-${i}`;
    const rawStore = new MemorySessionStore({ backend, idleTtlMs: 60 * 60_000 });
    const store = options.wrapStore ? options.wrapStore(rawStore, name) : rawStore;
    const rawBus = new MemoryMessageBus({ backend });
    const bus = options.wrapBus ? options.wrapBus(rawBus, name) : rawBus;
    const rawEvents = options.withEventStore === false ? undefined : new MemoryEventStore({ backend });
    const eventStore: EventStoreFactory | undefined =
      rawEvents && options.wrapEvents ? options.wrapEvents(rawEvents, name) : rawEvents;
    const router = createTestRouter(options.sdk ?? 1, name, {
      store,
      bus,
      eventStore,
      processId: name,
      principal: ({ request }) => request.headers.get('x-user'),
      keepAliveMs: 0,
      ...options.router,
    });
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/mcp')) void router.handle(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    pods.push({ name, url: `http://127.0.0.1:${port}`, router, store, bus });
  }
  const balancer = await startRoundRobinBalancer(pods.map((p) => p.url));
  return {
    url: `${balancer.url}/mcp`,
    pods,
    balancer,
    backend,
    async waitForStreams(count = 1) {
      // A bound against hangs: a loaded CI machine may take seconds to open a stream.
      const deadline = Date.now() + 15_000;
      while (pods.reduce((n, p) => n + p.router.openStreamCount, 0) < count) {
        if (Date.now() > deadline) throw new Error(`fewer than ${count} GET streams opened within 15 s`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async stop() {
      await balancer.stop();
      await Promise.all(pods.map((p) => p.router.close({ deadlineMs: 1_000 })));
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
