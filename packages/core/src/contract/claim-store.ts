import type { SessionStoreError } from '../errors.js';
import type { ClaimStoreCapabilities } from './capabilities.js';

/** Longest claim: 7 days. A claim guards something that expires (a `requestState`), never forever. */
export const MAX_CLAIM_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** What a claim key may look like: 1-256 visible ASCII characters (0x21-0x7E). */
export const CLAIM_KEY_PATTERN = /^[\x21-\x7e]{1,256}$/;

/** Options every claim store accepts (adapters add their own: client, namespace, ...). */
export interface ClaimStoreBaseOptions {
  /**
   * Called with problems that are not thrown to the caller (a failed background sweep). Never
   * called with a claim key in clear: keys may be derived from client-held values.
   */
  onError?: ((error: SessionStoreError) => void) | undefined;
}

/**
 * At-most-once claims shared by every process of a server: the first caller to claim a key wins,
 * every other caller, on any process, loses until the claim expires. This is what a 2026-07-28
 * server needs to consume a `requestState` at most once when the retry may land on any pod (the
 * spec: where state must be consumed at most once, the server MUST enforce it server-side).
 *
 * Guarantees, for one namespace:
 * - **Exactly one winner.** Of N concurrent `claim(key, ttl)` calls on any processes, exactly one
 *   resolves `true`; the others resolve `false`. A later call resolves `false` while the claim lives.
 *   A losing call changes nothing: it neither extends nor shortens the claim it lost to.
 * - **Bounded life.** A claim lives `ttlMs` from the winning call (by the backend's clock or the
 *   injected one, per `capabilities.clock`): never less (a claim that ended early would let a
 *   consumed value be used twice), at most `capabilities.ttlGranularityMs` more. With an injected
 *   clock the end is exact and exclusive: claimed at `t`, it is held at `t + ttlMs - 1` and free at
 *   `t + ttlMs`. After that the key may be claimed again, and the backend removes it (natively where
 *   `capabilities.nativeTtl`, else by the adapter's sweep, which may have to be switched on: see the
 *   adapter's options), so expired claims do not accumulate. Pick a TTL at least as long as the
 *   thing claimed stays valid.
 * - Keys are compared exactly (byte for byte); no character of {@link CLAIM_KEY_PATTERN} is special
 *   (`*`, `?`, `[`, `{`, `%`, `\`, `:` included). Namespaces (the adapter's prefix, table, ...)
 *   never see each other's claims.
 * - **No false wins on faults.** When the backend cannot be reached the call rejects with
 *   `BACKEND_UNAVAILABLE` (retryable, in bounded time): a caller never reads `true` for a claim
 *   that was not recorded. (If the write landed but its answer was lost, a retry reads `false`:
 *   the claim is then lost, never doubled.)
 * - Bad input (`INVALID_ARGUMENT`: a key outside {@link CLAIM_KEY_PATTERN}, a TTL that is not a
 *   positive integer up to {@link MAX_CLAIM_TTL_MS}) is refused before any backend call, and
 *   records nothing (`validateClaim` from core does the check).
 * - After `close()`, calls reject with `CLOSED`.
 *
 * `claimStoreSuite` (`@mcp-session-store/core/conformance`) checks every rule above but the fault one,
 * which each adapter proves with a fault test on its own backend.
 *
 * @example
 * ```ts
 * // Consume a requestState at most once across pods (its id minted into the state):
 * if (!(await claims.claim(`rs:${stateId}`, 600_000))) throw new Error('requestState already used');
 * ```
 */
export interface ClaimStore {
  readonly capabilities: ClaimStoreCapabilities;
  /**
   * Claims `key` for `ttlMs` milliseconds. Resolves `true` for the one caller that got it, `false`
   * for every other caller while the claim lives.
   *
   * @throws SessionStoreError `INVALID_ARGUMENT`, `BACKEND_UNAVAILABLE`, `BACKEND_ERROR`, `CLOSED`.
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Releases what the store created (not a client the user passed in). Idempotent. */
  close(): Promise<void>;
}
