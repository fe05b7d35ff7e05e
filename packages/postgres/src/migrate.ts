import type { Pool, PoolClient } from 'pg';
import { toStoreError } from './errors.js';
import { PostgresNames, type PostgresNamingOptions } from './names.js';
import { requirePool } from './query-runner.js';
import { bootstrapStatements, MIGRATIONS } from './schema-sql.js';

/**
 * Options of {@link migrate}: where the tables go.
 *
 * @example
 * ```ts
 * const options: MigrateOptions = { schema: 'mcp', tablePrefix: 'mcp_' };
 * ```
 */
export type MigrateOptions = PostgresNamingOptions;

/**
 * What {@link migrate} did.
 *
 * @example
 * ```ts
 * const { applied, version } = await migrate(pool);
 * if (applied.length > 0) console.log(`schema upgraded to version ${version}`);
 * ```
 */
export interface MigrateResult {
  /** The versions this call applied (empty when the schema was already up to date). */
  applied: number[];
  /** The schema version now in place. */
  version: number;
}

/**
 * Creates or upgrades the tables (schema, sessions, events, bus payloads, claims) in one transaction.
 * Idempotent, and safe when many processes run it at once at start-up: they queue on a
 * transaction-scoped advisory lock (one per schema), and each applies only what is missing.
 * Uses one connection of your pool and leaves the pool open.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { migrate } from '@mcp-session-store/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool, { schema: 'mcp' }); // { applied: [1, 2], version: 2 } the first time, then { applied: [] ... }
 * ```
 */
export async function migrate(pool: Pool, options: MigrateOptions = {}): Promise<MigrateResult> {
  requirePool(pool);
  const names = new PostgresNames(options);
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw toStoreError(err, 'migrate connect');
  }
  let failed: unknown;
  try {
    await client.query('BEGIN');
    // Concurrent CREATE ... IF NOT EXISTS can still collide in the catalogs: serialize per schema.
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [names.migrationLockKey]);
    // CREATE SCHEMA needs the CREATE privilege on the database even when the schema exists: a user
    // allowed only into an existing schema must not need it.
    const schema = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [names.schema]);
    for (const statement of bootstrapStatements(names)) {
      if (schema.rowCount === 0 || !statement.startsWith('CREATE SCHEMA')) await client.query(statement);
    }
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${names.migrations}`);
    const done = new Set(rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements(names)) await client.query(statement);
      await client.query(`INSERT INTO ${names.migrations} (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return { applied, version: Math.max(0, ...done, ...applied) };
  } catch (err) {
    failed = err;
    await client.query('ROLLBACK').catch(() => {});
    throw toStoreError(err, 'migrate');
  } finally {
    // A connection whose transaction failed midway is discarded rather than reused.
    client.release(failed instanceof Error ? failed : undefined);
  }
}
