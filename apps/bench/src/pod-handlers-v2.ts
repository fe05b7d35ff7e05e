// The SDK v2 variants of a bench pod: for 2025 sessions, the stock sessionful transport with the
// session map of v2's documentation (docs/serving/sessions-state-scaling.md) and our router
// (createMcpSessionHandler); for the 2026-07-28 wire, the stock `createMcpHandler` and our dual-era
// handler (createMcpDualEraHandler), both with their listen streams' notify.
import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { createMcpDualEraHandler, createMcpSessionHandler } from '@mcp-session-store/core/v2';
import { NodeStreamableHTTPServerTransport, toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, isInitializeRequest } from '@modelcontextprotocol/server';
import { createBenchServerV2 } from './bench-server-v2.js';
import { jsonBody, POD_NAME, type PodHandler, podAdapters, withEventStore } from './pod-env.js';
import { telemetryOptions } from './pod-telemetry.js';

/**
 * Open listen streams a pod may hold (both SDK v2 handlers default to 1,024, fewer than the
 * listen-stream benchmark opens); the same on both sides.
 */
export const MAX_SUBSCRIPTIONS = 20_000;

const hooks = {
  onError: (error: unknown, { operation }: { operation: string }) =>
    console.error(`${POD_NAME} ${operation}: ${String(error)}`),
};

/** v2's documented sessionful server: one transport per session in a Map, no event store. */
export function stockV2Handler(): PodHandler {
  const sessions = new Map<string, NodeStreamableHTTPServerTransport>();
  const handle: RequestListener = async (req, res) => {
    try {
      const body = req.method === 'POST' ? await jsonBody(req) : undefined;
      const sessionId = req.headers['mcp-session-id'];
      const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
      if (existing) return void (await existing.handleRequest(req, res, body));
      if (sessionId === undefined && isInitializeRequest(body)) {
        const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => void sessions.set(id, transport),
        });
        transport.onclose = () => {
          if (transport.sessionId) sessions.delete(transport.sessionId);
        };
        await createBenchServerV2().connect(transport);
        return void (await transport.handleRequest(req, res, body));
      }
      res.writeHead(sessionId === undefined ? 400 : 404).end();
    } catch (error) {
      console.error(`${POD_NAME} stock v2: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end(String(error));
    }
  };
  return {
    handle,
    async close() {
      await Promise.allSettled([...sessions.values()].map((t) => t.close()));
    },
  };
}

/** Our router for v2 over STORE (event store unless EVENTS=0, telemetry as TELEMETRY), as (b) is for 1.x. */
export async function routerV2Handler(): Promise<PodHandler> {
  const backend = await podAdapters();
  const handler = createMcpSessionHandler(() => createBenchServerV2(), {
    store: backend.store,
    ...(withEventStore() && { eventStore: backend.eventStore }),
    bus: backend.bus,
    processId: POD_NAME,
    keepAliveMs: 0,
    ...telemetryOptions(),
    hooks,
  });
  return {
    handle: (req, res) => void handler.handle(req, res),
    async close() {
      await handler.close({ deadlineMs: 1_000 });
      await backend.close();
    },
  };
}

/** The stock 2026-07-28 handler: a fresh server per request, listen streams on its in-process bus. */
export function stockModernHandler(): PodHandler {
  const handler = createMcpHandler(() => createBenchServerV2(), { maxSubscriptions: MAX_SUBSCRIPTIONS });
  // exactOptionalPropertyTypes: node's IncomingMessage has `method?: string | undefined`.
  const node = toNodeHandler(handler) as unknown as (...args: Parameters<RequestListener>) => Promise<void>;
  return {
    handle: (req, res) => void node(req, res),
    notifyToolsChanged: () => handler.notify.toolsChanged(),
    close: () => handler.close(),
  };
}

/**
 * Our dual-era handler over STORE: its 2026-07-28 leg shares change events through STORE's bus;
 * telemetry as TELEMETRY.
 */
export async function dualEraHandler(): Promise<PodHandler> {
  const backend = await podAdapters();
  const handler = createMcpDualEraHandler(() => createBenchServerV2(), {
    store: backend.store,
    ...(withEventStore() && { eventStore: backend.eventStore }),
    bus: backend.bus,
    processId: POD_NAME,
    modern: { maxSubscriptions: MAX_SUBSCRIPTIONS },
    ...telemetryOptions(),
    hooks,
  });
  // Ready only once other pods' events arrive: the notify benchmarks start right after /healthz.
  await handler.events.ready();
  return {
    handle: (req, res) => void handler.handle(req, res),
    notifyToolsChanged: () => handler.notify.toolsChanged(),
    async close() {
      await handler.close({ deadlineMs: 1_000 });
      await backend.close();
    },
  };
}
