/**
 * `@mcp-session-store/core/router`: run an MCP server built on the official SDK on many processes
 * behind any load balancer. Needs `@modelcontextprotocol/sdk` 1.30+ (a peer dependency; 1.30 is the first that stores a stream's events after its client disconnected, which resuming on another process needs).
 *
 * @packageDocumentation
 */

export {
  fromLegacySessionStore,
  isLegacySessionStore,
  type LegacySessionStore,
  type LegacySessionStoreOptions,
  type SessionData,
} from '../compat/legacy-session-store.js';
export {
  type SessionStorageMode,
  StreamableHTTPServerTransport,
  type StreamableHTTPServerTransportOptions,
} from '../compat/streamable-http-transport.js';
export {
  LOCALHOST_HOSTS,
  type McpSessionRouterOptions,
  type PrincipalContext,
  type RouterHooks,
  type SessionContext,
} from './options.js';
export { createMcpSessionRouter, type FetchOptions, type McpSessionRouter } from './router.js';
