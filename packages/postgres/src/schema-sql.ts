import type { PostgresNames } from './names.js';

/** One schema version: the statements that bring the previous version to it. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  statements(names: PostgresNames): string[];
}

/**
 * Every schema version, oldest first. `sql/<version>_<name>.sql` is the same statements rendered for
 * the default names (a test keeps the two identical). Only ever append: never edit a shipped one.
 *
 * Times are `bigint` epoch milliseconds from the database clock (`now()`), the unit of the record's
 * `createdAt`/`lastActivityAt`/`expiresAt`, so they are stored and returned without conversion.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    statements: (n) => [
      // principal_json is the JSON text of the principal: exact for any string (even one holding
      // U+0000, which a text column refuses) and what list() matches on. data is the JSON text of
      // protocolVersion, clientInfo, clientCapabilities, logLevel and metadata, kept as text (jsonb
      // would drop U+0000 and reorder keys).
      `CREATE TABLE IF NOT EXISTS ${n.sessions} (
  id text COLLATE "C" PRIMARY KEY,
  principal_json text COLLATE "C",
  data text NOT NULL,
  created_at bigint NOT NULL,
  last_activity_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  version bigint NOT NULL
)`,
      `CREATE INDEX IF NOT EXISTS ${n.index('sessions_expires_at')} ON ${n.sessions} (expires_at)`,
      `CREATE INDEX IF NOT EXISTS ${n.index('sessions_principal')} ON ${n.sessions} (principal_json, id) WHERE principal_json IS NOT NULL`,
      `CREATE TABLE IF NOT EXISTS ${n.eventSessions} (
  session_id text COLLATE "C" PRIMARY KEY,
  token text NOT NULL,
  last_seq bigint NOT NULL,
  expires_at bigint NOT NULL
)`,
      `CREATE INDEX IF NOT EXISTS ${n.index('event_sessions_expires_at')} ON ${n.eventSessions} (expires_at)`,
      `CREATE TABLE IF NOT EXISTS ${n.events} (
  session_id text COLLATE "C" NOT NULL REFERENCES ${n.eventSessions} (session_id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  stream_id text NOT NULL,
  message text NOT NULL,
  PRIMARY KEY (session_id, seq)
)`,
      `CREATE INDEX IF NOT EXISTS ${n.index('events_stream')} ON ${n.events} (session_id, stream_id, seq)`,
      `CREATE TABLE IF NOT EXISTS ${n.busPayloads} (
  id bigserial PRIMARY KEY,
  payload text NOT NULL,
  expires_at bigint NOT NULL
)`,
      `CREATE INDEX IF NOT EXISTS ${n.index('bus_payloads_expires_at')} ON ${n.busPayloads} (expires_at)`,
    ],
  },
  {
    version: 2,
    name: 'claims',
    statements: (n) => [
      // One row per claim key; a row whose expires_at has passed (by the database clock) is free to
      // be claimed again, and removed by the claim store's sweep.
      `CREATE TABLE IF NOT EXISTS ${n.claims} (
  key text COLLATE "C" PRIMARY KEY,
  expires_at bigint NOT NULL
)`,
      `CREATE INDEX IF NOT EXISTS ${n.index('claims_expires_at')} ON ${n.claims} (expires_at)`,
    ],
  },
];

/** Creates the schema (unless it is `public`, which exists) and the migrations table. */
export function bootstrapStatements(n: PostgresNames): string[] {
  return [
    ...(n.schema === 'public' ? [] : [`CREATE SCHEMA IF NOT EXISTS ${n.quotedSchema}`]),
    `CREATE TABLE IF NOT EXISTS ${n.migrations} (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`,
  ];
}

/**
 * The content of `sql/<version>_<name>.sql` for these names: what to run by hand (psql -f) instead
 * of `migrate()`. It records the version, so a later `migrate()` knows it was applied.
 */
export function renderMigrationFile(migration: Migration, n: PostgresNames): string {
  const header = [
    `-- @mcp-session-store/postgres schema version ${migration.version} (${migration.name}).`,
    `-- For schema "${n.schema}" and table prefix "${n.tablePrefix}"; migrate(pool, { schema, tablePrefix })`,
    '-- runs the same statements for other names, under an advisory lock. Idempotent.',
  ];
  const body = [
    'BEGIN;',
    ...bootstrapStatements(n),
    ...migration.statements(n),
    `INSERT INTO ${n.migrations} (version, name) VALUES (${migration.version}, '${migration.name}') ON CONFLICT (version) DO NOTHING`,
  ];
  return `${header.join('\n')}\n\n${body.map((s) => (s === 'BEGIN;' ? s : `${s};`)).join('\n\n')}\n\nCOMMIT;\n`;
}
