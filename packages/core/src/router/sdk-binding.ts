/**
 * The seam between the router and an SDK major. The router creates, connects and drives the SDK's
 * sessionful Streamable HTTP transport only through this: both `@modelcontextprotocol/sdk` 1.x and
 * `@modelcontextprotocol/server` 2.x ship a `WebStandardStreamableHTTPServerTransport` with the
 * same public surface ({@link SessionTransport}), so each major contributes one small binding
 * (sdk1-binding.ts, sdk2-binding.ts) and the routing itself is written once. Nothing here imports
 * an SDK: the binding casts between these shapes and its SDK's own types.
 */
import type { SessionEventStore } from '../contract/event-store.js';
import type { JSONRPCMessage } from './jsonrpc.js';
import type { RequestAuthInfo } from './options.js';
import type { ProtocolVersions } from './sdk-rehydration.js';

/** What the router uses of the SDK's `WebStandardStreamableHTTPServerTransport`. */
export interface SessionTransport {
  readonly sessionId?: string | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: object) => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  send(message: JSONRPCMessage, options?: { relatedRequestId?: string | number | undefined }): Promise<void>;
  handleRequest(
    request: Request,
    options?: { parsedBody?: unknown; authInfo?: RequestAuthInfo | undefined },
  ): Promise<Response>;
  close(): Promise<void>;
}

/** How the router asks for a transport: the SDK's own option names. */
export interface SessionTransportOptions {
  /** Present for a session (returns its id); absent for the session-less 2026 protocol. */
  sessionIdGenerator?: (() => string) | undefined;
  eventStore?: SessionEventStore | undefined;
  retryInterval?: number | undefined;
}

/** One SDK major, as the router needs it. `TServer` is what the user's `createServer` returns. */
export interface SdkBinding<TServer> {
  /** The protocol versions this major's `initialize` negotiates and its transport accepts. */
  readonly versions: ProtocolVersions;
  /** A new sessionful (or, without `sessionIdGenerator`, session-less) transport. */
  createTransport(options: SessionTransportOptions): SessionTransport;
  /** Connects a server the user built to a transport from {@link createTransport}. */
  connect(server: TServer, transport: SessionTransport): Promise<void>;
  /** Closes such a server. */
  closeServer(server: TServer): Promise<void>;
}
