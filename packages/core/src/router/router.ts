import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import type { EventStoreFactory } from '../contract/event-store.js';
import type { MessageBus, Unsubscribe } from '../contract/message-bus.js';
import type { SessionRecord } from '../contract/session-record.js';
import type { SessionStore } from '../contract/session-store.js';
import { isSessionStoreError, SessionStoreError } from '../errors.js';
import type { JsonValue } from '../json.js';
import { generateSessionId, isValidSessionId } from '../session-id.js';
import { isStateHandleRecord } from '../state-handles/state-handles.js';
import {
  instrumentBus,
  instrumentEventStore,
  instrumentSessionStore,
} from '../telemetry/instrumented-backends.js';
import { SPAN } from '../telemetry/names.js';
import { type ForwardedKind, type RequestTrace, Telemetry } from '../telemetry/telemetry.js';
import { BODY_DONE_SLOT, onBodyDone, type WithBodyDoneSlot } from './body-done.js';
import {
  BROADCAST_CHANNEL,
  type OutgoingRouterMessage,
  parseRouterMessage,
  routerInbox,
} from './bus-messages.js';
import { PendingDeletions, Tombstones } from './deletions.js';
import { hostValidator } from './host-validation.js';
import { accepted, badRequest, jsonRpcError, serviceUnavailable, sessionNotFound } from './http-responses.js';
import {
  initializeRequestOf,
  isNotification,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  messagesOf,
} from './jsonrpc.js';
import { type LocalSession, LocalSessions } from './local-sessions.js';
import { serveNodeRequest } from './node-http.js';
import type { RequestAuthInfo, RouterHooks, SessionContext, SessionRouterOptions } from './options.js';
import { Peers } from './peers.js';
import { REQUEST_TRACE_SLOT, serveTraced, type WithRequestTrace } from './request-tracing.js';
import type { SdkBinding, SessionTransport } from './sdk-binding.js';
import {
  applyLogLevel,
  negotiatedProtocolVersion,
  type ProtocolVersions,
  rehydrateSession,
} from './sdk-rehydration.js';
import { GET_STREAM_ID, routerEventStore } from './session-event-store.js';
import { SseStream } from './sse-stream.js';
import { ownerOfWireId, WireIdRegistry, wireIdOf } from './wire-ids.js';

/** Store reads `notifyHeldStreams` makes at once for a resource update (one per held stream). */
export const NOTIFY_READ_CONCURRENCY = 32;

/** The SSE `retry` a draining process ends GET streams with: the client reconnects that soon. */
const DRAIN_RETRY_MS = 1_000;

/** The last protocol revision with sessions; later ones (2026-07-28 on) are session-less. */
const LAST_SESSION_PROTOCOL = '2025-11-25';

/** True for a request of a session-less protocol revision, which goes to the SDK unchanged. */
function isSessionless(request: Request): boolean {
  const version = request.headers.get('mcp-protocol-version');
  return version !== null && version > LAST_SESSION_PROTOCOL;
}
const PROCESS_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** What a forwarded client message is, for its span and counter. */
function forwardedKindOf(message: JSONRPCMessage): ForwardedKind {
  if (isResponse(message)) return 'response';
  return isNotification(message) && message.method === 'notifications/cancelled'
    ? 'cancellation'
    : 'notification';
}

/**
 * 400 for an `MCP-Protocol-Version` the SDK does not support, as the spec requires of every
 * request after initialize (absent: fine). The SDK checks POSTs itself; GET streams and DELETE are
 * answered by the router, so it checks them here.
 */
function unsupportedProtocolVersion(request: Request, versions: ProtocolVersions): Response | undefined {
  const version = request.headers.get('mcp-protocol-version');
  if (version === null || versions.supported.includes(version)) return undefined;
  return badRequest(`Unsupported protocol version (supported versions: ${versions.supported.join(', ')})`);
}

/** Options of one request handled through {@link McpSessionRouter.fetch}. */
export interface FetchOptions {
  /** The SDK `AuthInfo` of the request, if your auth middleware produced one. */
  authInfo?: RequestAuthInfo | undefined;
  /** The JSON body, if a framework already parsed it. */
  parsedBody?: unknown;
}

/** The request that made this process build a server (a new session, or one brought back). */
export interface ServerOrigin {
  request: Request;
  authInfo: RequestAuthInfo | undefined;
}

/** The router's options with how it builds servers: what each SDK entry point passes in. */
export interface RouterOptions<TServer> extends SessionRouterOptions {
  /**
   * Builds the server for one session, or for one session-less request (`sessionId` null).
   * `origin` is the request that made this process build it.
   */
  createServer: (session: SessionContext, origin: ServerOrigin) => TServer | Promise<TServer>;
  /**
   * Keep each session's `resources/subscribe` URIs in its record (see
   * {@link resourceSubscriptionKey}) once the server has accepted them (a refused subscribe records
   * nothing), so that {@link Router.notifyHeldStreams} can tell, on any process, which sessions
   * asked for a resource's updates. The keys count towards the store's `maxRecordBytes`. The
   * dual-era handler sets it.
   */
  trackResourceSubscriptions?: boolean | undefined;
}

/**
 * The record metadata key that marks a session subscribed to `uri` (with
 * `trackResourceSubscriptions`). One key per URI: concurrent subscribes on two processes never
 * overwrite each other (updates merge by key).
 */
export const resourceSubscriptionKey = (uri: string): string => `mcpss:resource-subscription:${uri}`;

/** What `createMcpSessionRouter` (SDK 1.x) and `createMcpSessionHandler` (SDK v2) return. */
export interface McpSessionRouter {
  /** This process's id on the bus. */
  readonly processId: string;
  /** For node:http, Express and Fastify: `router.handle(req, res, req.body)`. */
  handle(
    req: IncomingMessage & { auth?: RequestAuthInfo | undefined },
    res: ServerResponse,
    parsedBody?: unknown,
  ): Promise<void>;
  /** For Hono and web runtimes: `(request) => Response`. */
  fetch(request: Request, options?: FetchOptions): Promise<Response>;
  /** How many sessions this process holds live right now. */
  readonly localSessionCount: number;
  /** How many GET streams this process is feeding right now (set up and delivering). */
  readonly openStreamCount: number;
  /**
   * Drains: ends GET streams with an SSE `retry` hint so clients resume elsewhere (a GET arriving
   * meanwhile gets a stream that ends at once with the same hint; a new session is still served:
   * its record is in the store, any process serves its next request), waits for in-flight
   * requests up to `deadlineMs`, then releases every session (they stay in the store), leaves the
   * bus and answers 503 to whatever still comes. Call it once the balancer stopped sending this
   * process requests: `createGracefulShutdown` does.
   */
  close(options?: { deadlineMs?: number }): Promise<void>;
  /**
   * Ends one session for good, as a client's DELETE would, from wherever your code runs (an admin
   * action, a user whose access was withdrawn): its record and events are deleted, and once this
   * resolves no pod serves it any more (same guarantee and fallback as DELETE, see
   * `deleteConfirmTimeoutMs`). Resolves with whether a live session was deleted.
   *
   * @throws SessionStoreError `INVALID_SESSION_ID` for a malformed id; the store's errors as they are.
   * @example
   * ```ts
   * await router.endSession(sessionId);
   * ```
   */
  endSession(sessionId: string): Promise<boolean>;
  /**
   * Ends every session of `principal` (listed by the store, without a scan), with the guarantee of
   * {@link endSession} for each. Sessions the principal creates meanwhile are not included: stop
   * new ones first (e.g. in `principal()`). Resolves with how many were deleted.
   *
   * @throws SessionStoreError `INVALID_ARGUMENT` when the store cannot list by principal
   *   (`capabilities.listByPrincipal` false); the store's errors as they are.
   * @example
   * ```ts
   * // The user's access was withdrawn: no pod serves any of their sessions once this resolves.
   * const ended = await router.endSessionsOf('user-42');
   * ```
   */
  endSessionsOf(principal: string): Promise<number>;
}

function defaultProcessId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9_-]/g, '')
      .slice(0, 32) || 'host';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

function positive(
  name: string,
  value: number | undefined,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0 || v > max) {
    throw new SessionStoreError('INVALID_ARGUMENT', `${name} must be a positive number (at most ${max})`);
  }
  return v;
}

/**
 * The routing, written once for both SDK majors: it drives the SDK only through `sdk` (see
 * sdk-binding.ts) and never imports one.
 */
export class Router<TServer> implements McpSessionRouter {
  readonly processId: string;
  private readonly store: SessionStore;
  private readonly eventStore: EventStoreFactory | undefined;
  private readonly bus: MessageBus;
  private readonly options: RouterOptions<TServer>;
  private readonly hooks: RouterHooks;
  private readonly wireIds: WireIdRegistry;
  private readonly locals: LocalSessions<TServer>;
  /** Sessions being brought back on this process: concurrent requests share one rehydration. */
  private readonly restoring = new Map<string, Promise<LocalSession<TServer>>>();
  /** Held sessions being read again (see `revalidateAfterMs`): one read however many requests wait. */
  private readonly revalidating = new Map<string, Promise<boolean>>();
  /**
   * `resources/subscribe` and `unsubscribe` requests being served here, by session and request id
   * (with `trackResourceSubscriptions`): recorded in the store when the server answers with a result.
   */
  private readonly pendingSubscriptions = new Map<string, Map<string, { uri: string; subscribe: boolean }>>();
  /** The GET streams this process writes, by session. */
  private readonly getStreams = new Map<string, Set<SseStream>>();
  private readonly touchFraction: number;
  private readonly revalidateAfterMs: number;
  private readonly retryAfterSeconds: number;
  private readonly keepAliveMs: number;
  private readonly maxBodyBytes: number;
  private readonly retryIntervalMs: number | undefined;
  private readonly hostAllowed: ((request: Request) => boolean) | undefined;
  private readonly sweeper: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  /** The other processes, which must confirm a deletion before DELETE is answered. */
  private readonly peers: Peers;
  private readonly tombstones: Tombstones;
  private readonly pendingDeletions = new PendingDeletions();
  /** Deletions waiting for the other processes' confirmation (a drain lets them finish). */
  private terminating = 0;
  private readonly deleteConfirmTimeoutMs: number;
  /** New each time this process starts (see `Peers.seen`). */
  private readonly incarnation = randomBytes(6).toString('base64url');
  /** The bus subscriptions, made on first use and retried by the next request if they failed. */
  private subscribing: Promise<Unsubscribe[]> | undefined;
  /** `subscribing` has settled successfully (read on every request, without awaiting it). */
  private isSubscribed = false;
  private draining = false;
  private closed = false;
  /** GET streams set up and delivering (for `openStreamCount`). */
  private liveStreams = 0;
  /** Traces and metrics (`telemetry` option); the dual-era handler records its modern requests here too. */
  readonly telemetry: Telemetry;
  /** Stops the gauges this router reports (on close). */
  private readonly stopGauges: Array<() => void>;

  constructor(
    options: RouterOptions<TServer>,
    /** The SDK major the user's servers are built with. */
    private readonly sdk: SdkBinding<TServer>,
  ) {
    if (!options?.store || !options.bus || typeof options.createServer !== 'function') {
      throw new SessionStoreError('INVALID_ARGUMENT', 'store, bus and createServer are required');
    }
    this.options = options;
    this.hooks = options.hooks ?? {};
    this.processId = options.processId ?? defaultProcessId();
    if (!PROCESS_ID.test(this.processId)) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'processId must be 1-64 characters of [A-Za-z0-9_-]');
    }
    // On metric points only an id the application chose: a generated one changes at each restart.
    this.telemetry = Telemetry.create(options.telemetry, this.processId, options.processId !== undefined);
    this.store = instrumentSessionStore(options.store, this.telemetry);
    this.eventStore = options.eventStore && instrumentEventStore(options.eventStore, this.telemetry);
    this.bus = instrumentBus(options.bus, this.telemetry);
    this.touchFraction = positive('touchFraction', options.touchFraction, 0.25, 1);
    this.revalidateAfterMs = positive('revalidateAfterMs', options.revalidateAfterMs, 30_000);
    this.retryAfterSeconds = positive('retryAfterSeconds', options.retryAfterSeconds, 2);
    this.keepAliveMs = options.keepAliveMs ?? 15_000;
    this.maxBodyBytes = positive('maxBodyBytes', options.maxBodyBytes, 4 * 1024 * 1024);
    this.retryIntervalMs =
      options.retryIntervalMs === undefined
        ? undefined
        : positive('retryIntervalMs', options.retryIntervalMs, 0);
    this.hostAllowed = hostValidator(options.allowedHosts);
    const localIdleMs = positive('localIdleMs', options.localIdleMs, 10 * 60_000);
    this.wireIds = new WireIdRegistry(this.processId);
    this.locals = new LocalSessions(
      positive('maxLocalSessions', options.maxLocalSessions, 10_000),
      localIdleMs,
      (session) => session.inflight > 0 || (this.getStreams.get(session.id)?.size ?? 0) > 0,
      (session) => void this.release(session),
    );
    this.sweeper = setInterval(() => this.locals.sweepIdle(), Math.min(localIdleMs, 60_000));
    this.sweeper.unref();
    const heartbeatMs = positive('heartbeatMs', options.heartbeatMs, 10_000);
    this.peers = new Peers(this.processId, 3 * heartbeatMs);
    this.deleteConfirmTimeoutMs = positive('deleteConfirmTimeoutMs', options.deleteConfirmTimeoutMs, 5_000);
    // Long enough for a rehydration that read a record just before its deletion to finish.
    this.tombstones = new Tombstones(Math.max(this.revalidateAfterMs, 60_000));
    this.heartbeat = setInterval(() => void this.announce('alive'), heartbeatMs);
    this.heartbeat.unref();
    this.stopGauges = [
      this.telemetry.observe('local_sessions', () => this.locals.size),
      this.telemetry.observe('get_streams', () => this.liveStreams),
    ];
    void this.subscribed().catch(() => {}); // subscribe now; a failure is retried on demand
  }

  /**
   * The bus subscriptions (this process's inbox and the broadcast channel). A failure is reported,
   * forgotten (so the next request tries again) and undone (no half-subscribed state).
   */
  private subscribed(): Promise<Unsubscribe[]> {
    this.subscribing ??= (async () => {
      const results = await Promise.allSettled([
        this.bus.subscribe(routerInbox(this.processId), (payload) => this.onBusMessage(payload)),
        this.bus.subscribe(BROADCAST_CHANNEL, (payload) => this.onBusMessage(payload)),
      ]);
      const failed = results.find((r) => r.status === 'rejected');
      if (!failed) {
        // Before the first request is served: the others wait for this process on deletions.
        await this.announce('alive');
        this.isSubscribed = true;
        return results.map((r) => (r as PromiseFulfilledResult<Unsubscribe>).value);
      }
      for (const r of results) if (r.status === 'fulfilled') await r.value().catch(() => {});
      this.subscribing = undefined;
      this.hooks.onError?.(failed.reason, { operation: 'bus subscribe' });
      throw failed.reason;
    })();
    return this.subscribing;
  }

  /** Tells the other processes this one is up (or leaving); a failure is reported, not thrown. */
  private async announce(type: 'alive' | 'leaving'): Promise<void> {
    const message = type === 'alive' ? { type, incarnation: this.incarnation } : { type };
    await this.publish(BROADCAST_CHANNEL, message).catch((error: unknown) => {
      this.hooks.onError?.(error, { operation: `bus ${type}` });
    });
  }

  get localSessionCount(): number {
    return this.locals.size;
  }

  get openStreamCount(): number {
    return this.liveStreams;
  }

  async handle(
    req: IncomingMessage & { auth?: RequestAuthInfo | undefined },
    res: ServerResponse,
    parsedBody?: unknown,
  ): Promise<void> {
    const onError = (error: unknown) => this.hooks.onError?.(error, { operation: 'handle' });
    await serveNodeRequest(
      req,
      res,
      { parsedBody, maxBodyBytes: this.maxBodyBytes, onError },
      (request, body, slot) =>
        this.fetch(request, { authInfo: req.auth, parsedBody: body, [BODY_DONE_SLOT]: slot } as FetchOptions),
    );
  }

  // Not async: without a span, `route`'s promise is returned as it is (no extra microtask turns).
  fetch(request: Request, options: FetchOptions = {}): Promise<Response> {
    // A span the caller started (the dual-era handler) is theirs to end; null: it decided on none.
    const given = (options as WithRequestTrace)[REQUEST_TRACE_SLOT];
    if (given !== undefined) return this.route(request, options, given ?? undefined);
    if (!this.telemetry.enabled) return this.route(request, options, undefined);
    const trace = this.telemetry.startRequest(request, isSessionless(request) ? '2026' : '2025');
    if (!trace) return this.route(request, options, undefined);
    return serveTraced(trace, request, options, () => this.route(request, options, trace));
  }

  private async route(
    request: Request,
    options: FetchOptions,
    trace: RequestTrace | undefined,
  ): Promise<Response> {
    try {
      if (this.hostAllowed && !this.hostAllowed(request)) {
        return jsonRpcError(403, -32000, 'Forbidden: Host header not allowed');
      }
      if (this.closed) return this.unavailable('closed');
      // Awaited only until the subscriptions stand: every await is a turn of the microtask queue
      // on the hot path, where the stock SDK has none of this.
      if (!this.isSubscribed) await this.subscribed();
      const principal = this.options.principal
        ? ((await this.options.principal({ request, authInfo: options.authInfo })) ?? null)
        : null;
      const sessionId = request.headers.get('mcp-session-id');
      switch (request.method) {
        case 'POST':
          return await this.post(request, sessionId, principal, options, trace);
        case 'GET':
          if (sessionId !== null) return await this.get(request, sessionId, principal, trace);
          return isSessionless(request)
            ? await this.stateless(request, principal, options)
            : badRequest('Mcp-Session-Id header is required');
        case 'DELETE':
          return sessionId === null
            ? badRequest('Mcp-Session-Id header is required')
            : await this.delete(request, sessionId, principal, trace);
        default:
          return new Response(null, { status: 405, headers: { allow: 'GET, POST, DELETE' } });
      }
    } catch (error) {
      return this.failure(error, 'request');
    }
  }

  async close(options: { deadlineMs?: number } = {}): Promise<void> {
    this.draining = true;
    for (const streams of this.getStreams.values())
      for (const stream of streams) stream.close(DRAIN_RETRY_MS);
    const deadline = Date.now() + (options.deadlineMs ?? 10_000);
    while ((this.locals.all().some((s) => s.inflight > 0) || this.terminating > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // From now on every request gets 503: nothing may rehydrate into a closing router.
    this.closed = true;
    for (const stop of this.stopGauges) stop();
    clearInterval(this.sweeper);
    clearInterval(this.heartbeat);
    await Promise.allSettled([...this.restoring.values()]);
    for (const session of this.locals.all()) {
      this.locals.remove(session.id);
      await this.release(session);
    }
    const subscriptions = this.subscribing ? await this.subscribing.catch(() => []) : [];
    if (subscriptions.length > 0) await this.announce('leaving');
    await Promise.allSettled(subscriptions.map((off) => off()));
  }

  // --- POST -------------------------------------------------------------------------------------

  private async post(
    request: Request,
    sessionId: string | null,
    principal: string | null,
    options: FetchOptions,
    trace: RequestTrace | undefined,
  ): Promise<Response> {
    let body = options.parsedBody;
    if (body === undefined) {
      try {
        body = await request.json();
      } catch {
        return jsonRpcError(400, -32700, 'Parse error: Invalid JSON');
      }
    }
    const messages = messagesOf(body);
    if (!messages) return jsonRpcError(400, -32600, 'Invalid Request: not a JSON-RPC message');
    trace?.describe(messages.find((m) => 'method' in m) ?? messages[0]);

    if (sessionId === null) {
      const init = initializeRequestOf(messages);
      if (init) return this.initialize(request, body, init, principal, options, trace);
      // The session-less protocol (2026-07-28 on) goes straight to the SDK; for a session protocol
      // a missing header is the client's mistake.
      if (!isSessionless(request)) return badRequest('Mcp-Session-Id header is required');
      return this.stateless(request, principal, { ...options, parsedBody: body });
    }
    if (initializeRequestOf(messages)) return badRequest('initialize must not carry an Mcp-Session-Id');

    const found = this.heldAndFresh(sessionId, principal) ?? (await this.resolve(sessionId, principal));
    if (!found) return sessionNotFound();
    const { record } = found;

    const local: JSONRPCMessage[] = [];
    for (const message of messages) {
      const wireId = wireIdOf(message);
      if (wireId !== undefined) {
        const owner = ownerOfWireId(wireId)!;
        if (owner === this.processId) {
          const mapped = this.wireIds.incoming(record.id, message);
          if (mapped) local.push(mapped);
        } else {
          // The client's answer to a request another process is awaiting: forward it there.
          await this.publish(routerInbox(owner), { type: 'client-message', sessionId: record.id, message });
          this.telemetry.forwardedSent(forwardedKindOf(message));
        }
        continue;
      }
      if (isNotification(message) && message.method === 'notifications/cancelled') {
        // The cancelled request may run on any process: tell them all (the SDK ignores unknown ids).
        await this.publish(BROADCAST_CHANNEL, { type: 'client-message', sessionId: record.id, message });
        this.telemetry.forwardedSent('cancellation');
      }
      if (isRequest(message) && message.method === 'logging/setLevel') {
        const level = (message.params as { level?: unknown } | undefined)?.level;
        if (typeof level === 'string') await this.persistLogLevel(found, level);
      }
      if (
        this.options.trackResourceSubscriptions &&
        isRequest(message) &&
        (message.method === 'resources/subscribe' || message.method === 'resources/unsubscribe')
      ) {
        // Recorded once the server has accepted it (its answer goes out through `routeOutgoing`).
        const uri = (message.params as { uri?: unknown } | undefined)?.uri;
        if (typeof uri === 'string') {
          const pending = this.pendingSubscriptions.get(record.id) ?? new Map();
          pending.set(String(message.id), { uri, subscribe: message.method === 'resources/subscribe' });
          this.pendingSubscriptions.set(record.id, pending);
        }
      }
      local.push(message);
    }
    if (local.length === 0) {
      trace?.session(record.id, found.local ? 'local' : 'store');
      return accepted();
    }

    // Looked up again: the awaits above may have let the LRU or a deletion release it. A session
    // released meanwhile is read again from the store: it may have been deleted.
    let session = this.locals.get(record.id);
    if (!session) {
      const current = found.local ? await this.timed('get', () => this.store.get(record.id)) : record;
      if (!current || current.principal !== principal) return sessionNotFound();
      session = await this.restore(current, { request, authInfo: options.authInfo });
      trace?.session(record.id, 'rehydrated');
    } else trace?.session(record.id, 'local');
    const live = session;
    live.inflight++;
    try {
      const failuresBefore = live.storageFailures.count;
      const response = await live.transport.handleRequest(request, {
        parsedBody: Array.isArray(body) ? local : local[0],
        ...(options.authInfo && { authInfo: options.authInfo }),
      });
      if (live.storageFailures.count > failuresBefore && response.status >= 400) {
        // The SDK answers a failed event-store write as a 400 parse error: it is an outage.
        this.settle(live);
        await response.body?.cancel().catch(() => {});
        return this.unavailable('event_store');
      }
      return onBodyDone(response, () => this.settle(live), (options as WithBodyDoneSlot)[BODY_DONE_SLOT]);
    } catch (error) {
      this.settle(live);
      throw error;
    }
  }

  private async initialize(
    request: Request,
    body: unknown,
    init: NonNullable<ReturnType<typeof initializeRequestOf>>,
    principal: string | null,
    options: FetchOptions,
    trace: RequestTrace | undefined,
  ): Promise<Response> {
    const { authInfo } = options;
    const id = generateSessionId();
    trace?.session(id, 'new');
    // The record is durable before the client can see the id (the SDK answers after this).
    const record = await this.timed('create', () =>
      this.store.create({
        id,
        principal,
        protocolVersion: negotiatedProtocolVersion(init.params.protocolVersion, this.sdk.versions),
        clientInfo: init.params.clientInfo as SessionRecord['clientInfo'],
        clientCapabilities: (init.params.capabilities ?? {}) as SessionRecord['clientCapabilities'],
      }),
    );
    // From here on, any failure must leave nothing behind: no record, no server, no transport.
    const discard = async (session?: LocalSession<TServer>) => {
      if (session) {
        this.locals.remove(id);
        await this.release(session);
      }
      await this.timed('delete', () => this.store.delete(id)).catch(() => {});
    };
    let session: LocalSession<TServer>;
    try {
      session = await this.open(record, false, { request, authInfo });
    } catch (error) {
      await discard();
      throw error;
    }
    this.locals.add(session);
    session.inflight++;
    let response: Response;
    try {
      response = await session.transport.handleRequest(request, {
        parsedBody: body,
        ...(authInfo && { authInfo }),
      });
    } catch (error) {
      this.settle(session);
      await discard(session);
      throw error;
    }
    if (response.status !== 200) {
      // The SDK refused the initialize (bad headers, a failed event-store write, ...).
      this.settle(session);
      await response.body?.cancel().catch(() => {});
      await discard(session);
      return session.storageFailures.count > 0 ? this.unavailable('event_store') : response;
    }
    this.hooks.onSessionCreated?.({ sessionId: id, principal });
    return onBodyDone(response, () => this.settle(session), (options as WithBodyDoneSlot)[BODY_DONE_SLOT]);
  }

  // --- GET (the router writes GET streams itself, fed by the event store or the bus) ------------

  private async get(
    request: Request,
    sessionId: string,
    principal: string | null,
    trace: RequestTrace | undefined,
  ): Promise<Response> {
    trace?.rename(SPAN.getStream);
    if (!request.headers.get('accept')?.includes('text/event-stream')) {
      return jsonRpcError(406, -32000, 'Not Acceptable: Client must accept text/event-stream');
    }
    const found = await this.resolve(sessionId, principal);
    if (!found) return sessionNotFound();
    trace?.session(found.record.id, found.local ? 'local' : 'store');
    const unsupported = unsupportedProtocolVersion(request, this.sdk.versions);
    if (unsupported) return unsupported;
    const id = found.record.id;
    const lastEventId = request.headers.get('last-event-id');
    const streams = this.getStreams.get(id) ?? new Set<SseStream>();
    if (lastEventId === null && [...streams].some((s) => !s.isClosed)) {
      return jsonRpcError(409, -32000, 'Conflict: Only one SSE stream is allowed per session');
    }
    if (!this.eventStore && lastEventId !== null) {
      return jsonRpcError(400, -32000, 'Bad Request: resuming needs an event store');
    }
    const sse = new SseStream({ 'mcp-session-id': id }, this.keepAliveMs);
    const controller = new AbortController();
    // Registered only while it lives; every failure below closes it (and so unregisters it).
    streams.add(sse);
    this.getStreams.set(id, streams);
    sse.onclose = () => {
      controller.abort();
      streams.delete(sse);
      if (streams.size === 0 && this.getStreams.get(id) === streams) this.getStreams.delete(id);
    };
    // A caller that signals the client is gone (v2's toNodeHandler does) ends the stream now,
    // not at the next write: the client may reconnect at once, here or elsewhere.
    if (request.signal.aborted) sse.close();
    else request.signal.addEventListener('abort', () => sse.close(), { once: true });
    const live = () => {
      this.liveStreams++;
      const previous = sse.onclose;
      sse.onclose = () => {
        this.liveStreams--;
        previous?.();
      };
    };
    if (!this.eventStore) {
      live();
      return this.endIfDraining(sse); // fed by 'get-stream' bus messages
    }

    try {
      const events = this.eventStore.forSession(id);
      let from = lastEventId;
      if (from === null) {
        // The stream's current end gives the client a resume point, and `follow` a place to start
        // from (a priming id would resend the GET stream from its start).
        from = await events.tailEventId(GET_STREAM_ID);
        sse.prime(from, this.retryIntervalMs);
      }
      const streamId = lastEventId === null ? GET_STREAM_ID : await events.getStreamIdForEventId(from);
      if (streamId === undefined) {
        sse.close();
        return jsonRpcError(400, -32000, 'Bad Request: Invalid event ID');
      }
      // Restated if the stream ends with a retry hint before any event (SseStream.close).
      if (lastEventId !== null) sse.resumedFrom = from;
      await events.follow(from, {
        signal: controller.signal,
        send: async (eventId, message) => {
          if (!sse.send(message as JSONRPCMessage, eventId)) controller.abort();
          // A resumed POST stream ends with its response, as the SDK's own stream would.
          if (streamId !== GET_STREAM_ID && isResponse(message)) sse.close();
        },
        onError: (error) => {
          this.hooks.onError?.(error, { operation: 'follow', sessionId: id });
          sse.close(1_000);
        },
      });
      if (!sse.isClosed) live();
      return this.endIfDraining(sse);
    } catch (error) {
      sse.close();
      if (isSessionStoreError(error, 'EVENT_NOT_FOUND')) {
        return jsonRpcError(400, -32000, 'Bad Request: Invalid event ID');
      }
      throw error;
    }
  }

  /**
   * A stream opened while draining ends at once with the retry hint: the client resumes from its
   * priming event on another process (a refusal would be an error it sees, and the SDK clients
   * never retry their first GET).
   */
  private endIfDraining(sse: SseStream): Response {
    if (this.draining) sse.close(DRAIN_RETRY_MS);
    return sse.response;
  }

  // --- DELETE -----------------------------------------------------------------------------------

  private async delete(
    request: Request,
    sessionId: string,
    principal: string | null,
    trace: RequestTrace | undefined,
  ): Promise<Response> {
    trace?.rename(SPAN.deleteSession);
    const found = await this.resolve(sessionId, principal);
    if (!found) return sessionNotFound();
    trace?.session(found.record.id, found.local ? 'local' : 'store');
    const unsupported = unsupportedProtocolVersion(request, this.sdk.versions);
    if (unsupported) return unsupported;
    await this.timed('delete', () => this.store.delete(found.record.id));
    await this.terminate(found.record.id);
    return new Response(null, { status: 200 });
  }

  async endSession(sessionId: string): Promise<boolean> {
    if (!isValidSessionId(sessionId)) {
      throw new SessionStoreError('INVALID_SESSION_ID', 'session id must be 1-256 visible ASCII characters');
    }
    await this.subscribed();
    const deleted = await this.timed('delete', () => this.store.delete(sessionId));
    await this.terminate(sessionId);
    return deleted;
  }

  async endSessionsOf(principal: string): Promise<number> {
    const store = this.store;
    if (!store.list || !store.capabilities.listByPrincipal) {
      throw new SessionStoreError(
        'INVALID_ARGUMENT',
        'this store cannot list sessions by principal (capabilities.listByPrincipal is false)',
      );
    }
    // Listed first, ended after: deleting while paging could skip records of later pages.
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.list(principal, { cursor, limit: 1000 });
      for (const record of page.records) if (!isStateHandleRecord(record)) ids.push(record.id);
      cursor = page.nextCursor;
    } while (cursor !== null);
    let ended = 0;
    for (let i = 0; i < ids.length; i += 16) {
      const batch = await Promise.all(ids.slice(i, i + 16).map((id) => this.endSession(id)));
      ended += batch.filter(Boolean).length;
    }
    return ended;
  }

  /**
   * After a session's record is deleted: its events go, and every process drops it before this
   * resolves (or is reported as late after `deleteConfirmTimeoutMs`).
   */
  private async terminate(id: string): Promise<void> {
    this.terminating++;
    try {
      await this.confirmTermination(id);
    } finally {
      this.terminating--;
    }
  }

  private async confirmTermination(id: string): Promise<void> {
    await this.eventStore?.purgeSession(id);
    this.tombstones.add(id);
    await this.closeLocally(id);
    // Answered once every other process has dropped the session, so the next request gets 404
    // wherever it lands; one that does not confirm in time drops it within revalidateAfterMs.
    const ack = randomBytes(9).toString('base64url');
    const missing = await this.pendingDeletions.wait(
      ack,
      this.peers.live(),
      this.deleteConfirmTimeoutMs,
      () => this.publish(BROADCAST_CHANNEL, { type: 'session-deleted', sessionId: id, ack }),
    );
    if (missing.length > 0) {
      // Dead (or cut off): later deletions do not wait for it until it is heard from again.
      for (const processId of missing) this.peers.silent(processId);
      this.hooks.onError?.(
        new SessionStoreError(
          'BACKEND_UNAVAILABLE',
          `${missing.length} process(es) did not confirm a deletion within ${this.deleteConfirmTimeoutMs} ms; they drop the session within revalidateAfterMs`,
          { details: { processes: missing } },
        ),
        { operation: 'delete confirmation', sessionId: id },
      );
    }
    this.hooks.onSessionDeleted?.({ sessionId: id });
  }

  // --- sessions ---------------------------------------------------------------------------------

  /**
   * The live record of a session for this principal, touching it when due; null if it is unknown,
   * expired, deleted, malformed or belongs to someone else (all answered alike: 404).
   */
  /**
   * `resolve` without a promise for the common case: a session this process holds, verified
   * recently enough, whose expiry needs no refresh yet. Undefined whenever `resolve` has work to
   * do (or an answer other than this one).
   */
  private heldAndFresh(
    sessionId: string,
    principal: string | null,
  ): { record: SessionRecord; local: LocalSession<TServer> } | undefined {
    const local = this.locals.get(sessionId);
    if (!local || this.tombstones.has(sessionId)) return undefined;
    const now = Date.now();
    if (now - local.verifiedAt >= this.revalidateAfterMs) return undefined;
    const { record } = local;
    if (record.principal !== principal || isStateHandleRecord(record)) return undefined;
    const idleTtl = record.expiresAt - record.lastActivityAt;
    if (now >= record.lastActivityAt + idleTtl * this.touchFraction) return undefined;
    return { record, local };
  }

  private async resolve(
    sessionId: string,
    principal: string | null,
  ): Promise<{ record: SessionRecord; local: LocalSession<TServer> | undefined } | null> {
    if (!isValidSessionId(sessionId)) return null;
    if (this.tombstones.has(sessionId)) {
      await this.closeLocally(sessionId);
      return null;
    }
    const local = this.locals.get(sessionId);
    if (local && Date.now() - local.verifiedAt >= this.revalidateAfterMs) {
      // Concurrent requests of the session share one read.
      let pending = this.revalidating.get(local.id);
      if (!pending) {
        pending = this.revalidate(local).finally(() => this.revalidating.delete(local.id));
        this.revalidating.set(local.id, pending);
      }
      if (!(await pending)) return null;
    }
    const record = local?.record ?? (await this.timed('get', () => this.store.get(sessionId)));
    // A state handle kept in the same store is not a session, whoever presents it.
    if (!record || record.principal !== principal || isStateHandleRecord(record)) return null;
    const idleTtl = record.expiresAt - record.lastActivityAt;
    if (Date.now() >= record.lastActivityAt + idleTtl * this.touchFraction) {
      const alive = await this.timed('touch', () => this.store.touch(record.id));
      if (!alive) {
        if (local) await this.closeLocally(record.id);
        this.hooks.onSessionExpired?.({ sessionId: record.id });
        return null;
      }
      const now = Date.now();
      const touched = { ...record, lastActivityAt: now, expiresAt: now + idleTtl };
      if (local) {
        local.record = touched;
        local.verifiedAt = now;
      }
      return { record: touched, local };
    }
    return { record, local };
  }

  /**
   * Reads a held session's record again: a deletion or log level whose bus message this process
   * missed takes effect here. Returns false (and releases the session) if it is gone; true, serving
   * what this process holds, while the store is unreachable.
   */
  private async revalidate(local: LocalSession<TServer>): Promise<boolean> {
    let fresh: SessionRecord | null;
    try {
      fresh = await this.timed('get', () => this.store.get(local.id));
    } catch (error) {
      if (!isSessionStoreError(error, 'BACKEND_UNAVAILABLE')) throw error;
      // The store is down: keep serving what this process holds (nothing can be deleted meanwhile)
      // and check again one interval later, instead of making every request wait on the outage.
      local.verifiedAt = Date.now();
      this.hooks.onError?.(error, { operation: 'revalidate', sessionId: local.id });
      return true;
    }
    if (!fresh) {
      await this.closeLocally(local.id);
      this.hooks.onSessionExpired?.({ sessionId: local.id });
      return false;
    }
    const levelChanged = fresh.logLevel !== local.record.logLevel;
    local.record = fresh;
    local.verifiedAt = Date.now();
    if (levelChanged) await applyLogLevel(local.transport, fresh);
    return true;
  }

  /** Brings a stored session back on this process (once, however many requests ask at once). */
  private restore(record: SessionRecord, origin: ServerOrigin): Promise<LocalSession<TServer>> {
    const pending = this.restoring.get(record.id);
    if (pending) return pending;
    const started = Date.now();
    const restoring = this.telemetry
      .rehydration(record.id, async () => {
        const session = await this.open(record, true, origin);
        try {
          await rehydrateSession(session.transport, record);
        } catch (error) {
          await this.release(session);
          throw error;
        }
        if (this.tombstones.has(record.id)) {
          // Deleted while it was being brought back (its record was read just before).
          await this.release(session);
          throw new SessionStoreError('SESSION_NOT_FOUND', 'session deleted while being restored');
        }
        this.locals.add(session);
        this.hooks.onSessionRehydrated?.({
          sessionId: record.id,
          principal: record.principal,
          durationMs: Date.now() - started,
        });
        return session;
      })
      .finally(() => this.restoring.delete(record.id));
    this.restoring.set(record.id, restoring);
    return restoring;
  }

  /** A server and transport for a session, connected, with outgoing messages routed. */
  private async open(
    record: SessionRecord,
    rehydrated: boolean,
    origin: ServerOrigin,
  ): Promise<LocalSession<TServer>> {
    const context: SessionContext = {
      sessionId: record.id,
      principal: record.principal,
      record: rehydrated ? record : undefined,
      rehydrated,
    };
    const server = await this.options.createServer(context, origin);
    const storageFailures = { count: 0 };
    const events =
      this.eventStore &&
      routerEventStore(this.eventStore.forSession(record.id), {
        failures: storageFailures,
        onLiveFallback: (error) =>
          this.hooks.onError?.(error, {
            operation: 'event store (sent without an event id)',
            sessionId: record.id,
          }),
      });
    const transport = this.sdk.createTransport({
      sessionIdGenerator: () => record.id,
      eventStore: events,
      retryInterval: this.retryIntervalMs,
    });
    this.routeOutgoing(transport, record.id);
    await this.sdk.connect(server, transport);
    // The SDK reports failures (a message it could not store or send) only here: surface them.
    const sdkOnError = transport.onerror;
    transport.onerror = (error) => {
      sdkOnError?.(error);
      this.hooks.onError?.(error, { operation: 'transport', sessionId: record.id });
    };
    return {
      id: record.id,
      principal: record.principal,
      record,
      server,
      transport,
      inflight: 0,
      lastUsedAt: Date.now(),
      verifiedAt: Date.now(),
      storageFailures,
    };
  }

  /**
   * Server->client requests get wire ids (unique across processes, naming this one). Messages
   * for the GET stream go to the event store (the SDK stores them; whichever process holds the
   * stream follows it) or, without one, over the bus to the process holding the stream.
   */
  private routeOutgoing(transport: SessionTransport, sessionId: string): void {
    const send = transport.send.bind(transport);
    const route = async (outgoing: JSONRPCMessage, options: Parameters<typeof send>[1]) => {
      if (isResponse(outgoing) && this.pendingSubscriptions.has(sessionId)) {
        outgoing = await this.recordSubscription(sessionId, outgoing);
      }
      const forGetStream = options?.relatedRequestId === undefined && !isResponse(outgoing);
      if (forGetStream && !this.eventStore) {
        this.deliverToGetStreams(sessionId, outgoing);
        await this.publish(BROADCAST_CHANNEL, { type: 'get-stream', sessionId, message: outgoing });
        return;
      }
      await send(outgoing, options);
    };
    transport.send = (message, options) => {
      // A request to the client keeps the asking request's trace: its answer may come through
      // another process, whose forwarded message is then traced as this request's child.
      const outgoing = this.wireIds.outgoing(
        sessionId,
        message,
        isRequest(message) ? this.telemetry.activeSpanContext() : undefined,
      );
      // An error answer (or a failed tool) marks the request's span and duration as failed.
      if (isResponse(outgoing)) {
        if ('error' in outgoing) this.telemetry.requestFailed((outgoing.error as { code?: number }).code);
        else if ((outgoing as { result?: { isError?: unknown } }).result?.isError === true) {
          this.telemetry.requestFailed(undefined);
        }
      }
      // The usual answer goes straight to the SDK: no extra async frame on every message.
      if (isResponse(outgoing) && !this.pendingSubscriptions.has(sessionId)) return send(outgoing, options);
      return route(outgoing, options);
    };
  }

  /**
   * Writes `notification` to every GET stream this process holds; with `resourceUri`, only to
   * sessions subscribed to it (see `trackResourceSubscriptions`: one store read per such session,
   * {@link NOTIFY_READ_CONCURRENCY} at a time). Straight to the open streams, not through the event
   * store: each process writes only to the connections it holds, so a session whose client left a
   * stale stream on one pod and resumed on another still gets it once, and it is not replayed on a
   * later resume (change notifications are advisory; the client lists again when it reconnects).
   * Call it on every process (each gets the event from the bus). Failures go to `hooks.onError`.
   */
  async notifyHeldStreams(notification: JSONRPCMessage, resourceUri?: string): Promise<void> {
    const held = [...this.getStreams]
      .filter(([, streams]) => [...streams].some((s) => !s.isClosed))
      .map(([sessionId]) => sessionId);
    if (resourceUri === undefined) {
      for (const sessionId of held) this.deliverToGetStreams(sessionId, notification);
      return;
    }
    const key = resourceSubscriptionKey(resourceUri);
    for (let i = 0; i < held.length; i += NOTIFY_READ_CONCURRENCY) {
      await Promise.all(
        held.slice(i, i + NOTIFY_READ_CONCURRENCY).map(async (sessionId) => {
          try {
            const record = await this.timed('get', () => this.store.get(sessionId));
            if (record?.metadata[key] === true) this.deliverToGetStreams(sessionId, notification);
          } catch (error) {
            this.hooks.onError?.(error, { operation: 'notify', sessionId });
          }
        }),
      );
    }
  }

  private deliverToGetStreams(sessionId: string, message: JSONRPCMessage): void {
    for (const stream of this.getStreams.get(sessionId) ?? []) stream.send(message);
  }

  private async persistLogLevel(
    found: { record: SessionRecord; local: LocalSession<TServer> | undefined },
    level: string,
  ) {
    const updated = await this.timed('update', () =>
      this.store.update(found.record.id, { logLevel: level as SessionRecord['logLevel'] }),
    ).catch((error: unknown) => {
      // An invalid level is the SDK's to refuse; only storage failures stop the request.
      if (isSessionStoreError(error, 'INVALID_ARGUMENT')) return undefined;
      throw error;
    });
    if (!updated) return;
    if (found.local) {
      found.local.record = updated;
      found.local.verifiedAt = Date.now();
    }
    // Other processes holding the session apply it too (the client sent it only once).
    await this.publish(BROADCAST_CHANNEL, { type: 'log-level', sessionId: updated.id, level });
  }

  /**
   * The server's answer to a `resources/subscribe` or `unsubscribe` of this session: a result is
   * recorded in the session record before the client sees it (so the next `notifyHeldStreams` on
   * any pod knows); an error records nothing. If the store cannot record it, the client gets an
   * error instead of a result it cannot rely on.
   */
  private async recordSubscription(sessionId: string, response: JSONRPCMessage): Promise<JSONRPCMessage> {
    const pending = this.pendingSubscriptions.get(sessionId);
    const id = String((response as { id: unknown }).id);
    const subscription = pending?.get(id);
    if (!pending || !subscription) return response;
    pending.delete(id);
    if (pending.size === 0) this.pendingSubscriptions.delete(sessionId);
    if (!('result' in response)) return response;
    const key = resourceSubscriptionKey(subscription.uri);
    try {
      const updated = await this.timed('update', () =>
        this.store.update(
          sessionId,
          subscription.subscribe ? { metadata: { [key]: true } } : { unsetMetadata: [key] },
        ),
      );
      const local = this.locals.get(sessionId);
      if (local) {
        local.record = updated;
        local.verifiedAt = Date.now();
      }
      return response;
    } catch (error) {
      this.hooks.onError?.(error, { operation: 'update', sessionId });
      return {
        jsonrpc: '2.0',
        id: (response as { id: string | number }).id,
        error: { code: -32603, message: 'Internal error: the subscription could not be stored' },
      } as JSONRPCMessage;
    }
  }

  /** Closes what this process holds for a session (it was deleted or expired). */
  private async closeLocally(sessionId: string): Promise<void> {
    for (const stream of this.getStreams.get(sessionId) ?? []) stream.close();
    this.getStreams.delete(sessionId);
    const session = this.locals.remove(sessionId);
    if (!session) return;
    // No new request reaches it now; those in flight finish first (closing the transport under
    // them would turn their answers into errors), and the last one releases it.
    if (session.inflight > 0) session.releaseWhenIdle = true;
    else await this.release(session);
  }

  /** A request of `session` finished. */
  private settle(session: LocalSession<TServer>): void {
    session.inflight--;
    if (session.inflight === 0 && session.releaseWhenIdle) void this.release(session);
  }

  private async release(session: LocalSession<TServer>): Promise<void> {
    this.wireIds.forgetSession(session.id);
    this.pendingSubscriptions.delete(session.id);
    await session.transport.close().catch(() => {});
    await this.sdk.closeServer(session.server).catch(() => {});
  }

  // --- session-less requests (2026-07-28 protocol) ------------------------------------------------

  private async stateless(
    request: Request,
    principal: string | null,
    options: FetchOptions,
  ): Promise<Response> {
    const server = await this.options.createServer(
      { sessionId: null, principal, record: undefined, rehydrated: false },
      { request, authInfo: options.authInfo },
    );
    // No sessionIdGenerator: the SDK runs the transport without sessions.
    const transport = this.sdk.createTransport({});
    await this.sdk.connect(server, transport);
    const dispose = () => {
      void transport.close().catch(() => {});
      void this.sdk.closeServer(server).catch(() => {});
    };
    try {
      const response = await transport.handleRequest(request, {
        parsedBody: options.parsedBody,
        ...(options.authInfo && { authInfo: options.authInfo }),
      });
      return onBodyDone(response, dispose, (options as WithBodyDoneSlot)[BODY_DONE_SLOT]);
    } catch (error) {
      dispose();
      throw error;
    }
  }

  // --- bus ----------------------------------------------------------------------------------------

  private async publish(channel: string, message: OutgoingRouterMessage): Promise<void> {
    // A client message carries the sender's trace context: the receiver links its span to it.
    const trace = message.type === 'client-message' ? this.telemetry.carrier() : undefined;
    await this.bus.publish(channel, {
      ...message,
      from: this.processId,
      ...(trace && { trace }),
    } as unknown as JsonValue);
  }

  private async onBusMessage(payload: JsonValue): Promise<void> {
    const message = parseRouterMessage(payload);
    if (!message || message.from === this.processId) return;
    const restarted = this.peers.seen(
      message.from,
      message.type === 'alive' ? message.incarnation : undefined,
    );
    // A process restarted under the same id lost what it held: nobody waits for its confirmation.
    if (restarted) this.pendingDeletions.forget(message.from);
    try {
      switch (message.type) {
        case 'alive':
          return;
        case 'leaving':
          this.peers.left(message.from);
          this.pendingDeletions.forget(message.from);
          return;
        case 'session-deleted':
          this.tombstones.add(message.sessionId);
          await this.closeLocally(message.sessionId);
          if (message.ack !== undefined) {
            await this.publish(routerInbox(message.from), {
              type: 'deletion-done',
              sessionId: message.sessionId,
              ack: message.ack,
            });
          }
          return;
        case 'deletion-done':
          this.pendingDeletions.confirmed(message.ack, message.from);
          return;
        case 'get-stream':
          this.deliverToGetStreams(message.sessionId, message.message);
          return;
        case 'log-level': {
          const session = this.locals.get(message.sessionId);
          if (!session) return;
          session.record = { ...session.record, logLevel: message.level as SessionRecord['logLevel'] };
          await applyLogLevel(session.transport, session.record);
          return;
        }
        case 'client-message': {
          const session = this.locals.get(message.sessionId);
          if (!session) return;
          const wireId = wireIdOf(message.message);
          const asking = wireId === undefined ? undefined : this.wireIds.contextOf(wireId);
          const mapped = this.wireIds.incoming(message.sessionId, message.message);
          if (!mapped) return;
          this.telemetry.forwardedReceived(
            forwardedKindOf(message.message),
            message.sessionId,
            message.trace,
            asking as Parameters<Telemetry['forwardedReceived']>[3],
            () => session.transport.onmessage?.(mapped, {}),
          );
          return;
        }
      }
    } catch (error) {
      const sessionId = 'sessionId' in message ? message.sessionId : undefined;
      this.hooks.onError?.(error, { operation: `bus ${message.type}`, sessionId });
    }
  }

  // --- errors and timing --------------------------------------------------------------------------

  private async timed<T>(
    operation: 'create' | 'get' | 'touch' | 'update' | 'delete',
    call: () => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } finally {
      this.hooks.onStoreLatency?.({ operation, durationMs: performance.now() - started });
    }
  }

  /** A 503, counted by cause. */
  private unavailable(cause: 'backend_unavailable' | 'closed' | 'event_store'): Response {
    this.telemetry.unavailable(cause);
    return serviceUnavailable(this.retryAfterSeconds);
  }

  private failure(error: unknown, operation: string): Response {
    if (isSessionStoreError(error)) {
      if (error.code === 'BACKEND_UNAVAILABLE' || error.code === 'CLOSED') {
        this.hooks.onError?.(error, { operation });
        return this.unavailable(error.code === 'CLOSED' ? 'closed' : 'backend_unavailable');
      }
      if (error.code === 'INVALID_ARGUMENT') return badRequest(error.message);
      if (error.code === 'RECORD_TOO_LARGE' || error.code === 'PAYLOAD_TOO_LARGE') {
        return jsonRpcError(413, -32000, 'Request too large to store or forward');
      }
      // Deleted or expired while this request was being handled.
      if (error.code === 'SESSION_NOT_FOUND') return sessionNotFound();
    }
    this.hooks.onError?.(error, { operation });
    return jsonRpcError(500, -32603, 'Internal error');
  }
}
