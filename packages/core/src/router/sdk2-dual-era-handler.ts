/**
 * One endpoint for both protocol eras on SDK v2, on any number of pods: 2025 session traffic goes
 * to the router (sessions in the store, rehydrated anywhere), 2026-07-28 traffic to the SDK's own
 * `createMcpHandler(..., { legacy: 'reject', bus })` with a `ServerEventBus` shared through the
 * message bus, and one `notify` reaches the listen streams and the GET streams of every pod.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CreateMcpHandlerOptions,
  classifyInboundRequest,
  createMcpHandler,
  isJsonContentType,
  type McpHandlerRequestOptions,
  type McpServer,
  type Server,
  type ServerEventBus,
  type ServerNotifier,
} from '@modelcontextprotocol/server';
import { isSessionStoreError, SessionStoreError } from '../errors.js';
import {
  createServerEventBus,
  type ServerEvent,
  type SharedServerEventBus,
} from '../server-events/server-event-bus.js';
import { instrumentBus } from '../telemetry/instrumented-backends.js';
import type { RequestTrace } from '../telemetry/telemetry.js';
import { BODY_DONE_SLOT, onBodyDone, type WithBodyDoneSlot } from './body-done.js';
import { hostValidator } from './host-validation.js';
import { badRequest, jsonRpcError, serviceUnavailable } from './http-responses.js';
import type { JSONRPCMessage } from './jsonrpc.js';
import { serveNodeRequest } from './node-http.js';
import type { RequestAuthInfo } from './options.js';
import { REQUEST_TRACE_SLOT, serveTraced } from './request-tracing.js';
import { Router } from './router.js';
import { sdk2Binding } from './sdk2-binding.js';
import {
  type McpSessionHandler,
  type McpSessionHandlerOptions,
  type McpSessionServerFactory,
  sdk2RouterOptions,
} from './sdk2-handler.js';

/** Options of {@link createMcpDualEraHandler}: the router's, plus the 2026-07-28 leg's. */
export interface McpDualEraHandlerOptions extends McpSessionHandlerOptions {
  /**
   * The change events every pod shares: what `notify` publishes, what 2026 listen streams and 2025
   * GET streams receive. Default: {@link createServerEventBus} over `bus` (closed with the handler).
   * Pass your own to publish from code that has no handler (a worker, an admin job).
   * @example
   * ```ts
   * const events = createServerEventBus({ bus });
   * const handler = createMcpDualEraHandler(buildServer, { store, bus, events });
   * // elsewhere, in a worker sharing `bus`: every client of both eras on every pod hears it
   * createServerEventBus({ bus }).publish({ kind: 'tools_list_changed' });
   * ```
   */
  events?: SharedServerEventBus | undefined;
  /**
   * Options of the 2026-07-28 leg, passed to the SDK's `createMcpHandler` (`legacy` and `bus` are
   * set by this handler). Its SSE keep-alive is `keepAliveMs`, as for GET streams.
   */
  modern?: Pick<CreateMcpHandlerOptions, 'responseMode' | 'maxSubscriptions' | 'onerror'> | undefined;
}

/** What {@link createMcpDualEraHandler} returns. */
export interface McpDualEraHandler extends McpSessionHandler {
  /**
   * Announces a change to every subscriber of both eras on every pod: 2026-07-28 listen streams
   * (those that asked for that kind, or that resource) and 2025 GET streams (for
   * `resourceUpdated`, sessions that sent `resources/subscribe` for that URI). Never throws for a
   * bus failure (reported through `hooks.onError`). Use it instead of a server instance's own
   * `send*ListChanged()`, which reaches neither other pods nor listen streams.
   * @example
   * ```ts
   * server.registerTool('add_tool', { description: 'Adds a tool' }, async () => {
   *   await saveToolDefinition();
   *   handler.notify.toolsChanged(); // clients of both eras, on every pod, list the tools again
   *   return { content: [{ type: 'text', text: 'added' }] };
   * });
   * ```
   */
  readonly notify: ServerNotifier;
  /** The shared change events (`notify` publishes there): subscribe to see every pod's changes. */
  readonly events: SharedServerEventBus;
}

/** The JSON-RPC notification a 2025 session gets for a change event. */
function notificationOf(event: ServerEvent): JSONRPCMessage {
  const method = {
    tools_list_changed: 'notifications/tools/list_changed',
    prompts_list_changed: 'notifications/prompts/list_changed',
    resources_list_changed: 'notifications/resources/list_changed',
    resource_updated: 'notifications/resources/updated',
  }[event.kind];
  const params =
    event.kind === 'resource_updated' ? { ...event.params, uri: event.uri } : (event.params ?? undefined);
  return { jsonrpc: '2.0', method, ...(params && { params }) } as JSONRPCMessage;
}

/** Reads a POST body as JSON within `maxBytes`: the value, or the error response to send. */
async function readJsonBody(
  request: Request,
  maxBytes: number,
): Promise<{ body: unknown } | { response: Response }> {
  const tooLarge = () => ({ response: jsonRpcError(413, -32000, `Request body over ${maxBytes} bytes`) });
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    const reader = request.body?.getReader();
    for (;;) {
      const next = await reader?.read();
      if (!next || next.done) break;
      size += next.value.byteLength;
      if (size > maxBytes) {
        await reader?.cancel().catch(() => {});
        return tooLarge();
      }
      chunks.push(next.value);
    }
  } catch {
    return { response: jsonRpcError(400, -32700, 'Parse error: the request body could not be read') };
  }
  try {
    return { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { response: jsonRpcError(400, -32700, 'Parse error: Invalid JSON') };
  }
}

/**
 * Serves both protocol eras from one endpoint, on any number of pods behind any load balancer:
 * - **2025 clients** (`initialize`, session requests, GET streams, DELETE) get the router of
 *   {@link createMcpSessionHandler}: sessions in `store`, rehydrated on any pod, server->client
 *   requests answered through any pod, resumable streams.
 * - **2026-07-28 clients** (requests carrying the `_meta` envelope, `server/discover`,
 *   `subscriptions/listen`) get the SDK's own `createMcpHandler` with `legacy: 'reject'` and a
 *   `ServerEventBus` shared through `bus`, so a listen stream on one pod sees a change made on
 *   another. Multi-round-trip state is the server's: use `createRequestStateCodec` from this
 *   package (keys that rotate, at-most-once claims) in the factory's server options.
 * - `notify` reaches every subscriber of both eras on every pod.
 *
 * Who the user is: `principal` binds 2025 sessions (and is passed to the factory as
 * `ctx.principal` in both eras). A 2026-07-28 `requestState` is bound by its codec: give
 * `createRequestStateCodec` a `principal` that derives the same user from the handler's `ctx`
 * (`ctx.http?.authInfo`), or a state may be bound to another identity than the session's.
 *
 * Each request is classified once with the SDK's own `classifyInboundRequest` (what
 * `createMcpHandler` itself routes by), after the checks that apply to both legs: `Host`
 * (`allowedHosts`, 403), `Content-Type` of a POST (415), body size (`maxBodyBytes`, 413) and JSON
 * (400). Malformed 2026 requests get the SDK's validation-ladder errors; malformed 2025 ones the
 * router's.
 *
 * @param factory - builds a server: for a 2025 session (`ctx.era === 'legacy'`, kept as long as
 *   the session is held here) or for one 2026-07-28 request (`ctx.era === 'modern'`,
 *   `ctx.sessionId` null). A factory written for v2's `createMcpHandler` fits unchanged.
 * @param options - where state lives (`store`, `bus`, `eventStore`), who the user is
 *   (`principal`), the router's bounds and hooks, and the modern leg's options.
 * @throws SessionStoreError `INVALID_ARGUMENT` when the factory, store or bus is missing or an option is out of range.
 * @example
 * ```ts
 * import { createMcpDualEraHandler } from '@mcp-session-store/core/v2';
 * import { toNodeHandler } from '@modelcontextprotocol/node';
 *
 * const handler = createMcpDualEraHandler((ctx) => buildServer(ctx), { store, eventStore, bus });
 * const node = toNodeHandler(handler);
 * app.all('/mcp', (req, res) => void node(req, res, req.body));
 * // Any pod, either era's clients: every listen stream and GET stream gets the change.
 * handler.notify.toolsChanged();
 * ```
 */
export function createMcpDualEraHandler(
  factory: McpSessionServerFactory,
  options: McpDualEraHandlerOptions,
): McpDualEraHandler {
  if (typeof factory !== 'function') {
    throw new SessionStoreError('INVALID_ARGUMENT', 'createMcpDualEraHandler needs a server factory');
  }
  const { events: givenEvents, modern: modernOptions, ...routerOptions } = options;
  const hooks = options.hooks ?? {};
  const router = new Router<McpServer | Server>(
    { ...sdk2RouterOptions(factory, routerOptions), trackResourceSubscriptions: true },
    sdk2Binding,
  );
  const events =
    givenEvents ??
    createServerEventBus({
      bus: instrumentBus(options.bus, router.telemetry),
      onError: (error, context) =>
        hooks.onError?.(error, { operation: `server events ${context.operation}` }),
    });
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const retryAfterSeconds = options.retryAfterSeconds ?? 2;
  const hostAllowed = hostValidator(options.allowedHosts);

  // The principal of a modern request, for its factory call (the SDK passes the request along).
  const principals = new WeakMap<Request, string | null>();
  const modern = createMcpHandler(
    (ctx) =>
      factory({
        ...ctx,
        era: 'modern',
        sessionId: null,
        principal: (ctx.requestInfo && principals.get(ctx.requestInfo)) ?? null,
        record: undefined,
        rehydrated: false,
      }),
    {
      ...modernOptions,
      legacy: 'reject',
      bus: events as ServerEventBus,
      ...(options.keepAliveMs !== undefined && { keepAliveMs: options.keepAliveMs }),
    },
  );

  // 2025 GET streams this pod holds get every pod's changes (each stream is held by one pod).
  const stopListening = events.subscribe((event) => {
    void router.notifyHeldStreams(
      notificationOf(event),
      event.kind === 'resource_updated' ? event.uri : undefined,
    );
  });

  // 2026-07-28 requests are served until the modern leg closes, at the end of a drain: each stands
  // alone, so a draining pod answers it as well as any other.
  let modernClosed = false;
  /** Modern requests whose answer is not complete yet (listen streams excepted: they never are). */
  let modernInFlight = 0;
  // Listen streams open on this pod (a gauge, kept only when metrics are recorded).
  let listenStreams = 0;
  const telemetry = router.telemetry;
  const stopListenGauge = telemetry.observe('listen_streams', () => listenStreams);
  const serveModern = async (
    request: Request,
    requestOptions: { authInfo?: RequestAuthInfo | undefined; parsedBody: unknown },
  ): Promise<Response> => {
    if (modernClosed) {
      telemetry.unavailable('closed');
      return serviceUnavailable(retryAfterSeconds);
    }
    const tracked = (requestOptions.parsedBody as { method?: unknown })?.method !== 'subscriptions/listen';
    let settled = !tracked;
    const settle = () => {
      if (!settled) {
        settled = true;
        modernInFlight--;
      }
    };
    if (tracked) modernInFlight++;
    try {
      const principal = (await options.principal?.({ request, authInfo: requestOptions.authInfo })) ?? null;
      principals.set(request, principal);
      const response = await modern.fetch(request, requestOptions as McpHandlerRequestOptions);
      // A streamed answer is in flight until its body ends, not when its headers are ready; a JSON
      // one is complete already (and needs no wrapper). A listen stream is never waited for.
      if (!tracked) {
        if (!telemetry.metricsOn || !response.body || response.status !== 200) return response;
        listenStreams++;
        return onBodyDone(
          response,
          () => listenStreams--,
          (requestOptions as WithBodyDoneSlot)[BODY_DONE_SLOT],
        );
      }
      if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
        return onBodyDone(response, settle, (requestOptions as WithBodyDoneSlot)[BODY_DONE_SLOT]);
      }
      settle();
      return response;
    } catch (error) {
      settle();
      // As the router answers the same failures (a throwing `principal()`, a closed handler).
      if (isSessionStoreError(error, 'INVALID_ARGUMENT')) return badRequest(error.message);
      hooks.onError?.(error, { operation: 'modern request' });
      if (isSessionStoreError(error, 'BACKEND_UNAVAILABLE') || isSessionStoreError(error, 'CLOSED')) {
        telemetry.unavailable(isSessionStoreError(error, 'CLOSED') ? 'closed' : 'backend_unavailable');
        return serviceUnavailable(retryAfterSeconds);
      }
      return jsonRpcError(500, -32603, 'Internal error');
    }
  };

  // Not async: without a span, the leg's promise is returned as it is (no extra microtask turns).
  const fetch = (
    request: Request,
    requestOptions: { authInfo?: RequestAuthInfo | undefined; parsedBody?: unknown } = {},
  ): Promise<Response> => {
    // GET and DELETE are 2025 session operations (the 2026 revision has neither).
    if (request.method !== 'POST') return router.fetch(request, requestOptions);
    // One span per POST, whichever leg serves it (the router joins it rather than starting one).
    const trace = telemetry.enabled ? telemetry.startRequest(request, '2026') : undefined;
    if (!trace) return post(request, requestOptions, undefined);
    return serveTraced(trace, request, requestOptions, () => post(request, requestOptions, trace));
  };

  const post = async (
    request: Request,
    requestOptions: { authInfo?: RequestAuthInfo | undefined; parsedBody?: unknown },
    trace: RequestTrace | undefined,
  ): Promise<Response> => {
    if (hostAllowed && !hostAllowed(request)) {
      return jsonRpcError(403, -32000, 'Forbidden: Host header not allowed');
    }
    if (!isJsonContentType(request.headers.get('content-type'))) {
      return jsonRpcError(415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
    }
    let body = requestOptions.parsedBody;
    if (body === undefined) {
      const read = await readJsonBody(request, maxBodyBytes);
      if ('response' in read) return read.response;
      body = read.body;
    }
    const header = (name: string) => request.headers.get(name) ?? undefined;
    const protocolVersionHeader = header('mcp-protocol-version');
    const mcpMethodHeader = header('mcp-method');
    const mcpNameHeader = header('mcp-name');
    const outcome = classifyInboundRequest({
      httpMethod: 'POST',
      body,
      ...(protocolVersionHeader !== undefined && { protocolVersionHeader }),
      ...(mcpMethodHeader !== undefined && { mcpMethodHeader }),
      ...(mcpNameHeader !== undefined && { mcpNameHeader }),
    });
    // null: decided here (untraced), the router does not start a span of its own.
    const forward = { ...requestOptions, parsedBody: body, [REQUEST_TRACE_SLOT]: trace ?? null };
    // A request the modern path rejects gets the SDK's own answer for it (its validation ladder).
    if (outcome.kind === 'legacy') {
      trace?.era('2025');
      return router.fetch(request, forward);
    }
    trace?.describe(Array.isArray(body) ? body[0] : (body as Parameters<RequestTrace['describe']>[0]));
    return serveModern(request, forward);
  };

  const notify: ServerNotifier = {
    toolsChanged: () => events.publish({ kind: 'tools_list_changed' }),
    promptsChanged: () => events.publish({ kind: 'prompts_list_changed' }),
    resourcesChanged: () => events.publish({ kind: 'resources_list_changed' }),
    resourceUpdated: (uri) => events.publish({ kind: 'resource_updated', uri }),
  };

  return {
    get processId() {
      return router.processId;
    },
    get localSessionCount() {
      return router.localSessionCount;
    },
    get openStreamCount() {
      return router.openStreamCount;
    },
    notify,
    events,
    fetch: (request, requestOptions) =>
      fetch(request, requestOptions as { authInfo?: RequestAuthInfo; parsedBody?: unknown }),
    handle(
      req: IncomingMessage & { auth?: RequestAuthInfo | undefined },
      res: ServerResponse,
      parsedBody?: unknown,
    ) {
      const onError = (error: unknown) => hooks.onError?.(error, { operation: 'handle' });
      // The slot reaches the router through `forward`: its 2025 answers are written without a wrapper.
      return serveNodeRequest(req, res, { parsedBody, maxBodyBytes, onError }, (request, body, slot) =>
        fetch(request, { authInfo: req.auth, parsedBody: body, [BODY_DONE_SLOT]: slot } as {
          parsedBody: unknown;
        }),
      );
    },
    endSession: (sessionId) => router.endSession(sessionId),
    endSessionsOf: (principal) => router.endSessionsOf(principal),
    async close(closeOptions = {}) {
      const deadline = Date.now() + (closeOptions.deadlineMs ?? 10_000);
      try {
        // 2025: GET streams end with a retry hint, in-flight requests finish, sessions are let go.
        // 2026-07-28 requests are served meanwhile, and listen streams still get every change.
        await router.close(closeOptions);
        while (modernInFlight > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        modernClosed = true;
        stopListening();
        stopListenGauge();
        // Ends every listen stream with the spec's graceful result (the client listens again,
        // through the balancer, on another pod), and what still runs past the deadline.
        await modern.close();
        if (!givenEvents) await events.close();
      }
    },
  };
}
