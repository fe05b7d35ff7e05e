import type { EventStoreBaseOptions } from '../contract/event-store.js';
import { DEFAULT_MAX_RECORD_BYTES, type SessionStoreBaseOptions } from '../contract/session-store.js';
import { SessionStoreError } from '../errors.js';

/** Default idle TTL: one hour, as in the original `SessionStore` proposal (`ttlSeconds: 3600`). */
export const DEFAULT_IDLE_TTL_MS = 60 * 60 * 1000;

/** The resolved time and size limits of a store. */
export interface StoreLimits {
  readonly idleTtlMs: number;
  readonly maxLifetimeMs: number | null;
  readonly maxRecordBytes: number;
}

function positiveInteger(name: string, value: number | undefined, fallback: number | null): number | null {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SessionStoreError(
      'INVALID_ARGUMENT',
      `${name} must be a positive integer, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Validates and fills in the common store options. Adapters call it in their constructor so a bad
 * option fails at start-up with `INVALID_ARGUMENT`, not at the first request.
 */
export function resolveStoreLimits(options: SessionStoreBaseOptions): StoreLimits {
  return {
    idleTtlMs: positiveInteger('idleTtlMs', options.idleTtlMs, DEFAULT_IDLE_TTL_MS)!,
    maxLifetimeMs: positiveInteger('maxLifetimeMs', options.maxLifetimeMs, null),
    maxRecordBytes: positiveInteger('maxRecordBytes', options.maxRecordBytes, DEFAULT_MAX_RECORD_BYTES)!,
  };
}

/** The expiry a record gets when it is active at `now`: idle TTL, capped by the max lifetime. */
export function expiryAt(createdAt: number, now: number, limits: StoreLimits): number {
  const idle = now + limits.idleTtlMs;
  return limits.maxLifetimeMs === null ? idle : Math.min(idle, createdAt + limits.maxLifetimeMs);
}

/** Default event retention after the last append: one hour, like the default session idle TTL. */
export const DEFAULT_EVENT_TTL_MS = 60 * 60 * 1000;
/** Default number of events kept per stream. */
export const DEFAULT_MAX_EVENTS_PER_STREAM = 1_000;

/** The resolved retention of an event store. */
export interface EventStoreLimits {
  /** Retention after the last append, ms. */
  readonly ttlMs: number;
  /** Events kept per stream before the oldest are trimmed. */
  readonly maxEventsPerStream: number;
}

/** Validates and fills in the common event store options (`INVALID_ARGUMENT` for a bad one). */
export function resolveEventStoreLimits(options: EventStoreBaseOptions): EventStoreLimits {
  return {
    ttlMs: positiveInteger('ttlMs', options.ttlMs, DEFAULT_EVENT_TTL_MS)!,
    maxEventsPerStream: positiveInteger(
      'maxEventsPerStream',
      options.maxEventsPerStream,
      DEFAULT_MAX_EVENTS_PER_STREAM,
    )!,
  };
}
