import { SessionStoreError } from '@mcp-session-store/core';
import pg from 'pg';

/**
 * Where the event store and the bus get their own long-lived connection (for LISTEN). Useful when
 * the pool goes through a transaction-pooling proxy (PgBouncer), where LISTEN does not work: point
 * this connection at the database directly.
 *
 * @example
 * ```ts
 * const bus = new PostgresMessageBus({ pool, connectionString: process.env.DATABASE_DIRECT_URL });
 * const events = new PostgresEventStore({
 *   pool,
 *   listenClient: () => new pg.Client({ connectionString: process.env.DATABASE_DIRECT_URL, keepAlive: true }),
 * });
 * ```
 */
export interface DedicatedClientOptions {
  /**
   * Builds the component's own connection (a new, unconnected `pg.Client` per call: it is called
   * again to reconnect). Default: a `pg.Client` with `connectionString`, or with your pool's config.
   */
  listenClient?: (() => pg.Client) | undefined;
  /** Connection string of that connection, when it should differ from the pool's config. */
  connectionString?: string | undefined;
}

/**
 * A factory of the component's dedicated connection. Built from the pool's own config by default,
 * with TCP keep-alive (a dead peer is noticed) and a connect timeout (a connect never hangs).
 */
export function dedicatedClientFactory(
  pool: pg.Pool,
  options: DedicatedClientOptions,
  timeoutMs: number,
): () => pg.Client {
  if (options.listenClient !== undefined) {
    if (typeof options.listenClient !== 'function') {
      throw new SessionStoreError(
        'INVALID_ARGUMENT',
        'listenClient must be a function returning a pg.Client',
      );
    }
    return options.listenClient;
  }
  if (options.connectionString !== undefined && typeof options.connectionString !== 'string') {
    throw new SessionStoreError('INVALID_ARGUMENT', 'connectionString must be a string');
  }
  const base: pg.ClientConfig =
    options.connectionString === undefined
      ? { ...pool.options }
      : { connectionString: options.connectionString };
  return () =>
    new pg.Client({
      ...base,
      keepAlive: true,
      connectionTimeoutMillis: base.connectionTimeoutMillis || timeoutMs,
    });
}
