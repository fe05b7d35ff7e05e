import { inboxChannel } from '../contract/message-bus.js';
import type { JsonValue } from '../json.js';
import type { JSONRPCMessage } from './jsonrpc.js';

/** The channel every router process listens on (deletions, cancellations, GET-stream messages). */
export const BROADCAST_CHANNEL = 'mcpss:broadcast';

/** The inbox of one router process (client answers to the requests it is awaiting). */
export const routerInbox = (processId: string): string => inboxChannel(`mcpss:${processId}`);

/** What routers send each other. */
export type RouterBusMessage =
  /** A client message for a session (an answer, a progress notification, a cancellation). */
  | {
      type: 'client-message';
      sessionId: string;
      from: string;
      message: JSONRPCMessage;
      /** The sender's W3C trace context (`traceparent`, `tracestate`), when it records traces. */
      trace?: Record<string, string>;
    }
  /** A message for the session's GET stream, when there is no event store to carry it. */
  | { type: 'get-stream'; sessionId: string; from: string; message: JSONRPCMessage }
  /** The client changed the session's log level on another process. */
  | { type: 'log-level'; sessionId: string; from: string; level: string }
  /**
   * The session was deleted: close everything held for it. With `ack`, the sender waits for
   * every process to confirm (`deletion-done` with the same `ack`, to the sender's inbox).
   */
  | { type: 'session-deleted'; sessionId: string; from: string; ack?: string }
  /** This process dropped a deleted session (the answer to a `session-deleted` with `ack`). */
  | { type: 'deletion-done'; sessionId: string; from: string; ack: string }
  /**
   * This process is up (sent on start and every heartbeat): who must confirm a deletion.
   * `incarnation` is new each time a process starts, so a restart under the same id shows.
   */
  | { type: 'alive'; from: string; incarnation?: string }
  /** This process is shutting down: nobody waits for it any more. */
  | { type: 'leaving'; from: string };

/** A router message before the sender adds its `from`. */
export type OutgoingRouterMessage = RouterBusMessage extends infer M
  ? M extends unknown
    ? Omit<M, 'from'>
    : never
  : never;

/** Parses a bus payload into a router message, or undefined for anything else. */
export function parseRouterMessage(payload: JsonValue): RouterBusMessage | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const { type, sessionId, from } = payload;
  if (typeof from !== 'string') return undefined;
  if (type === 'alive' || type === 'leaving') return payload as unknown as RouterBusMessage;
  if (typeof sessionId !== 'string') return undefined;
  if (type === 'session-deleted' && (payload.ack === undefined || typeof payload.ack === 'string')) {
    return payload as unknown as RouterBusMessage;
  }
  if (type === 'deletion-done' && typeof payload.ack === 'string')
    return payload as unknown as RouterBusMessage;
  if (type === 'log-level' && typeof payload.level === 'string')
    return payload as unknown as RouterBusMessage;
  if ((type === 'client-message' || type === 'get-stream') && typeof payload.message === 'object') {
    return payload as unknown as RouterBusMessage;
  }
  return undefined;
}
