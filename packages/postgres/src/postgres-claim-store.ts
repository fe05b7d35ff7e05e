import {
  type ClaimStore,
  type ClaimStoreBaseOptions,
  type ClaimStoreCapabilities,
  closedError,
  validateClaim,
} from '@mcp-session-store/core';
import type { Pool } from 'pg';
import { type ClaimStatements, claimStatements } from './claim-sql.js';
import { PostgresNames, type PostgresNamingOptions } from './names.js';
import { QueryRunner, requirePool, resolveTimeout } from './query-runner.js';
import { backgroundSweeper, resolveSweepLimit, type Sweeper, type SweepOptions } from './sweeper.js';

/**
 * Options of {@link PostgresClaimStore}.
 *
 * @example
 * ```ts
 * const options: PostgresClaimStoreOptions = {
 *   pool,
 *   schema: 'mcp',
 *   sweepIntervalMs: 60_000,
 *   onError: (error) => log.warn(error.code, error.message),
 * };
 * ```
 */
export interface PostgresClaimStoreOptions extends ClaimStoreBaseOptions, PostgresNamingOptions {
  /** Your `pg.Pool`. The store never ends it. */
  pool: Pool;
  /** Bound on each database call; past it the call fails with `BACKEND_UNAVAILABLE`. Default 5000 ms. */
  statementTimeoutMs?: number | undefined;
  /**
   * Runs {@link PostgresClaimStore.sweepExpired} this often in the background (unref'd timer,
   * stopped by `close()`; failures go to `onError`). Default: no background sweep.
   */
  sweepIntervalMs?: number | undefined;
  /** Most rows one background sweep removes. Default 1000. */
  sweepLimit?: number | undefined;
}

const CAPABILITIES: ClaimStoreCapabilities = Object.freeze({
  adapter: '@mcp-session-store/postgres',
  clock: 'backend',
  // An expired claim can be claimed again at once, but its row is only removed by sweepExpired().
  nativeTtl: false,
  sharedAcrossProcesses: true,
  ttlGranularityMs: 1,
});

/**
 * A {@link ClaimStore} on PostgreSQL (`pg`): each claim is one `INSERT ... ON CONFLICT DO UPDATE
 * ... WHERE expires_at <= now()` on the `<prefix>claims` table, so the database picks the one
 * winner and judges expiry by its own clock. Expired rows are removed by
 * {@link PostgresClaimStore.sweepExpired} (run it with `sweepIntervalMs`). Run {@link migrate}
 * first (schema version 2 or later), with the same `schema`/`tablePrefix`: those keep installations
 * apart, as for the other components.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { migrate, PostgresClaimStore } from '@mcp-session-store/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const claims = new PostgresClaimStore({ pool, sweepIntervalMs: 60_000 });
 * if (!(await claims.claim(`rs:${stateId}`, 600_000))) throw new Error('requestState already used');
 * ```
 */
export class PostgresClaimStore implements ClaimStore {
  readonly capabilities = CAPABILITIES;
  /** The validated table names this store uses. */
  readonly names: PostgresNames;
  private readonly runner: QueryRunner;
  private readonly sql: ClaimStatements;
  private readonly sweeper: Sweeper | undefined;
  private closed = false;

  constructor(options: PostgresClaimStoreOptions) {
    const pool = requirePool(options?.pool);
    this.names = new PostgresNames(options);
    this.runner = new QueryRunner(pool, resolveTimeout(options.statementTimeoutMs));
    this.sql = claimStatements(this.names);
    this.sweeper = backgroundSweeper(options, (sweep) => this.sweepExpired(sweep));
  }

  /** How many statements this store has sent (one per claim, one per sweep). */
  get backendCalls(): number {
    return this.runner.calls;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    validateClaim(key, ttlMs);
    const { rows } = await this.runner.query('claim', this.sql.claim, [key, ttlMs]);
    return rows.length === 1;
  }

  /**
   * Removes at most `limit` expired claims. Expired claims can already be claimed again; this only
   * reclaims space. Safe to run on every pod at once (`FOR UPDATE SKIP LOCKED`). Returns how many
   * rows it removed.
   *
   * @example
   * ```ts
   * let removed;
   * do removed = await claims.sweepExpired({ limit: 500 }); while (removed > 0);
   * ```
   */
  async sweepExpired(options: SweepOptions = {}): Promise<number> {
    this.assertOpen();
    const limit = resolveSweepLimit(options.limit);
    const { rows } = await this.runner.query<{ removed: number }>('claim sweep', this.sql.sweep, [limit]);
    return rows[0]?.removed ?? 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.sweeper?.stop();
  }

  private assertOpen(): void {
    if (this.closed) throw closedError('PostgresClaimStore');
  }
}
