/**
 * `@mcp-session-store/core/router`: run an MCP server built on the official SDK on many processes
 * behind any load balancer. Needs `@modelcontextprotocol/sdk` 1.25+ (a peer dependency).
 *
 * @packageDocumentation
 */
export { BROADCAST_CHANNEL, routerInbox } from './bus-messages.js';
export type {
  McpSessionRouterOptions,
  PrincipalContext,
  RouterHooks,
  SessionContext,
} from './options.js';
export { createMcpSessionRouter, type FetchOptions, type McpSessionRouter } from './router.js';
