/**
 * `@mcp-session-store/core/v2`: run an MCP server built on `@modelcontextprotocol/server` 2.x
 * (SDK v2) on many processes behind any load balancer, for 2025 session clients; and
 * `createRequestStateCodec` for 2026-07-28 `requestState` across pods. Needs
 * `@modelcontextprotocol/server` 2.4+ (an optional peer dependency). For
 * `@modelcontextprotocol/sdk` 1.x, import from `@mcp-session-store/core/router` instead.
 * For 2026-07-28 clients: `createServerEventBus` (listen streams across pods) and
 * `createStateHandles` (explicit state handles across tool calls, any pod).
 *
 * @packageDocumentation
 */

export {
  defaultRequestBinding,
  defaultRequestStatePrincipal,
  type RequestStateContext,
} from '../request-state/binding.js';
export {
  createRequestStateCodec,
  DEFAULT_REQUEST_STATE_TTL_SECONDS,
  REQUEST_STATE_CLAIM_MARGIN_MS,
  type RequestStateCodec,
  type RequestStateCodecOptions,
} from '../request-state/codec.js';
export {
  isRequestStateError,
  RequestStateError,
  type RequestStateFailure,
} from '../request-state/errors.js';
export {
  LOCALHOST_HOSTS,
  type PrincipalContext,
  type RequestAuthInfo,
  type RouterHooks,
  type SessionContext,
  type SessionRouterOptions,
} from '../router/options.js';
export {
  createMcpDualEraHandler,
  type McpDualEraHandler,
  type McpDualEraHandlerOptions,
} from '../router/sdk2-dual-era-handler.js';
export {
  createMcpSessionHandler,
  type McpSessionContext,
  type McpSessionHandler,
  type McpSessionHandlerOptions,
  type McpSessionServerFactory,
} from '../router/sdk2-handler.js';
export {
  createServerEventBus,
  type ServerEvent,
  type ServerEventBusOptions,
  type SharedServerEventBus,
} from '../server-events/server-event-bus.js';
export {
  createGracefulShutdown,
  type Drainable,
  type GracefulShutdown,
  type GracefulShutdownOptions,
  type ShutdownPhase,
} from '../shutdown/graceful-shutdown.js';
export {
  DEFAULT_STATE_HANDLE_PREFIX,
  STATE_HANDLE_PREFIX_PATTERN,
} from '../state-handles/handle-format.js';
export {
  createStateHandles,
  isStateHandleRecord,
  STATE_HANDLE_RECORD_MARKER,
  type StateHandleEntry,
  type StateHandleRetryOptions,
  type StateHandles,
  type StateHandlesOptions,
  type StateHandleUpdateOptions,
  type StateHandleUpdater,
} from '../state-handles/state-handles.js';
export {
  ATTR as TELEMETRY_ATTRIBUTES,
  INSTRUMENTATION_SCOPE as TELEMETRY_SCOPE,
  METRIC as TELEMETRY_METRICS,
  SPAN as TELEMETRY_SPANS,
} from '../telemetry/names.js';
export type { MeterProviderLike, TelemetryOptions, TracerProviderLike } from '../telemetry/telemetry.js';
