// migrate(): concurrent runs, idempotence, the shipped SQL, and name validation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSessionStoreError } from '@mcp-session-store/core';
import pg from 'pg';
import { migrate, PostgresNames, PostgresSessionStore } from '../src/index.js';
import { MIGRATIONS, type Migration, renderMigrationFile } from '../src/schema-sql.js';
import { DATABASE_URL, dropSchema, openPool, randomSchema } from './support/database.js';

let admin: pg.Pool;
const schemas: string[] = [];

beforeAll(async () => {
  admin = await openPool();
});

afterAll(async () => {
  for (const schema of schemas) await dropSchema(admin, schema);
  await admin.end();
});

function newSchema(label: string): string {
  const schema = randomSchema(label);
  schemas.push(schema);
  return schema;
}

async function tablesOf(schema: string): Promise<string[]> {
  const { rows } = await admin.query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [schema],
  );
  return rows.map((r) => r.table_name);
}

const TABLES = [
  'mcp_bus_payloads',
  'mcp_claims',
  'mcp_event_sessions',
  'mcp_events',
  'mcp_migrations',
  'mcp_sessions',
];
const VERSIONS = MIGRATIONS.map((m) => m.version);
const LATEST = Math.max(...VERSIONS);

test('five pools migrating one fresh schema at once: no error, applied exactly once', async () => {
  const schema = newSchema('mig');
  const pools = await Promise.all(Array.from({ length: 5 }, () => openPool({ max: 1 })));
  try {
    const results = await Promise.all(pools.map((pool) => migrate(pool, { schema })));
    expect(results.filter((r) => r.applied.length > 0)).toEqual([{ applied: VERSIONS, version: LATEST }]);
    expect(results.every((r) => r.version === LATEST)).toBe(true);
    expect(await tablesOf(schema)).toEqual(TABLES);
    const { rows } = await admin.query(`SELECT version FROM "${schema}".mcp_migrations ORDER BY version`);
    expect(rows).toEqual(VERSIONS.map((version) => ({ version })));
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
  }
});

test('migrate is idempotent and leaves the pool open', async () => {
  const schema = newSchema('idem');
  expect(await migrate(admin, { schema })).toEqual({ applied: VERSIONS, version: LATEST });
  expect(await migrate(admin, { schema })).toEqual({ applied: [], version: LATEST });
  expect((await admin.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
});

const sqlFile = (migration: Migration) =>
  join(__dirname, '..', 'sql', `${String(migration.version).padStart(3, '0')}_${migration.name}.sql`);

test('sql/*.sql are the migrations rendered for the default names, and migrate() accepts what they made', async () => {
  const defaults = new PostgresNames();
  for (const migration of MIGRATIONS) {
    expect(readFileSync(sqlFile(migration), 'utf8')).toBe(renderMigrationFile(migration, defaults));
  }
  // Run the shipped files in order (pointed at a throwaway schema instead of public) as psql would.
  const schema = newSchema('file');
  await admin.query(`CREATE SCHEMA "${schema}"`);
  for (const migration of MIGRATIONS) {
    await admin.query(readFileSync(sqlFile(migration), 'utf8').replaceAll('"public".', `"${schema}".`));
  }
  expect(await tablesOf(schema)).toEqual(TABLES);
  expect(await migrate(admin, { schema })).toEqual({ applied: [], version: LATEST });
});

test('a schema at version 1 (installed before claims) is upgraded in place, its sessions kept', async () => {
  const schema = newSchema('upgrade');
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.query(readFileSync(sqlFile(MIGRATIONS[0]!), 'utf8').replaceAll('"public".', `"${schema}".`));
  const store = new PostgresSessionStore({ pool: admin, schema });
  await store.create({ id: 'kept', protocolVersion: '2025-11-25', clientInfo: { name: 'c', version: '1' } });
  expect(await migrate(admin, { schema })).toEqual({
    applied: VERSIONS.filter((v) => v > 1),
    version: LATEST,
  });
  expect(await tablesOf(schema)).toEqual(TABLES);
  expect((await store.get('kept'))?.id).toBe('kept');
  await store.close();
});

test('a table prefix keeps two installations apart in one schema', async () => {
  const schema = newSchema('prefix');
  await migrate(admin, { schema, tablePrefix: 'a_' });
  await migrate(admin, { schema, tablePrefix: 'b_' });
  const a = new PostgresSessionStore({ pool: admin, schema, tablePrefix: 'a_' });
  const b = new PostgresSessionStore({ pool: admin, schema, tablePrefix: 'b_' });
  await a.create({ id: 'same-id', protocolVersion: '2025-11-25', clientInfo: { name: 'c', version: '1' } });
  expect(await b.get('same-id')).toBeNull();
  expect((await a.get('same-id'))?.id).toBe('same-id');
  await Promise.all([a.close(), b.close()]);
});

test('schema and prefix names are validated before any SQL is sent', async () => {
  const bad: Array<Record<string, string>> = [
    { schema: 'x"; DROP TABLE users; --' },
    { schema: 'Upper' },
    { schema: '1starts_with_digit' },
    { schema: 'a'.repeat(42) },
    { tablePrefix: 'bad-prefix' },
    { tablePrefix: 'x"y' },
    { tablePrefix: '' },
    { tablePrefix: 'p'.repeat(32) },
  ];
  // A pool that has never connected: it must still have no connection afterwards.
  const untouched = new pg.Pool({ connectionString: DATABASE_URL });
  try {
    for (const options of bad) {
      let error: unknown;
      try {
        await migrate(untouched, options);
      } catch (e) {
        error = e;
      }
      expect({ options, invalid: isSessionStoreError(error, 'INVALID_ARGUMENT') }).toEqual({
        options,
        invalid: true,
      });
      expect(() => new PostgresSessionStore({ pool: untouched, ...options })).toThrow(/must match/);
    }
    expect(untouched.totalCount).toBe(0);
  } finally {
    await untouched.end();
  }
});
