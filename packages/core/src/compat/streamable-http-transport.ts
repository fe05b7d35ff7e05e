import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import {
  WebStandardStreamableHTTPServerTransport,
  type WebStandardStreamableHTTPServerTransportOptions,
} from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { SessionRecord } from '../contract/session-record.js';
import type { SessionStore } from '../contract/session-store.js';
import { isSessionStoreError, SessionStoreError } from '../errors.js';
import { jsonRpcError, serviceUnavailable, sessionNotFound } from '../router/http-responses.js';
import { initializeRequestOf, messagesOf } from '../router/jsonrpc.js';
import { serveNodeRequest } from '../router/node-http.js';
import { negotiatedProtocolVersion, rehydrateSession } from '../router/sdk-rehydration.js';
import { SDK1_PROTOCOL_VERSIONS } from '../router/sdk1-binding.js';
import { isValidSessionId } from '../session-id.js';
import {
  fromLegacySessionStore,
  isLegacySessionStore,
  type LegacySessionStore,
} from './legacy-session-store.js';

/** Where sessions live: this process (`'memory'`, the SDK's behaviour) or a shared store. */
export type SessionStorageMode = 'memory' | 'external';

/** Options of the drop-in {@link StreamableHTTPServerTransport}: the SDK's, plus the proposal's two. */
export interface StreamableHTTPServerTransportOptions
  extends WebStandardStreamableHTTPServerTransportOptions {
  /** Default `'memory'`. `'external'` requires `sessionStore`. */
  sessionStorageMode?: SessionStorageMode | undefined;
  /** A {@link SessionStore} of this project, or a store with the original proposal's five methods. */
  sessionStore?: SessionStore | LegacySessionStore | undefined;
  /** Refresh the stored expiry at most once per this many ms per session. Default 60 000. */
  touchIntervalMs?: number | undefined;
}

const DEFAULT_TOUCH_INTERVAL_MS = 60_000;
/** Largest POST body read when the framework did not parse it (the SDK's own default). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * A drop-in for the SDK's `StreamableHTTPServerTransport` with the options of the original
 * `SessionStore` proposal (upstream PR #1193): `sessionStorageMode: 'memory' | 'external'` and
 * `sessionStore`. In `'external'` mode the session is written to the store when it is initialized
 * (after your `onsessioninitialized`, keeping any metadata it stored), its expiry is refreshed as it
 * is used, and a transport created on **another process** for a request carrying a stored session
 * id recovers that session: id, client capabilities, client info and log level.
 *
 * It carries the proposal's scope: one transport per session, with your own routing between
 * processes. For server-to-client requests, notifications and resumable streams across processes,
 * use {@link createMcpSessionRouter} instead.
 *
 * @example The proposal's snippet, with only the imports changed
 * ```ts
 * import { StreamableHTTPServerTransport } from '@mcp-session-store/core/router';
 * import { RedisSessionStore } from '@mcp-session-store/redis';
 *
 * const sessionStore = new RedisSessionStore({ redis, keyPrefix: 'mcp:session:', ttlSeconds: 3600 });
 * const transport = new StreamableHTTPServerTransport({
 *   sessionIdGenerator: () => randomUUID(),
 *   sessionStorageMode: 'external',
 *   sessionStore,
 * });
 * transport.isUsingExternalSessionStore; // true
 * ```
 */
export class StreamableHTTPServerTransport implements Transport {
  private readonly inner: WebStandardStreamableHTTPServerTransport;
  private readonly mode: SessionStorageMode;
  private readonly store: SessionStore | undefined;
  private readonly touchIntervalMs: number;
  /** The initialize parameters of the request being handled, stored once the id exists. */
  private pendingInit: { protocolVersion: unknown; capabilities?: unknown; clientInfo: unknown } | undefined;
  private lastTouchAt = 0;
  /** A store failure while storing a new session (the SDK hides it behind a 400). */
  private initFailure: unknown;
  /** The stored session being recovered: the transport then hands out its id, and stores nothing. */
  private recovering: SessionRecord | undefined;

  constructor(options: StreamableHTTPServerTransportOptions) {
    const {
      sessionStorageMode = 'memory',
      sessionStore,
      touchIntervalMs,
      onsessioninitialized,
      ...sdkOptions
    } = options;
    if (sessionStorageMode !== 'memory' && sessionStorageMode !== 'external') {
      throw new SessionStoreError('INVALID_ARGUMENT', "sessionStorageMode must be 'memory' or 'external'");
    }
    if (sessionStorageMode === 'external' && !sessionStore) {
      throw new SessionStoreError(
        'INVALID_ARGUMENT',
        "sessionStorageMode 'external' requires a sessionStore",
      );
    }
    this.mode = sessionStorageMode;
    this.store =
      sessionStorageMode === 'external' && sessionStore
        ? isLegacySessionStore(sessionStore)
          ? fromLegacySessionStore(sessionStore)
          : sessionStore
        : undefined;
    this.touchIntervalMs = touchIntervalMs ?? DEFAULT_TOUCH_INTERVAL_MS;
    const generateId = sdkOptions.sessionIdGenerator;
    this.inner = new WebStandardStreamableHTTPServerTransport({
      ...sdkOptions,
      // While recovering a stored session, the replayed initialize must get its id back.
      ...(generateId && { sessionIdGenerator: () => this.recovering?.id ?? generateId() }),
      onsessioninitialized: async (sessionId) => {
        // Recovering a stored session is not a new session: neither the callback nor a store write.
        if (this.recovering) return;
        // The user's callback runs first (as in the proposal); what it stores is kept.
        await onsessioninitialized?.(sessionId);
        try {
          await this.storeNewSession(sessionId);
        } catch (error) {
          this.initFailure = error;
          throw error;
        }
      },
    });
  }

  /** The session storage mode chosen at construction. */
  get sessionStorageMode(): SessionStorageMode {
    return this.mode;
  }

  /** True when sessions go to an external store. */
  get isUsingExternalSessionStore(): boolean {
    return this.mode === 'external';
  }

  /** The session id, once `initialize` created it or a stored session was recovered. */
  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  /** Set by the SDK's `Protocol` when a server connects (the `Transport` interface). */
  set onclose(handler: (() => void) | undefined) {
    if (handler) this.inner.onclose = handler;
    else delete this.inner.onclose;
  }
  get onclose(): (() => void) | undefined {
    return this.inner.onclose;
  }
  /** Set by the SDK's `Protocol` (the `Transport` interface). */
  set onerror(handler: ((error: Error) => void) | undefined) {
    if (handler) this.inner.onerror = handler;
    else delete this.inner.onerror;
  }
  get onerror(): ((error: Error) => void) | undefined {
    return this.inner.onerror;
  }
  /** Set by the SDK's `Protocol` (the `Transport` interface). */
  set onmessage(handler:
    | (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void)
    | undefined) {
    if (handler) this.inner.onmessage = handler;
    else delete this.inner.onmessage;
  }
  get onmessage(): (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined {
    return this.inner.onmessage;
  }

  /** Part of the `Transport` interface; nothing to start for HTTP. */
  start(): Promise<void> {
    return this.inner.start();
  }

  /** Sends a message to the client (the `Transport` interface). */
  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const related = options?.relatedRequestId;
    return this.inner.send(message, related === undefined ? undefined : { relatedRequestId: related });
  }

  /** Closes the transport and its streams (the session stays in the store). */
  close(): Promise<void> {
    return this.inner.close();
  }

  /** Handles a node:http (Express, Fastify) request, as the SDK's transport does. */
  async handleRequest(
    req: IncomingMessage & { auth?: AuthInfo },
    res: ServerResponse,
    parsedBody?: unknown,
  ): Promise<void> {
    const onError = (error: unknown) => this.inner.onerror?.(error as Error);
    await serveNodeRequest(req, res, { parsedBody, maxBodyBytes: MAX_BODY_BYTES, onError }, (request, body) =>
      this.handleWebRequest(request, { parsedBody: body, authInfo: req.auth }),
    );
  }

  /** Handles a web `Request` (Hono, web runtimes). */
  async handleWebRequest(
    request: Request,
    options: { parsedBody?: unknown; authInfo?: AuthInfo | undefined } = {},
  ): Promise<Response> {
    let parsedBody = options.parsedBody;
    const authInfo = options.authInfo ? { authInfo: options.authInfo } : {};
    if (!this.store) return this.inner.handleRequest(request, { parsedBody, ...authInfo });
    try {
      if (request.method === 'POST' && parsedBody === undefined) {
        parsedBody = await request.json().catch(() => undefined);
        if (parsedBody === undefined) return jsonRpcError(400, -32700, 'Parse error: Invalid JSON');
      }
      const init = request.method === 'POST' ? initializeRequestOf(messagesOf(parsedBody) ?? []) : undefined;
      if (init) this.pendingInit = init.params;
      const sessionId = request.headers.get('mcp-session-id');
      if (!init && sessionId !== null && isValidSessionId(sessionId)) {
        const known = await this.ensureSession(sessionId);
        // Unknown, expired or deleted: 404, the spec's signal to initialize again (a fresh SDK
        // transport would say 400 "not initialized").
        if (!known) return sessionNotFound();
        // Deleted or expired on another process since: stop serving it here too.
        if (request.method !== 'DELETE' && !(await this.touchIfDue(sessionId))) {
          await this.inner.close();
          return sessionNotFound();
        }
        if (request.method === 'DELETE') await this.store.delete(sessionId);
      }
      const response = await this.inner.handleRequest(request, { parsedBody, ...authInfo });
      if (this.initFailure !== undefined) {
        // The session could not be stored: it must not live on in this transport either.
        const failure = this.initFailure;
        this.initFailure = undefined;
        await response.body?.cancel().catch(() => {});
        await this.inner.close();
        throw failure;
      }
      return response;
    } catch (error) {
      if (isSessionStoreError(error, 'BACKEND_UNAVAILABLE')) return serviceUnavailable(2);
      throw error;
    }
  }

  /** Recovers a session created on another process into this fresh transport. */
  private async ensureSession(sessionId: string): Promise<boolean> {
    if (this.inner.sessionId !== undefined) return this.inner.sessionId === sessionId;
    const record = await this.store!.get(sessionId);
    if (!record) return false;
    // Replaying initialize must not store the session again.
    this.pendingInit = undefined;
    this.recovering = record;
    try {
      await rehydrateSession(this.inner, record);
    } finally {
      this.recovering = undefined;
    }
    this.lastTouchAt = Date.now();
    return true;
  }

  private async storeNewSession(sessionId: string): Promise<void> {
    if (!this.store || this.recovering || !this.pendingInit) return;
    const init = this.pendingInit;
    this.pendingInit = undefined;
    const fields = {
      protocolVersion: negotiatedProtocolVersion(init.protocolVersion, SDK1_PROTOCOL_VERSIONS),
      clientInfo: init.clientInfo as SessionRecord['clientInfo'],
      clientCapabilities: (init.capabilities ?? {}) as SessionRecord['clientCapabilities'],
    };
    const existing = await this.store.get(sessionId);
    if (existing) {
      // onsessioninitialized stored the session itself (with its metadata): complete it, keep the rest.
      await this.store.update(sessionId, fields);
    } else {
      await this.store.create({ id: sessionId, principal: null, ...fields });
    }
    this.lastTouchAt = Date.now();
  }

  /** Refreshes the stored expiry when due; false if the session is gone from the store. */
  private async touchIfDue(sessionId: string): Promise<boolean> {
    if (Date.now() - this.lastTouchAt < this.touchIntervalMs) return true;
    this.lastTouchAt = Date.now();
    return this.store!.touch(sessionId);
  }
}
