import { type Clock, type ListOptions, type NewSession, type SessionPage, type SessionPatch, type SessionRecord, type SessionStore, type SessionStoreBaseOptions, type SessionStoreCapabilities, type UpdateOptions } from '@mcp-session-store/core';
import { MemoryBackend } from './backend.js';
/** Options of {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions extends SessionStoreBaseOptions {
    /** Share data with other components (see {@link MemoryBackend}). Default: a private backend. */
    backend?: MemoryBackend;
    /** Isolates this store's records from other namespaces of the same backend. Default `'mcp'`. */
    namespace?: string;
    /** Time source; tests pass a `TestClock`. Default: the system clock. */
    clock?: Clock;
    /** How often expired records are removed from memory, in ms; 0 disables. Default 60 000. */
    sweepIntervalMs?: number;
}
/**
 * A {@link SessionStore} in process memory. Every operation completes synchronously inside one
 * call, so each is atomic. For a single process, tests and development: records do not survive a
 * restart and are not seen by other processes (use the Redis, PostgreSQL or DynamoDB adapter there).
 *
 * @example
 * ```ts
 * import { MemorySessionStore } from '@mcp-session-store/memory';
 *
 * const store = new MemorySessionStore({ idleTtlMs: 30 * 60_000 });
 * const record = await store.create({
 *   id: 'session-1',
 *   protocolVersion: '2025-11-25',
 *   clientInfo: { name: 'my-client', version: '1.0.0' },
 * });
 * await store.touch(record.id);
 * ```
 */
export declare class MemorySessionStore implements SessionStore {
    readonly capabilities: SessionStoreCapabilities;
    private readonly backend;
    private readonly namespace;
    private readonly clock;
    private readonly limits;
    private readonly onError;
    private readonly stopSweeper;
    private closed;
    constructor(options?: MemorySessionStoreOptions);
    create(session: NewSession): Promise<SessionRecord>;
    get(id: string): Promise<SessionRecord | null>;
    update(id: string, patch: SessionPatch, options?: UpdateOptions): Promise<SessionRecord>;
    touch(id: string): Promise<boolean>;
    delete(id: string): Promise<boolean>;
    list(principal: string, options?: ListOptions): Promise<SessionPage>;
    /** Removes expired records from memory now; returns how many. The sweeper calls it periodically. */
    sweepExpired(): number;
    close(): Promise<void>;
    private state;
    private assertOpen;
    /** The live record, removing an expired one on the way; null if absent, expired or corrupt. */
    private live;
    private put;
    private remove;
}
//# sourceMappingURL=memory-session-store.d.ts.map