/**
 * The router's options and hooks, shared by both SDK majors: nothing here names an SDK. Each
 * entry point adds how servers are built (`createServer` for SDK 1.x, the factory of
 * `createMcpSessionHandler` for v2) with that SDK's types.
 */
import type { EventStoreFactory } from '../contract/event-store.js';
import type { MessageBus } from '../contract/message-bus.js';
import type { SessionRecord } from '../contract/session-record.js';
import type { SessionStore } from '../contract/session-store.js';
import type { TelemetryOptions } from '../telemetry/telemetry.js';

/** The host names of the loopback interface, for {@link SessionRouterOptions.allowedHosts}. */
export const LOCALHOST_HOSTS: readonly string[] = Object.freeze(['localhost', '127.0.0.1', '[::1]']);

/**
 * What an auth middleware verified about a request: the shape of the SDK's `AuthInfo`, which is
 * the same in SDK 1.x and v2 (either one's value fits here).
 */
export interface RequestAuthInfo {
  /** The access token. */
  token: string;
  /** The OAuth client the token was issued to. */
  clientId: string;
  /** The scopes the token grants. */
  scopes: string[];
  /** When the token expires, in seconds since the epoch. */
  expiresAt?: number | undefined;
  /** The resource (RFC 8707) the token is for. */
  resource?: URL | undefined;
  /** Anything else the verifier attached. */
  extra?: Record<string, unknown> | undefined;
}

/** What the server factory is told about the session it builds a server for. */
export interface SessionContext {
  /** The session id; null for a request of the session-less 2026 protocol. */
  sessionId: string | null;
  /** The authenticated principal (from `principal()`), or null. */
  principal: string | null;
  /** The stored record when an existing session is being brought back on this process. */
  record: SessionRecord | undefined;
  /** True when the session was created on another process (or evicted) and is being restored. */
  rehydrated: boolean;
}

/** What the request carries, for `principal()`. */
export interface PrincipalContext {
  /** The incoming request (headers, URL). */
  request: Request;
  /** The SDK's `AuthInfo` (e.g. set by `requireBearerAuth` as `req.auth`), if any. */
  authInfo: RequestAuthInfo | undefined;
}

/** Observability hooks. They receive full session ids: redact them (`redactSessionId`) before logging. */
export interface RouterHooks {
  /** A client initialized a session on this process (its record is stored). */
  onSessionCreated?(event: { sessionId: string; principal: string | null }): void;
  /** A session created elsewhere (or released here) was brought back on this process. */
  onSessionRehydrated?(event: { sessionId: string; principal: string | null; durationMs: number }): void;
  /** The client deleted a session through this process (every process was told). */
  onSessionDeleted?(event: { sessionId: string }): void;
  /** A session this process held turned out to be expired or deleted elsewhere. */
  onSessionExpired?(event: { sessionId: string }): void;
  /** How long each store call took. */
  onStoreLatency?(event: {
    operation: 'create' | 'get' | 'touch' | 'update' | 'delete';
    durationMs: number;
  }): void;
  /**
   * Errors that were answered with 5xx or happened outside a request (bus delivery, SDK). The
   * session id is full: pass it through `redactSessionId` before logging it. Error messages from
   * the SDK may quote what a client sent (a header value): escape and bound them before they reach
   * a log line, e.g. `JSON.stringify(message.slice(0, 300))`.
   */
  onError?(error: unknown, context: { operation: string; sessionId?: string | undefined }): void;
}

/**
 * The router's options that do not depend on the SDK major: where state lives, who the user is,
 * bounds and hooks. `createMcpSessionRouter` (SDK 1.x) takes them with `createServer`;
 * `createMcpSessionHandler` (SDK v2) takes them beside its server factory.
 */
export interface SessionRouterOptions {
  /** Where session records live (shared by every process). */
  store: SessionStore;
  /** Resumable streams; needed for `Last-Event-ID` resumption and durable GET-stream delivery. */
  eventStore?: EventStoreFactory | undefined;
  /** Routes client answers, cancellations, GET-stream messages and deletions between processes. */
  bus: MessageBus;
  /**
   * The authenticated user of a request. A session only ever answers to the principal that created
   * it; anyone else gets 404, exactly as for an unknown session. Default: none (null).
   */
  principal?: ((context: PrincipalContext) => string | null | Promise<string | null>) | undefined;
  /** This process's id on the bus: 1-64 of `[A-Za-z0-9_-]`. Default: host, pid and a random part. */
  processId?: string | undefined;
  /**
   * Refresh a session's expiry at most once per this fraction of its idle TTL, per process.
   * Default 0.25 (with a 1 h TTL: at most one touch per 15 min of activity).
   */
  touchFraction?: number | undefined;
  /**
   * A session this process holds is checked against the store (one read) when its record was last
   * read or written longer ago than this. Deletions and log levels reach other processes over the
   * bus, which delivers at most once: this bounds how long a process that missed such a message
   * keeps serving a deleted session or an old log level. It cannot be turned off (a positive
   * number of ms); a session found gone is reported through `hooks.onSessionExpired`. While the
   * store is unreachable the process keeps serving what it holds and tries again one interval
   * later. Default 30 000 ms.
   *
   * @example
   * ```ts
   * // A deployment whose bus drops messages more often (e.g. long reconnects): a tighter bound.
   * createMcpSessionRouter({ store, bus, createServer, revalidateAfterMs: 5_000 });
   * ```
   */
  revalidateAfterMs?: number | undefined;
  /**
   * DELETE is answered once every other process has confirmed that it dropped the session (so the
   * next request gets 404 on any pod), or after this long: a process that did not confirm (it
   * died, or the bus lost a message) drops the session within `revalidateAfterMs`, and the delay
   * is reported through `hooks.onError`. Default 5 000 ms.
   */
  deleteConfirmTimeoutMs?: number | undefined;
  /**
   * How often this process tells the others it is up (over the bus). Deletions wait for the
   * processes heard from within three heartbeats; one that closes says so and is not waited for.
   * Default 10 000 ms.
   */
  heartbeatMs?: number | undefined;
  /** Most sessions this process keeps live (LRU). Default 10 000. */
  maxLocalSessions?: number | undefined;
  /** A live session unused this long is released (not deleted). Default 10 min. */
  localIdleMs?: number | undefined;
  /** `Retry-After` of 503 answers, in seconds. Default 2. */
  retryAfterSeconds?: number | undefined;
  /** SSE keep-alive comment interval of GET streams. Default 15 000 ms; 0 disables. */
  keepAliveMs?: number | undefined;
  /** Largest POST body read by `handle()` when none is pre-parsed. Default 4 MiB. */
  maxBodyBytes?: number | undefined;
  /**
   * The `retry` (ms) sent with priming events, telling clients how long to wait before they
   * reconnect a closed stream (SEP-1699, e.g. after `extra.closeSSEStream()`). Default: none sent.
   */
  retryIntervalMs?: number | undefined;
  /**
   * DNS-rebinding protection: the host names (port ignored) a request's `Host` header may carry.
   * Anything else gets 403 before any session is looked up. A server on loopback without TLS or
   * authentication should set {@link LOCALHOST_HOSTS}. Default: every host is accepted.
   *
   * @example
   * ```ts
   * createMcpSessionRouter({ store, bus, createServer, allowedHosts: LOCALHOST_HOSTS });
   * ```
   */
  allowedHosts?: readonly string[] | undefined;
  /** Observability hooks (see {@link RouterHooks}). */
  hooks?: RouterHooks | undefined;
  /**
   * OpenTelemetry traces and metrics (README, "Observability"): a span per routed request, per
   * rehydration, per store / event-store / bus call, and per client message forwarded from another
   * process (linked to the sender's trace); request, store and rehydration durations, live
   * sessions, open streams, forwarded messages and 503s. Through `@opentelemetry/api`, an optional
   * peer dependency: nothing is recorded unless the application registered (or passes here) an
   * OpenTelemetry SDK. Default: the global providers. `false`: off, not even a no-op call.
   *
   * @example
   * ```ts
   * // Register the OpenTelemetry SDK first (its providers become the global ones), then:
   * createMcpSessionHandler(factory, { store, bus });
   * ```
   */
  telemetry?: TelemetryOptions | false | undefined;
}
