// The servers the benchmarks compare, each on its own HTTP port in this process.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventStoreFactory, MessageBus, SessionStore } from '@mcp-session-store/core';
import { createMcpSessionRouter, type McpSessionRouter } from '@mcp-session-store/core/router';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Redis } from 'ioredis';
import { createBenchServer } from './bench-server.js';
import type { ProposalRedisStore } from './proposal-redis-store.js';

/** Running servers: one MCP endpoint per process-like unit (pod). */
export interface Served {
  readonly endpoints: string[];
  close(): Promise<void>;
}

/** An HTTP server for `handler` on a free loopback port. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** The MCP endpoint of a server from {@link listen}. */
export const endpointOf = (server: Server) =>
  `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;

/** Closes servers from {@link listen}, dropping their open connections (SSE streams included). */
export async function closeAll(servers: Server[]): Promise<void> {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface RouterBackend {
  store: SessionStore;
  eventStore?: EventStoreFactory | undefined;
  bus: MessageBus;
}

/** `pods` routers sharing one backend (each built by `backend(i)`), as pods behind a balancer. */
export async function serveRouters(pods: number, backend: (pod: number) => RouterBackend): Promise<Served> {
  const routers: McpSessionRouter[] = [];
  const servers: Server[] = [];
  for (let i = 0; i < pods; i++) {
    const router = createMcpSessionRouter({
      ...backend(i),
      processId: `bench-${i}`,
      createServer: () => createBenchServer(),
      keepAliveMs: 0,
    });
    routers.push(router);
    servers.push(await listen((req, res) => void router.handle(req, res)));
  }
  return {
    endpoints: servers.map(endpointOf),
    async close() {
      await Promise.all(routers.map((r) => r.close({ deadlineMs: 1_000 })));
      await closeAll(servers);
    },
  };
}

/** Reads a JSON body (the stock transport takes it pre-parsed or reads it itself). */
async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * One stock SDK process, the SDK documentation's way: a map of transports in memory. With
 * `proposal`, every request first runs the original proposal's external-store algorithm (exists,
 * then the activity update: GET then SETEX) against Redis, as its transport did per request.
 */
export async function serveStock(proposal?: ProposalRedisStore): Promise<Served> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const server = await listen(async (req, res) => {
    try {
      const body = req.method === 'POST' ? await jsonBody(req) : undefined;
      const sessionId = req.headers['mcp-session-id'];
      if (typeof sessionId === 'string') {
        if (proposal && !(await proposal.sessionExists(sessionId))) return void res.writeHead(404).end();
        await proposal?.updateSessionActivity(sessionId);
        const transport = transports.get(sessionId);
        if (!transport) return void res.writeHead(404).end();
        return void (await transport.handleRequest(req, res, body));
      }
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: async (id) => {
          transports.set(id, transport);
          await proposal?.storeSession(id, {
            sessionId: id,
            createdAt: Date.now(),
            lastActivity: Date.now(),
          });
        },
      });
      await createBenchServer().connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    }
  });
  return { endpoints: [endpointOf(server)], close: () => closeAll([server]) };
}

export type { Redis };
