// The SDK 1.x variants of a bench pod: the stock SDK's documented session map, and our router.
import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { createMcpSessionRouter } from '@mcp-session-store/core/router';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createBenchServer } from './bench-server.js';
import { jsonBody, POD_NAME, type PodHandler, podAdapters, withEventStore } from './pod-env.js';
import { telemetryOptions } from './pod-telemetry.js';

/** The SDK documentation's way: one transport per session, kept in a Map of this process. */
export function stockV1Handler(): PodHandler {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const handle: RequestListener = async (req, res) => {
    try {
      const body = req.method === 'POST' ? await jsonBody(req) : undefined;
      const sessionId = req.headers['mcp-session-id'];
      if (typeof sessionId === 'string') {
        const transport = transports.get(sessionId);
        if (!transport) return void res.writeHead(404).end();
        return void (await transport.handleRequest(req, res, body));
      }
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void transports.set(id, transport),
      });
      await createBenchServer().connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (error) {
      console.error(`${POD_NAME} stock: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end(String(error));
    }
  };
  return {
    handle,
    async close() {
      await Promise.allSettled([...transports.values()].map((t) => t.close()));
    },
  };
}

/**
 * Our router over STORE, with the event store unless EVENTS=0, as a real deployment would run it;
 * `telemetry` as TELEMETRY says (pod-telemetry.ts).
 */
export async function routerV1Handler(): Promise<PodHandler> {
  const backend = await podAdapters();
  const router = createMcpSessionRouter({
    store: backend.store,
    ...(withEventStore() && { eventStore: backend.eventStore }),
    bus: backend.bus,
    processId: POD_NAME,
    createServer: () => createBenchServer(),
    keepAliveMs: 0,
    ...telemetryOptions(),
    hooks: {
      onError: (error, { operation }) => console.error(`${POD_NAME} ${operation}: ${String(error)}`),
    },
  });
  return {
    handle: (req, res) => void router.handle(req, res),
    async close() {
      await router.close({ deadlineMs: 1_000 });
      await backend.close();
    },
  };
}
