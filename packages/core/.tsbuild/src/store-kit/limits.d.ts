import { type SessionStoreBaseOptions } from '../contract/session-store.js';
/** Default idle TTL: one hour, as in the original `SessionStore` proposal (`ttlSeconds: 3600`). */
export declare const DEFAULT_IDLE_TTL_MS: number;
/** The resolved time and size limits of a store. */
export interface StoreLimits {
    readonly idleTtlMs: number;
    readonly maxLifetimeMs: number | null;
    readonly maxRecordBytes: number;
}
/**
 * Validates and fills in the common store options. Adapters call it in their constructor so a bad
 * option fails at start-up with `INVALID_ARGUMENT`, not at the first request.
 */
export declare function resolveStoreLimits(options: SessionStoreBaseOptions): StoreLimits;
/** The expiry a record gets when it is active at `now`: idle TTL, capped by the max lifetime. */
export declare function expiryAt(createdAt: number, now: number, limits: StoreLimits): number;
//# sourceMappingURL=limits.d.ts.map