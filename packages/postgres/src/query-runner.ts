import { SessionStoreError } from '@mcp-session-store/core';
import type { Pool, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { bounded } from './errors.js';

/**
 * Default bound on each database call (`statementTimeoutMs`), so a lost database never leaves a
 * promise hanging: past it the call fails with `BACKEND_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const store = new PostgresSessionStore({ pool, statementTimeoutMs: 2 * DEFAULT_STATEMENT_TIMEOUT_MS });
 * ```
 */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5_000;

/** Validates a `statementTimeoutMs` option. */
export function resolveTimeout(value: number | undefined): number {
  if (value === undefined) return DEFAULT_STATEMENT_TIMEOUT_MS;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'statementTimeoutMs must be a positive integer');
  }
  return value;
}

/** Checks that `pool` looks like a `pg.Pool` (the components never create or end it). */
export function requirePool(pool: unknown): Pool {
  if (
    typeof (pool as Pool | undefined)?.query !== 'function' ||
    typeof (pool as Pool).connect !== 'function'
  ) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'pool (a pg.Pool) is required');
  }
  return pool as Pool;
}

/**
 * Runs every query of a component through the user's pool: one statement, one round trip, bounded
 * in time twice over: `query_timeout` makes `pg` drop a connection that stopped answering, and an
 * outer timer also covers the wait for a pool connection. Counts calls for tests and benchmarks.
 */
export class QueryRunner {
  private count = 0;

  constructor(
    readonly pool: Pool,
    readonly timeoutMs: number,
  ) {}

  /** How many statements were sent. */
  get calls(): number {
    return this.count;
  }

  /** Runs one parameterized statement. */
  async query<R extends QueryResultRow>(
    what: string,
    text: string,
    values: unknown[],
  ): Promise<QueryResult<R>> {
    this.count++;
    const config: QueryConfig & { query_timeout: number } = { text, values, query_timeout: this.timeoutMs };
    return bounded(this.pool.query<R>(config), this.timeoutMs, what);
  }
}
