/**
 * Every span, metric and attribute name this library records, in one place (documented in the
 * README's "Observability" section). Where OpenTelemetry's semantic conventions name a thing (MCP,
 * JSON-RPC, databases, messaging, HTTP, errors), their name is used; the rest is namespaced
 * `mcp_session_store.*`.
 */

/** The instrumentation scope of every tracer and meter (the package name). */
export const INSTRUMENTATION_SCOPE = '@mcp-session-store/core';

/** Span names that are not `{mcp.method.name} {target}` (the convention for a routed request). */
export const SPAN = {
  /** A session created elsewhere (or released here) brought back on this process. */
  rehydrate: 'mcp_session_store.rehydrate',
  /** A client message another process forwarded over the bus, handled on the receiving process. */
  forwardedReceive: 'mcp_session_store.forwarded process',
  /** A POST that carries only the client's answers to server->client requests (no method). */
  clientResponse: 'client response',
  /** A GET (SSE) stream of a 2025 session being set up. */
  getStream: 'GET stream',
  /** A DELETE of a 2025 session. */
  deleteSession: 'DELETE session',
} as const;

/** Attribute keys. */
export const ATTR = {
  // MCP semantic conventions (gen-ai repository, development status).
  mcpMethodName: 'mcp.method.name',
  mcpSessionId: 'mcp.session.id',
  mcpProtocolVersion: 'mcp.protocol.version',
  mcpResourceUri: 'mcp.resource.uri',
  genAiToolName: 'gen_ai.tool.name',
  genAiPromptName: 'gen_ai.prompt.name',
  jsonrpcRequestId: 'jsonrpc.request.id',
  jsonrpcProtocolVersion: 'jsonrpc.protocol.version',
  /** The JSON-RPC error code of an error answer (as a string). */
  rpcResponseStatusCode: 'rpc.response.status_code',
  /** `execute_tool` on a `tools/call`. */
  genAiOperationName: 'gen_ai.operation.name',
  networkTransport: 'network.transport',
  networkProtocolName: 'network.protocol.name',
  // HTTP, errors.
  httpRequestMethod: 'http.request.method',
  httpResponseStatusCode: 'http.response.status_code',
  errorType: 'error.type',
  // Database client conventions (store and event-store calls).
  dbSystemName: 'db.system.name',
  dbOperationName: 'db.operation.name',
  dbCollectionName: 'db.collection.name',
  // Messaging conventions (the bus).
  messagingSystem: 'messaging.system',
  messagingOperationName: 'messaging.operation.name',
  messagingOperationType: 'messaging.operation.type',
  // This library's own.
  /** The process (pod) that served: the router's `processId`. */
  processId: 'mcp_session_store.process.id',
  /** `2025` (sessions: 2025-11-25 and earlier) or `2026` (session-less: 2026-07-28 on). */
  era: 'mcp_session_store.era',
  /**
   * How the session was found: `new` (initialize), `local` (held here), `rehydrated` (brought
   * back), `store` (read from the store, not brought back: a GET stream, a DELETE, a POST of
   * client answers only).
   */
  sessionSource: 'mcp_session_store.session.source',
  /** `session_store`, `event_store`, `bus` or `claim_store`. */
  component: 'mcp_session_store.component',
  /** The adapter's package name, e.g. `@mcp-session-store/redis`. */
  adapter: 'mcp_session_store.adapter',
  /** What a forwarded client message is: `response`, `cancellation` or `notification`. */
  forwardedKind: 'mcp_session_store.forwarded.kind',
  /** `sent` or `received`. */
  direction: 'mcp_session_store.direction',
  /** `get` (a 2025 GET stream) or `listen` (a 2026-07-28 `subscriptions/listen` stream). */
  streamKind: 'mcp_session_store.stream.kind',
  /** Why a 503 was answered: `backend_unavailable` (a store or bus outage), `closed` (the handler finished draining) or `event_store` (an event-store write failed). */
  unavailableCause: 'mcp_session_store.unavailable.cause',
  /** `ok` or `error`: whether a rehydration succeeded. */
  outcome: 'mcp_session_store.outcome',
} as const;

/** Metric names. Durations are histograms in seconds, as the conventions ask. */
export const METRIC = {
  /** MCP convention: a request as seen by the server, until its answer (or its stream) is done. */
  serverOperationDuration: 'mcp.server.operation.duration',
  /** Database convention: each store / event-store / claim-store call, by operation. */
  dbOperationDuration: 'db.client.operation.duration',
  /** Messaging convention: each bus publish. */
  messagingOperationDuration: 'messaging.client.operation.duration',
  /** Sessions this process holds live (gauge). */
  localSessions: 'mcp_session_store.sessions.local',
  /** Sessions brought back on this process (counter), by outcome. */
  rehydrations: 'mcp_session_store.session.rehydrations',
  /** Rehydration time (histogram, seconds). */
  rehydrationDuration: 'mcp_session_store.session.rehydration.duration',
  /** Client messages forwarded between processes (counter), by kind and direction. */
  forwardedMessages: 'mcp_session_store.bus.forwarded_messages',
  /** Open GET and listen streams on this process (gauge), by stream kind. */
  openStreams: 'mcp_session_store.streams.open',
  /** 503 answers (counter), by cause. */
  unavailable: 'mcp_session_store.http.unavailable',
} as const;
