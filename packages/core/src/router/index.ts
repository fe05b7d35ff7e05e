/**
 * `@mcp-session-store/core/router`: run an MCP server built on `@modelcontextprotocol/sdk` 1.x on
 * many processes behind any load balancer. Needs `@modelcontextprotocol/sdk` 1.30+ (an optional
 * peer dependency; 1.30 is the first that stores a stream's events after its client disconnected,
 * which resuming on another process needs). For `@modelcontextprotocol/server` 2.x, import from
 * `@mcp-session-store/core/v2` instead.
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
  createGracefulShutdown,
  type Drainable,
  type GracefulShutdown,
  type GracefulShutdownOptions,
  type ShutdownPhase,
} from '../shutdown/graceful-shutdown.js';
export {
  ATTR as TELEMETRY_ATTRIBUTES,
  INSTRUMENTATION_SCOPE as TELEMETRY_SCOPE,
  METRIC as TELEMETRY_METRICS,
  SPAN as TELEMETRY_SPANS,
} from '../telemetry/names.js';
export type { MeterProviderLike, TelemetryOptions, TracerProviderLike } from '../telemetry/telemetry.js';
export {
  LOCALHOST_HOSTS,
  type PrincipalContext,
  type RequestAuthInfo,
  type RouterHooks,
  type SessionContext,
  type SessionRouterOptions,
} from './options.js';
export type { FetchOptions, McpSessionRouter } from './router.js';
export { createMcpSessionRouter, type McpSessionRouterOptions } from './sdk1-router.js';
