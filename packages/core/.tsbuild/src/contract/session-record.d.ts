import type { JsonObject } from '../json.js';
/** MCP logging levels (RFC 5424 names), as `logging/setLevel` sends them. */
export type LoggingLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency';
/** The client's `clientInfo` from `initialize`: at least a name and a version. */
export interface ClientInfo extends JsonObject {
    name: string;
    version: string;
}
/**
 * What another process needs to serve a session it has never seen: plain JSON, so every backend
 * stores it as-is. Times are epoch milliseconds (numbers, never `Date`).
 */
export interface SessionRecord {
    /** The `Mcp-Session-Id`: 1-256 visible ASCII characters. */
    readonly id: string;
    /** Who created the session (e.g. the OAuth subject), or null for an unauthenticated server. */
    readonly principal: string | null;
    /** The protocol version negotiated by `initialize`. */
    readonly protocolVersion: string;
    /** The client's `clientInfo` from `initialize`. */
    readonly clientInfo: ClientInfo;
    /** The client's `capabilities` from `initialize` (they gate sampling, elicitation, roots). */
    readonly clientCapabilities: JsonObject;
    /** The level set by `logging/setLevel`, or null if the client never set one. */
    readonly logLevel: LoggingLevel | null;
    /** Application data. `update` merges it by top-level key. */
    readonly metadata: JsonObject;
    /** When `create` wrote the record. */
    readonly createdAt: number;
    /** The last `create` or `touch`. */
    readonly lastActivityAt: number;
    /** After this instant the record is gone for every reader, whether or not the backend deleted it yet. */
    readonly expiresAt: number;
    /** 1 on create, +1 on every `update`. `touch` does not change it, so activity never breaks a CAS. */
    readonly version: number;
}
/** What `create` takes: the record minus what the store computes (times and version). */
export interface NewSession {
    id: string;
    principal?: string | null;
    protocolVersion: string;
    clientInfo: ClientInfo;
    clientCapabilities?: JsonObject;
    logLevel?: LoggingLevel | null;
    metadata?: JsonObject;
}
/**
 * What `update` may change. Absent fields are left as they are. `id`, `principal` and the times
 * cannot be changed: a session never changes owner.
 */
export interface SessionPatch {
    protocolVersion?: string;
    clientInfo?: ClientInfo;
    clientCapabilities?: JsonObject;
    logLevel?: LoggingLevel | null;
    /** Merged into the stored metadata by top-level key (a key set here replaces that key's value). */
    metadata?: JsonObject;
    /** Top-level metadata keys to remove (applied after the merge). */
    unsetMetadata?: readonly string[];
}
/** Every logging level, lowest first. */
export declare const LOGGING_LEVELS: readonly LoggingLevel[];
//# sourceMappingURL=session-record.d.ts.map