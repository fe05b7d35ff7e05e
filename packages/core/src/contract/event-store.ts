import type { EventStoreCapabilities } from './capabilities.js';

/**
 * A JSON-RPC message as the SDK stores it: the SDK's `JSONRPCMessage`, which must be plain JSON
 * (stores refuse anything else with `INVALID_ARGUMENT`). The empty object `{}` is the SDK's priming
 * event, which is never stored (see {@link SessionEventStore}).
 */
export type StoredMessage = { [key: string]: unknown };

/**
 * Whether `message` is the SDK's priming event (`{}`): it carries no message, only gives the client
 * an id to resume from, so it is never stored, replayed or followed.
 *
 * @example
 * ```ts
 * if (isPrimingEvent(message)) return primingEventId(sessionId, streamId);
 * ```
 */
export function isPrimingEvent(message: StoredMessage): boolean {
  return Object.keys(message).length === 0;
}

/** The SDK's `send` callback of `replayEventsAfter`. */
export type SendEvent = (eventId: string, message: StoredMessage) => Promise<void>;

/**
 * The SDK's `EventStore` (`@modelcontextprotocol/sdk/server/streamableHttp.js`) for one session,
 * plus `follow`. Pass it as `eventStore` of that session's transport.
 *
 * Rules (see the SDK facts in the project docs):
 * - Event ids are unique within the session, opaque to clients, and resolve to their stream from
 *   stored data (`getStreamIdForEventId`), so the GET stream (`'_GET_stream'`) can be resumed.
 * - An id of another session, an unknown, trimmed or expired id is refused:
 *   `getStreamIdForEventId` returns undefined and `replayEventsAfter` rejects with `EVENT_NOT_FOUND`
 *   without calling `send`.
 * - Priming events (`storeEvent(streamId, {})`, which the SDK writes when a POST opens its stream)
 *   cost no backend call: the returned id is `primingEventId(sessionId, streamId)` (core's
 *   store-kit), the same on every call and every process, and it stands for the start of the
 *   stream. Resuming from it (`replayEventsAfter`, `follow`, on any process) sends every stored
 *   event of that stream from its first, nothing of other streams; a stream that holds no event
 *   (not written yet, expired, purged) sends nothing, and `follow` waits for its first events.
 *   `getStreamIdForEventId` gives its stream. A priming id of another session is refused; so is one
 *   whose stream holds `maxEventsPerStream` events or more (the oldest may have been trimmed, as a
 *   stored priming event would have been).
 * - Priming events are never replayed or followed, including a `{}` stored by an older version.
 */
export interface SessionEventStore {
  /** The session these events belong to. */
  readonly sessionId: string;
  /** Appends `message` to `streamId` and returns its new event id (a priming event: see above). */
  storeEvent(streamId: string, message: StoredMessage): Promise<string>;
  /**
   * An id to resume `streamId` from now: the id of its last stored event, or its priming id if it
   * holds none. Resuming from it (on any process) sends only what is stored after this call. One
   * backend read, no write: for a new connection on a stream that may already hold events (the
   * router's GET stream), where a priming id would resend the stream from its start.
   */
  tailEventId(streamId: string): Promise<string>;
  /** The stream `eventId` belongs to, or undefined if it is not an event of this session. */
  getStreamIdForEventId(eventId: string): Promise<string | undefined>;
  /** Sends, in order, every event of `lastEventId`'s stream stored after it; returns that stream id. */
  replayEventsAfter(lastEventId: string, options: { send: SendEvent }): Promise<string>;
  /**
   * Like `replayEventsAfter`, then keeps sending each event appended later to the same stream (by
   * any process), in order, with no gap and no duplicate, until `signal` aborts. Resolves with the
   * stream id once the already-stored events were sent. This is what lets a client resume on process
   * B a stream that process A keeps writing. Errors after it resolved go to `onError`.
   */
  follow(
    lastEventId: string,
    options: { send: SendEvent; signal: AbortSignal; onError?: (error: unknown) => void },
  ): Promise<string>;
}

/** Options every event store accepts (adapters add their own). */
export interface EventStoreBaseOptions {
  /**
   * How long a session's events live after its last append. Set it to the session idle TTL so the
   * events go when the session goes. Adapters document their default.
   */
  ttlMs?: number | undefined;
  /** Most events kept per stream; older ones are trimmed (and can no longer be resumed from). */
  maxEventsPerStream?: number | undefined;
}

/**
 * Resumability storage for every session: hands out a per-session {@link SessionEventStore}.
 *
 * @example
 * ```ts
 * const transport = new StreamableHTTPServerTransport({
 *   sessionIdGenerator: () => id,
 *   eventStore: events.forSession(id),
 * });
 * // when the session is deleted:
 * await events.purgeSession(id);
 * ```
 */
export interface EventStoreFactory {
  readonly capabilities: EventStoreCapabilities;
  /** The event store of one session. Throws `INVALID_SESSION_ID` for a malformed id. */
  forSession(sessionId: string): SessionEventStore;
  /** Removes every event of the session (on DELETE). Idempotent. */
  purgeSession(sessionId: string): Promise<void>;
  /** Releases what the event store created (followers, timers, own connections). */
  close(): Promise<void>;
}
