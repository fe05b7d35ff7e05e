/**
 * `@mcp-session-store/postgres`: session store, event store, message bus (LISTEN/NOTIFY) and claim
 * store on PostgreSQL with `pg`, plus the schema migrations they need.
 *
 * @packageDocumentation
 */
export type { DedicatedClientOptions } from './dedicated-client.js';
export { type MigrateOptions, type MigrateResult, migrate } from './migrate.js';
export {
  DEFAULT_SCHEMA,
  DEFAULT_TABLE_PREFIX,
  PostgresNames,
  type PostgresNamingOptions,
} from './names.js';
export { PostgresClaimStore, type PostgresClaimStoreOptions } from './postgres-claim-store.js';
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store.js';
export { PostgresMessageBus, type PostgresMessageBusOptions } from './postgres-message-bus.js';
export { PostgresSessionStore, type PostgresSessionStoreOptions } from './postgres-session-store.js';
export { DEFAULT_STATEMENT_TIMEOUT_MS } from './query-runner.js';
export type { SweepOptions } from './sweeper.js';
