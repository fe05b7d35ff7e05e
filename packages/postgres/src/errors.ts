import { isSessionStoreError, SessionStoreError, withBackendTimeout } from '@mcp-session-store/core';

// SQLSTATE classes and codes that mean "not now" rather than "never": retrying may succeed.
// 08 connection exception, 53 insufficient resources, 57P01-57P05 shutdown / cannot connect now,
// 57014 query canceled (statement_timeout), 40001 serialization failure, 40P01 deadlock,
// 55P03 lock not available, 58000/58030 system and I/O errors.
const TRANSIENT_CLASSES = new Set(['08', '53']);
const TRANSIENT_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '57P04',
  '57P05',
  '57014',
  '40001',
  '40P01',
  '55P03',
  '58000',
  '58030',
]);

/** The SQLSTATE of a server error, or undefined for a network or driver error. */
function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Maps a `pg` error to a `SessionStoreError`, keeping it as `cause`. Network errors, timeouts and
 * transient server states give `BACKEND_UNAVAILABLE` (retryable); other server errors (a missing
 * table, a permission) give `BACKEND_ERROR`.
 */
export function toStoreError(err: unknown, what: string): SessionStoreError {
  if (isSessionStoreError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  const state = sqlState(err);
  if (state !== undefined && !TRANSIENT_CLASSES.has(state.slice(0, 2)) && !TRANSIENT_CODES.has(state)) {
    // 42P01 (undefined table) and 3F000 (undefined schema) mean the schema was never migrated.
    const hint = state === '42P01' || state === '3F000' ? ' (did you run migrate()?)' : '';
    return new SessionStoreError('BACKEND_ERROR', `PostgreSQL refused ${what}: ${message}${hint}`, {
      cause: err,
      details: { sqlState: state },
    });
  }
  return new SessionStoreError('BACKEND_UNAVAILABLE', `PostgreSQL unavailable during ${what}: ${message}`, {
    cause: err,
    ...(state !== undefined && { details: { sqlState: state } }),
  });
}

/**
 * Settles with `promise` or, after `timeoutMs`, rejects with `BACKEND_UNAVAILABLE`: no caller ever
 * waits on a database that does not answer. Driver errors are mapped with {@link toStoreError}.
 */
export async function bounded<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  try {
    return await withBackendTimeout(promise, { backend: 'PostgreSQL', what, timeoutMs });
  } catch (err) {
    throw toStoreError(err, what);
  }
}
