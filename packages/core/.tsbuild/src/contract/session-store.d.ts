import type { SessionStoreError } from '../errors.js';
import type { SessionStoreCapabilities } from './capabilities.js';
import type { NewSession, SessionPatch, SessionRecord } from './session-record.js';
/** Default largest serialized record: 256 KiB of JSON text. */
export declare const DEFAULT_MAX_RECORD_BYTES: number;
/** Options every store accepts (adapters add their own). */
export interface SessionStoreBaseOptions {
    /** Idle time-to-live: a record not touched for this long expires. */
    idleTtlMs?: number;
    /** Absolute cap on a session's life from `createdAt`, whatever its activity. Unset: no cap. */
    maxLifetimeMs?: number;
    /** Largest record, in bytes of its JSON text. Default {@link DEFAULT_MAX_RECORD_BYTES}. */
    maxRecordBytes?: number;
    /**
     * Called with problems that are not thrown to the caller: a corrupt record (`CORRUPT_RECORD`; `get`
     * then returns null), a failed background sweep. Never called with a full session id.
     */
    onError?: (error: SessionStoreError) => void;
}
/** Options of {@link SessionStore.update}. */
export interface UpdateOptions {
    /**
     * Compare-and-set: write only if the stored `version` equals this, else `SESSION_CONFLICT`.
     * Omit for last-writer-wins.
     */
    expectedVersion?: number;
}
/** Options of {@link SessionStore.list}. */
export interface ListOptions {
    /** Page size, 1-1000. Default 100. */
    limit?: number;
    /** The `nextCursor` of the previous page; omit for the first page. */
    cursor?: string | null;
}
/** One page of {@link SessionStore.list}. */
export interface SessionPage {
    records: SessionRecord[];
    /** Pass it back for the next page; null when this was the last one. */
    nextCursor: string | null;
}
/**
 * Durable session records shared by every process of an MCP server.
 *
 * Every method validates the session id first (1-256 visible ASCII characters) and throws
 * `INVALID_SESSION_ID` without calling the backend. Records are plain JSON; what a method returns
 * is the caller's copy (mutating it changes nothing stored). Two stores with different namespaces
 * (key prefix, table, schema) never see each other's records.
 *
 * Errors are {@link SessionStoreError}s with stable codes; a backend that cannot be reached gives
 * `BACKEND_UNAVAILABLE` (retryable) within a bounded time, never a hanging promise.
 *
 * @example
 * ```ts
 * const record = await store.create({
 *   id: generateSessionId(),
 *   principal: 'user-42',
 *   protocolVersion: '2025-11-25',
 *   clientInfo: { name: 'inspector', version: '1.0.0' },
 *   clientCapabilities: { elicitation: {} },
 * });
 * await store.touch(record.id);                         // slide the idle expiry
 * await store.update(record.id, { logLevel: 'debug' }, { expectedVersion: record.version });
 * await store.delete(record.id);
 * ```
 */
export interface SessionStore {
    /** What this store can do. */
    readonly capabilities: SessionStoreCapabilities;
    /**
     * Atomically writes a new record with `version` 1, `createdAt` = `lastActivityAt` = now and
     * `expiresAt` = now + idle TTL (capped by the max lifetime). Never overwrites a live record
     * (`SESSION_EXISTS`); an expired one may be replaced. `RECORD_TOO_LARGE` if the record exceeds the
     * size limit, `INVALID_ARGUMENT` if a field is not of its type or not JSON. Returns the record.
     */
    create(session: NewSession): Promise<SessionRecord>;
    /**
     * The live record, or null if it is absent, expired (even if the backend has not deleted it yet)
     * or corrupt. A corrupt record is reported through `onError` as `CORRUPT_RECORD`, never thrown.
     */
    get(id: string): Promise<SessionRecord | null>;
    /**
     * Atomically applies `patch` to the live record and increments `version`. Fields not in the patch
     * are untouched; `metadata` is merged by top-level key, then `unsetMetadata` keys are removed.
     * Expiry and activity times are untouched. With `expectedVersion`, writes only if the stored
     * version matches (`SESSION_CONFLICT` otherwise, details.currentVersion says the current one).
     * `SESSION_NOT_FOUND` if there is no live record; `RECORD_TOO_LARGE` if the result is too big (the
     * stored record is then unchanged). Returns the new record.
     */
    update(id: string, patch: SessionPatch, options?: UpdateOptions): Promise<SessionRecord>;
    /**
     * Atomically slides expiry: `lastActivityAt` = now, `expiresAt` = now + idle TTL, capped at
     * `createdAt` + max lifetime. Returns false, writing nothing, if there is no live record: a touch
     * can never bring back a deleted or expired record. Does not change `version`.
     */
    touch(id: string): Promise<boolean>;
    /** Removes the record. Idempotent: returns whether a live record was deleted. */
    delete(id: string): Promise<boolean>;
    /**
     * Live records of one principal, a page at a time, through an index (never a scan of the whole
     * keyspace). Each live record appears exactly once across the pages of one listing, provided no
     * record is created or deleted meanwhile. Present only when `capabilities.listByPrincipal`.
     */
    list?(principal: string, options?: ListOptions): Promise<SessionPage>;
    /**
     * Releases what the store itself created (timers, its own connections). A client the user passed
     * in is left open: the user owns it. Later calls throw `CLOSED`.
     */
    close(): Promise<void>;
}
//# sourceMappingURL=session-store.d.ts.map