import { CLAIM_KEY_PATTERN, MAX_CLAIM_TTL_MS } from '../contract/claim-store.js';
import { SessionStoreError } from '../errors.js';

/**
 * Checks the arguments of `ClaimStore.claim` before any backend call: `INVALID_ARGUMENT` unless
 * `key` matches {@link CLAIM_KEY_PATTERN} and `ttlMs` is an integer from 1 to {@link MAX_CLAIM_TTL_MS}.
 * The key is never put in the error (it may be derived from a client-held value).
 *
 * @example
 * ```ts
 * async claim(key: string, ttlMs: number): Promise<boolean> {
 *   validateClaim(key, ttlMs);
 *   if (this.closed) throw closedError('MyClaimStore');
 *   return (await this.redis.set(this.prefix + key, '1', 'PX', ttlMs, 'NX')) === 'OK';
 * }
 * ```
 */
export function validateClaim(key: unknown, ttlMs: unknown): void {
  if (typeof key !== 'string' || !CLAIM_KEY_PATTERN.test(key)) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'A claim key must be 1-256 visible ASCII characters');
  }
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_CLAIM_TTL_MS) {
    throw new SessionStoreError(
      'INVALID_ARGUMENT',
      `A claim TTL must be an integer number of ms from 1 to ${MAX_CLAIM_TTL_MS}`,
    );
  }
}
