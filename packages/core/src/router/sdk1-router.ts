/**
 * The router for servers built on `@modelcontextprotocol/sdk` 1.x: the routing of router.ts with
 * the SDK 1.x binding. Its entry point is `@mcp-session-store/core/router`.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { SessionContext, SessionRouterOptions } from './options.js';
import { type McpSessionRouter, Router } from './router.js';
import { sdk1Binding } from './sdk1-binding.js';

/** Options of {@link createMcpSessionRouter}. */
export interface McpSessionRouterOptions extends SessionRouterOptions {
  /** Builds the server for one session: your `McpServer` (or low-level `Server`) with its tools. */
  createServer: (session: SessionContext) => McpServer | Server | Promise<McpServer | Server>;
}

/**
 * Serves an MCP server built on `@modelcontextprotocol/sdk` 1.x from any number of processes
 * behind any load balancer, with no sticky sessions: sessions live in `store`, any process
 * rehydrates them, and server->client traffic crosses processes over `bus` (and `eventStore` for
 * streams). For `@modelcontextprotocol/server` 2.x, use `createMcpSessionHandler` from
 * `@mcp-session-store/core/v2`.
 *
 * @example node:http / Express / Fastify
 * ```ts
 * const router = createMcpSessionRouter({ store, eventStore, bus, createServer: () => buildMyServer() });
 * app.all('/mcp', (req, res) => router.handle(req, res, req.body));
 * ```
 * @example Hono / web runtimes
 * ```ts
 * app.all('/mcp', (c) => router.fetch(c.req.raw));
 * ```
 */
export function createMcpSessionRouter(options: McpSessionRouterOptions): McpSessionRouter {
  return new Router<McpServer | Server>(options, sdk1Binding);
}
