// The shared PostgreSQL service of the tests (DATABASE_URL), and throwaway schemas on it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A pool on the shared service; fails with a message saying how to provide one if unreachable. */
export async function openPool(config: pg.PoolConfig = {}): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3_000, ...config });
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw new Error(
      `PostgreSQL is not reachable (${(err as Error).message}). Start one (apt-get install postgresql; pg_ctlcluster 15 main start) or set DATABASE_URL.`,
    );
  }
  return pool;
}

/** A fresh schema name for one test. */
export function randomSchema(label: string): string {
  return `mcpss_${label}_${randomBytes(5).toString('hex')}`;
}

/** Drops a schema this test created (validated name, then quoted). */
export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(schema)) throw new Error(`not a schema name: ${schema}`);
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/**
 * Polls `check` until it returns true; fails after `timeoutMs`: generous (a loaded CI machine) and
 * below jest's test timeout (30 s), so a failure names the condition.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
