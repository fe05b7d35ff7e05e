/**
 * Stable error codes. They never change meaning once published: match on `code`, never on `message`.
 *
 * | code | meaning | retryable |
 * | --- | --- | --- |
 * | `INVALID_SESSION_ID` | the id is not 1-256 visible ASCII characters (0x21-0x7E); no backend call was made | no |
 * | `INVALID_ARGUMENT` | another argument is malformed (not JSON, wrong type, bad channel name, bad option) | no |
 * | `SESSION_EXISTS` | `create` found a live record with that id | no |
 * | `SESSION_NOT_FOUND` | `update` found no live record (absent, expired or deleted) | no |
 * | `SESSION_CONFLICT` | `update` was given an `expectedVersion` that is not the current one | yes, after re-reading |
 * | `RECORD_TOO_LARGE` | the serialized record would exceed the store's size limit; nothing was written | no |
 * | `PAYLOAD_TOO_LARGE` | a bus payload or event exceeds the limit; nothing was sent or stored | no |
 * | `CORRUPT_RECORD` | a stored record could not be decoded; reported through `onError`, `get` returns null | no |
 * | `EVENT_NOT_FOUND` | an event id is unknown, expired, trimmed or belongs to another session | no |
 * | `HANDLER_ERROR` | a bus subscriber's handler threw; reported through `onError`, other deliveries go on | no |
 * | `BACKEND_UNAVAILABLE` | the backend could not be reached or timed out; the outcome of a write is unknown | yes |
 * | `BACKEND_ERROR` | the backend answered with an error that retrying will not fix (wrong type, bad config) | no |
 * | `CLOSED` | the store, event store or bus was closed | no |
 */
export const ErrorCodes = {
  INVALID_SESSION_ID: 'INVALID_SESSION_ID',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  SESSION_EXISTS: 'SESSION_EXISTS',
  SESSION_NOT_FOUND: 'SESSION_NOT_FOUND',
  SESSION_CONFLICT: 'SESSION_CONFLICT',
  RECORD_TOO_LARGE: 'RECORD_TOO_LARGE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  CORRUPT_RECORD: 'CORRUPT_RECORD',
  EVENT_NOT_FOUND: 'EVENT_NOT_FOUND',
  HANDLER_ERROR: 'HANDLER_ERROR',
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  BACKEND_ERROR: 'BACKEND_ERROR',
  CLOSED: 'CLOSED',
} as const;

/** One of the stable {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['SESSION_CONFLICT', 'BACKEND_UNAVAILABLE']);

// A global symbol brands our errors so that `isSessionStoreError` works even when two copies of core
// are loaded (ESM and CJS, or two versions): `instanceof` would fail across copies.
const BRAND = Symbol.for('@mcp-session-store/core/SessionStoreError');

/** Options of {@link SessionStoreError}. */
export interface SessionStoreErrorOptions {
  /** The driver error this one wraps. */
  cause?: unknown;
  /** Overrides the code's default `retryable` flag. */
  retryable?: boolean;
  /** Machine-readable facts (never secrets, never a full session id). */
  details?: Record<string, unknown>;
}

/**
 * The one error type every store, event store and bus throws.
 *
 * @example
 * ```ts
 * try {
 *   await store.update(id, { metadata: { n: 1 } }, { expectedVersion: 3 });
 * } catch (err) {
 *   if (isSessionStoreError(err, 'SESSION_CONFLICT')) {
 *     // re-read and retry
 *   } else throw err;
 * }
 * ```
 */
export class SessionStoreError extends Error {
  /** Stable code: see {@link ErrorCodes}. */
  readonly code: ErrorCode;
  /** True when the same call may succeed if tried again (after re-reading, for a conflict). */
  readonly retryable: boolean;
  /** Machine-readable facts about the failure. */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: SessionStoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SessionStoreError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE.has(code);
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True if `err` is a {@link SessionStoreError} (from any copy of this package), optionally with the
 * given code.
 */
export function isSessionStoreError(err: unknown, code?: ErrorCode): err is SessionStoreError {
  if (typeof err !== 'object' || err === null) return false;
  if ((err as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (err as SessionStoreError).code === code;
}
