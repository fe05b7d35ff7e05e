import {
  type ClaimStore,
  type ClaimStoreBaseOptions,
  type ClaimStoreCapabilities,
  type Clock,
  closedError,
  SessionStoreError,
  systemClock,
  validateClaim,
} from '@mcp-session-store/core';
import { DEFAULT_NAMESPACE, MemoryBackend, type NamespaceState } from './backend.js';
import { startSweeper } from './sweeper.js';

/** Options of {@link MemoryClaimStore}. */
export interface MemoryClaimStoreOptions extends ClaimStoreBaseOptions {
  /** Share claims with other components (see {@link MemoryBackend}). Default: a private backend. */
  backend?: MemoryBackend | undefined;
  /** Isolates this store's claims from other namespaces of the same backend. Default `'mcp'`. */
  namespace?: string | undefined;
  /** Time source; tests pass a `TestClock`. Default: the system clock. */
  clock?: Clock | undefined;
  /** How often expired claims are removed from memory, in ms; 0 disables. Default 60 000. */
  sweepIntervalMs?: number | undefined;
}

const CAPABILITIES: ClaimStoreCapabilities = Object.freeze({
  adapter: '@mcp-session-store/memory',
  clock: 'injectable',
  nativeTtl: false,
  sharedAcrossProcesses: false,
  ttlGranularityMs: 1,
});

/**
 * A {@link ClaimStore} in process memory: at-most-once claims for one process (tests, development,
 * a single-process server consuming `requestState` once). Each `claim` checks and records in one
 * synchronous step, so exactly one of any number of concurrent callers wins. Claims on one
 * {@link MemoryBackend} are shared by every claim store attached to it; they are not seen by other
 * processes (use a shared-backend adapter, e.g. Redis, for a cluster). Expired claims are removed
 * when met and by a periodic sweep, so they do not accumulate.
 *
 * @example
 * ```ts
 * import { MemoryClaimStore } from '@mcp-session-store/memory';
 *
 * const claims = new MemoryClaimStore();
 * await claims.claim('rs:3f9c', 600_000); // true: first use
 * await claims.claim('rs:3f9c', 600_000); // false: already used, for the next 10 minutes
 * ```
 */
export class MemoryClaimStore implements ClaimStore {
  readonly capabilities = CAPABILITIES;
  private readonly backend: MemoryBackend;
  private readonly namespace: string;
  private readonly clock: Clock;
  private readonly stopSweeper: () => void;
  private closed = false;

  constructor(options: MemoryClaimStoreOptions = {}) {
    this.backend = options.backend ?? new MemoryBackend();
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    this.clock = options.clock ?? systemClock;
    const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    if (!Number.isSafeInteger(sweepIntervalMs) || sweepIntervalMs < 0) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'sweepIntervalMs must be a non-negative integer');
    }
    this.stopSweeper = startSweeper(sweepIntervalMs, () => this.sweepExpired());
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    if (this.closed) throw closedError('MemoryClaimStore');
    validateClaim(key, ttlMs);
    const claims = this.state().claims;
    const now = this.clock.now();
    const endsAt = claims.get(key);
    if (endsAt !== undefined && endsAt > now) return false;
    claims.set(key, now + ttlMs);
    return true;
  }

  /** Removes expired claims from memory now; returns how many. The sweeper calls it periodically. */
  sweepExpired(): number {
    if (this.closed) return 0;
    const claims = this.state().claims;
    const now = this.clock.now();
    let removed = 0;
    for (const [key, endsAt] of claims) {
      if (endsAt <= now) {
        claims.delete(key);
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopSweeper();
  }

  private state(): NamespaceState {
    return this.backend.state(this.namespace);
  }
}
