import { isPrimingEvent, type SessionEventStore, type StoredMessage } from '../contract/event-store.js';
import { isSyntheticMessage } from './sdk-rehydration.js';

/** The id of the SDK's standalone (GET) stream in the event store. */
export const GET_STREAM_ID = '_GET_stream';

/** The event id the SDK writes for a message of a synthetic rehydration request: never stored. */
const UNSTORED_EVENT_ID = 'mcpss-unstored';

/** What {@link routerEventStore} reports to the router. */
export interface EventStoreFailureSink {
  /** Failed writes that were thrown: before a stream starts the SDK answers one as a 400, the router as a 503. */
  readonly failures: { count: number };
  /** A write that failed after the stream started: the message went out live, without an event id. */
  onLiveFallback(error: unknown): void;
}

/**
 * The event store the router gives a session's SDK transport. On top of the adapter's:
 * - the SDK's own writes for a synthetic rehydration request are not stored (no round trip, and a
 *   rehydration never depends on the event store);
 * - a failed write is counted, then either thrown or degraded:
 *   - the priming event of a new stream, or a message for the GET stream: thrown. Before a stream
 *     started, the SDK turns it into an error answer, which the router makes a 503; on the GET stream,
 *     where the store is the only way to the client, the sender's `send` fails and the server sees it.
 *   - any other message of a request's stream (a response, a progress notification): the stream
 *     is already open, so the message is written live without an event id instead of being lost
 *     with the stream left hanging. The client gets it now; it only cannot resume from it.
 */
export function routerEventStore(events: SessionEventStore, sink: EventStoreFailureSink): SessionEventStore {
  return {
    sessionId: events.sessionId,
    storeEvent: async (streamId: string, message: StoredMessage) => {
      if (isSyntheticMessage(message)) return UNSTORED_EVENT_ID;
      try {
        return await events.storeEvent(streamId, message);
      } catch (error) {
        if (streamId === GET_STREAM_ID || isPrimingEvent(message)) {
          sink.failures.count++;
          throw error;
        }
        // Not counted as a failure: the answer goes out, so no concurrent request of the session
        // may be turned into a 503 because of it.
        sink.onLiveFallback(error);
        // The SDK writes an event with no id when the store gives none (see the SDK facts).
        return undefined as unknown as string;
      }
    },
    tailEventId: (streamId) => events.tailEventId(streamId),
    getStreamIdForEventId: (eventId) => events.getStreamIdForEventId(eventId),
    replayEventsAfter: (lastEventId, options) => events.replayEventsAfter(lastEventId, options),
    follow: (lastEventId, options) => events.follow(lastEventId, options),
  };
}
