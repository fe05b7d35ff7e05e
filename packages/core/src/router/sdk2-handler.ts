/**
 * The router for servers built on `@modelcontextprotocol/server` 2.x (SDK v2), shaped like the
 * SDK's own `createMcpHandler`: a server factory taking `ctx`, and a handler with `fetch` and
 * `close`. Its entry point is `@mcp-session-store/core/v2`.
 */
import type {
  AuthInfo,
  McpHandlerRequestOptions,
  McpRequestContext,
  McpServer,
  Server,
} from '@modelcontextprotocol/server';
import { SessionStoreError } from '../errors.js';
import type { SessionContext, SessionRouterOptions } from './options.js';
import { type McpSessionRouter, Router, type RouterOptions } from './router.js';
import { sdk2Binding } from './sdk2-binding.js';

/**
 * What the server factory of {@link createMcpSessionHandler} is told: v2's own
 * `McpRequestContext` (`era`, `authInfo`, `requestInfo`), plus the session it builds a server
 * for. A factory written for v2's `createMcpHandler` takes it unchanged.
 */
export interface McpSessionContext extends McpRequestContext, SessionContext {
  /**
   * `'legacy'` for a 2025 session (the server lives as long as the session is held here);
   * `'modern'` for one session-less 2026-07-28 request (`sessionId` null).
   */
  era: 'legacy' | 'modern';
  /** The `authInfo` of the request that made this process build the server, if any. */
  authInfo?: AuthInfo;
  /**
   * The request that made this process build the server: the session's `initialize`, or the
   * request that brought the session back here. Per-request data belongs to `ctx.http` in handlers.
   */
  requestInfo?: Request;
}

/** Builds the server for one session: your v2 `McpServer` (or low-level `Server`). */
export type McpSessionServerFactory = (
  ctx: McpSessionContext,
) => McpServer | Server | Promise<McpServer | Server>;

/** Options of {@link createMcpSessionHandler}: where state lives, who the user is, bounds, hooks. */
export interface McpSessionHandlerOptions extends SessionRouterOptions {}

/** What {@link createMcpSessionHandler} returns: `fetch` as v2's handlers have it, `handle` for node:http. */
export interface McpSessionHandler extends McpSessionRouter {
  /**
   * Answers one request (Hono, web runtimes, or v2's `toNodeHandler` from
   * `@modelcontextprotocol/node` for node:http, Express and Fastify).
   */
  fetch(request: Request, options?: McpHandlerRequestOptions): Promise<Response>;
}

/**
 * Serves an MCP server built on `@modelcontextprotocol/server` 2.x from any number of processes
 * behind any load balancer, with no sticky sessions, for 2025 session clients: sessions live in
 * `store`, any process rehydrates them, and server->client requests (including those v2's legacy
 * shim sends for an `inputRequired(...)` handler) are answered through whichever process the
 * client's answer reaches. For `@modelcontextprotocol/sdk` 1.x, use `createMcpSessionRouter` from
 * `@mcp-session-store/core/router`.
 *
 * @param factory - builds the server of one session, as for v2's `createMcpHandler`.
 * @param options - the store, bus and event store every process shares, and the router's bounds.
 * @throws SessionStoreError `INVALID_ARGUMENT` when the factory, store or bus is missing or an option is out of range.
 * @example Express, with v2's own middleware packages
 * ```ts
 * import { createMcpExpressApp } from '@modelcontextprotocol/express';
 * import { toNodeHandler } from '@modelcontextprotocol/node';
 * import { createMcpSessionHandler } from '@mcp-session-store/core/v2';
 *
 * const handler = createMcpSessionHandler(() => buildServer(), { store, eventStore, bus });
 * const node = toNodeHandler(handler);
 * const app = createMcpExpressApp();
 * app.all('/mcp', (req, res) => void node(req, res, req.body));
 * ```
 * @example Hono / web runtimes
 * ```ts
 * app.all('/mcp', (c) => handler.fetch(c.req.raw));
 * ```
 */
export function createMcpSessionHandler(
  factory: McpSessionServerFactory,
  options: McpSessionHandlerOptions,
): McpSessionHandler {
  if (typeof factory !== 'function') {
    throw new SessionStoreError('INVALID_ARGUMENT', 'createMcpSessionHandler needs a server factory');
  }
  return new Router<McpServer | Server>(sdk2RouterOptions(factory, options), sdk2Binding);
}

/** The router's options for a v2 server factory: what the factory is told about each session. */
export function sdk2RouterOptions(
  factory: McpSessionServerFactory,
  options: McpSessionHandlerOptions,
): RouterOptions<McpServer | Server> {
  return {
    ...options,
    createServer: (session, origin) =>
      factory({
        ...session,
        era: session.sessionId === null ? 'modern' : 'legacy',
        ...(origin.authInfo && { authInfo: origin.authInfo as AuthInfo }),
        requestInfo: origin.request,
      }),
  };
}
