import { SessionStoreError } from '../errors.js';

/** Options of {@link withBackendTimeout}. */
export interface BackendTimeoutOptions {
  /** The backend's name, for the message (`Redis`, `PostgreSQL`, ...). */
  backend: string;
  /** What the call does, for the message (`session get`). */
  what: string;
  timeoutMs: number;
  /** Runs when the bound is hit, e.g. to abort the call. */
  onTimeout?: (() => void) | undefined;
}

/**
 * Bounds one backend call: past `timeoutMs` it rejects with a retryable `BACKEND_UNAVAILABLE` ("the
 * outcome is unknown": a write may still land), so a lost connection never leaves a promise hanging.
 * The call that loses the race never surfaces later as an unhandled rejection.
 *
 * @example
 * ```ts
 * const fields = await withBackendTimeout(redis.hgetall(key), { backend: 'Redis', what: 'session get', timeoutMs: 2_000 });
 * ```
 */
export async function withBackendTimeout<T>(call: Promise<T>, options: BackendTimeoutOptions): Promise<T> {
  call.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      options.onTimeout?.();
      reject(
        new SessionStoreError(
          'BACKEND_UNAVAILABLE',
          `${options.backend} did not answer ${options.what} within ${options.timeoutMs} ms; the outcome is unknown`,
        ),
      );
    }, options.timeoutMs);
  });
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
