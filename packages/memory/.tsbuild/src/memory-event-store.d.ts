import { type Clock, type EventStoreBaseOptions, type EventStoreCapabilities, type EventStoreFactory, type SessionEventStore } from '@mcp-session-store/core';
import { MemoryBackend } from './backend.js';
/** Options of {@link MemoryEventStore}. */
export interface MemoryEventStoreOptions extends EventStoreBaseOptions {
    /** Share events with other components (see {@link MemoryBackend}). Default: a private backend. */
    backend?: MemoryBackend;
    /** Isolates these events from other namespaces of the same backend. Default `'mcp'`. */
    namespace?: string;
    /** Time source; tests pass a `TestClock`. Default: the system clock. */
    clock?: Clock;
    /** How often expired sessions' events are removed from memory, in ms; 0 disables. Default 60 000. */
    sweepIntervalMs?: number;
}
/**
 * Resumable-stream storage in process memory: the SDK's `EventStore` per session, with the rules
 * of the contract (ids that resolve to their stream, priming events never replayed, foreign ids
 * refused, a cap per stream, expiry with the session, live `follow`).
 *
 * @example
 * ```ts
 * const events = new MemoryEventStore({ ttlMs: 30 * 60_000 });
 * const transport = new StreamableHTTPServerTransport({
 *   sessionIdGenerator: () => sessionId,
 *   eventStore: events.forSession(sessionId),
 * });
 * ```
 */
export declare class MemoryEventStore implements EventStoreFactory {
    readonly capabilities: EventStoreCapabilities;
    private readonly backend;
    private readonly namespace;
    private readonly clock;
    private readonly ttlMs;
    private readonly maxEventsPerStream;
    private readonly stopSweeper;
    private readonly followers;
    private closed;
    constructor(options?: MemoryEventStoreOptions);
    forSession(sessionId: string): SessionEventStore;
    purgeSession(sessionId: string): Promise<void>;
    /** Removes expired sessions' events from memory now; returns how many sessions. */
    sweepExpired(): number;
    close(): Promise<void>;
    private state;
    private assertOpen;
    /** The live events of a session, dropping them if they expired. */
    private session;
    private store;
    private find;
    private require;
    /** Stored, non-priming events of `start`'s stream after it. */
    private after;
    private follow;
}
//# sourceMappingURL=memory-event-store.d.ts.map