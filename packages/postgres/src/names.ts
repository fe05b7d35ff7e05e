import { createHash } from 'node:crypto';
import { SessionStoreError } from '@mcp-session-store/core';

/**
 * Default schema of every table.
 *
 * @example
 * ```ts
 * await migrate(pool); // tables in DEFAULT_SCHEMA ('public')
 * ```
 */
export const DEFAULT_SCHEMA = 'public';
/**
 * Default prefix of every table name (`mcp_sessions`, `mcp_events`, ...).
 *
 * @example
 * ```ts
 * new PostgresNames().sessions === `"public"."${DEFAULT_TABLE_PREFIX}sessions"`; // true
 * ```
 */
export const DEFAULT_TABLE_PREFIX = 'mcp_';

// Names are checked, then quoted: they are the only values ever spliced into SQL text (identifiers
// cannot be bind parameters). The prefix is shorter so `<prefix><longest index name>` stays within
// PostgreSQL's 63-byte identifier limit.
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,40}$/;
const PREFIX_PATTERN = /^[a-z_][a-z0-9_]{0,30}$/;

/**
 * Where the tables live: options of `migrate()` and of every component. Give every component the
 * same values as `migrate()`.
 *
 * @example
 * ```ts
 * const where = { schema: 'mcp', tablePrefix: 'app_' };
 * await migrate(pool, where);
 * const store = new PostgresSessionStore({ pool, ...where });
 * ```
 */
export interface PostgresNamingOptions {
  /** Schema of the tables: `[a-z_][a-z0-9_]{0,40}`. Default `'public'`. */
  schema?: string | undefined;
  /** Prefix of every table name: `[a-z_][a-z0-9_]{0,30}`. Default `'mcp_'`. */
  tablePrefix?: string | undefined;
}

function checked(name: string, value: string, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new SessionStoreError('INVALID_ARGUMENT', `${name} must match ${pattern.source}`);
  }
  return value;
}

function hex(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * The validated, quoted names of one installation (schema + table prefix), and the LISTEN/NOTIFY
 * channel names derived from them. Two installations never share a table or a channel.
 *
 * | table | holds |
 * | --- | --- |
 * | `<prefix>sessions` | one row per session record |
 * | `<prefix>event_sessions` | per session: event-id token, last sequence number, events' expiry |
 * | `<prefix>events` | one row per stored event (cascade-deleted with its `event_sessions` row) |
 * | `<prefix>bus_payloads` | bus payloads too large for a NOTIFY, for a minute |
 * | `<prefix>claims` | one row per claim (`PostgresClaimStore`), until swept after it expires |
 * | `<prefix>migrations` | applied schema versions |
 *
 * @example
 * ```ts
 * const names = new PostgresNames({ schema: 'mcp', tablePrefix: 'app_' });
 * names.sessions; // '"mcp"."app_sessions"'
 * ```
 */
export class PostgresNames {
  readonly schema: string;
  readonly tablePrefix: string;
  /** Quoted schema name. */
  readonly quotedSchema: string;
  readonly sessions: string;
  readonly eventSessions: string;
  readonly events: string;
  readonly busPayloads: string;
  readonly claims: string;
  readonly migrations: string;
  /** The channel event stores LISTEN on to wake their followers. */
  readonly eventsChannel: string;

  constructor(options: PostgresNamingOptions = {}) {
    this.schema = checked('schema', options.schema ?? DEFAULT_SCHEMA, SCHEMA_PATTERN);
    this.tablePrefix = checked('tablePrefix', options.tablePrefix ?? DEFAULT_TABLE_PREFIX, PREFIX_PATTERN);
    this.quotedSchema = `"${this.schema}"`;
    this.sessions = this.table('sessions');
    this.eventSessions = this.table('event_sessions');
    this.events = this.table('events');
    this.busPayloads = this.table('bus_payloads');
    this.claims = this.table('claims');
    this.migrations = this.table('migrations');
    this.eventsChannel = `mcpss_e_${hex(`${this.schema}.${this.tablePrefix}`, 40)}`;
  }

  /** A quoted, schema-qualified table name. */
  table(name: string): string {
    return `${this.quotedSchema}."${this.tablePrefix}${name}"`;
  }

  /** A quoted, unqualified index name (indexes live in their table's schema). */
  index(name: string): string {
    return `"${this.tablePrefix}${name}"`;
  }

  /**
   * The NOTIFY channel of a bus channel: a hash, so any 1-256 character channel becomes a valid,
   * lowercase identifier of 48 characters, distinct per installation.
   */
  busChannel(channel: string): string {
    return `mcpss_b_${hex(`${this.schema}.${this.tablePrefix}\n${channel}`, 40)}`;
  }

  /** Key of the advisory lock `migrate()` holds: one per schema, as a signed 64-bit decimal. */
  get migrationLockKey(): string {
    return createHash('sha256')
      .update(`mcp-session-store:${this.schema}`)
      .digest()
      .readBigInt64BE(0)
      .toString();
  }
}

/** `LISTEN`/`UNLISTEN` take an identifier, never a parameter: only our hashed names get here. */
export function quoteChannel(channel: string): string {
  if (!/^mcpss_[a-z]_[0-9a-f]{40}$/.test(channel)) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'not a channel name of this package');
  }
  return `"${channel}"`;
}
