import {
  type ClaimStore,
  type ClaimStoreBaseOptions,
  type ClaimStoreCapabilities,
  closedError,
  SessionStoreError,
  validateClaim,
} from '@mcp-session-store/core';
import { CommandRunner } from './command-runner.js';
import { RedisKeys } from './keys.js';
import type { RedisClient } from './redis-client.js';

/**
 * Options of {@link RedisClaimStore}.
 *
 * @example
 * ```ts
 * const options: RedisClaimStoreOptions = { redis, keyPrefix: 'mcp:', commandTimeoutMs: 1_000 };
 * ```
 */
export interface RedisClaimStoreOptions extends ClaimStoreBaseOptions {
  /** Your ioredis client: a `Redis` or a `Cluster`. The store never closes it. */
  redis: RedisClient;
  /** Prefix of every key. Default `'mcp:session:'`. No `{` or `}`. Give it the session store's. */
  keyPrefix?: string | undefined;
  /** Bound on each Redis call; past it the call fails with `BACKEND_UNAVAILABLE`. Default 2000 ms. */
  commandTimeoutMs?: number | undefined;
}

const CAPABILITIES: ClaimStoreCapabilities = Object.freeze({
  adapter: '@mcp-session-store/redis',
  clock: 'backend',
  nativeTtl: true,
  sharedAcrossProcesses: true,
  ttlGranularityMs: 1,
});

/**
 * A {@link ClaimStore} on Redis (ioredis), standalone or Cluster: each claim is one
 * `SET <prefix>claim:{<key>} 1 NX PX <ttlMs>`, a single key (Cluster safe), so Redis itself picks
 * the one winner and expires the claim natively, by its own clock.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisClaimStore } from '@mcp-session-store/redis';
 *
 * const claims = new RedisClaimStore({ redis: new Redis(process.env.REDIS_URL) });
 * if (!(await claims.claim(`rs:${stateId}`, 600_000))) throw new Error('requestState already used');
 * ```
 */
export class RedisClaimStore implements ClaimStore {
  readonly capabilities = CAPABILITIES;
  private readonly keys: RedisKeys;
  private readonly runner: CommandRunner;
  private closed = false;

  constructor(options: RedisClaimStoreOptions) {
    if (!options?.redis)
      throw new SessionStoreError('INVALID_ARGUMENT', 'redis (an ioredis client) is required');
    this.keys = new RedisKeys(options.keyPrefix);
    this.runner = new CommandRunner(options.redis, options.commandTimeoutMs);
  }

  /** How many calls this store has sent to Redis (one per claim). */
  get backendCalls(): number {
    return this.runner.calls;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    // Stryker disable next-line StringLiteral: only the component's name in a CLOSED message; the suites check the code and that a message is there
    if (this.closed) throw closedError('RedisClaimStore');
    validateClaim(key, ttlMs);
    const reply = await this.runner.run('claim', (redis) =>
      redis.set(this.keys.claim(key), '1', 'PX', ttlMs, 'NX'),
    );
    return reply === 'OK';
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
