// PostgresClaimStore on the shared PostgreSQL service (DATABASE_URL): what a claim stores (expiry by
// the database clock), one winner among claimers on separate pools, a claim taken again once the
// database says it expired, and the sweep of expired rows.
import { randomBytes } from 'node:crypto';
import { isSessionStoreError } from '@mcp-session-store/core';
import type pg from 'pg';
import { migrate, PostgresClaimStore, PostgresNames } from '../src/index.js';
import { NOW_MS } from '../src/sql-clock.js';
import { dropSchema, openPool, randomSchema, waitFor } from './support/database.js';

let pool: pg.Pool;
const schemas: string[] = [];

beforeAll(async () => {
  pool = await openPool();
});

afterAll(async () => {
  for (const schema of schemas) await dropSchema(pool, schema);
  await pool.end();
});

async function migratedSchema(label: string): Promise<string> {
  const schema = randomSchema(label);
  schemas.push(schema);
  await migrate(pool, { schema });
  return schema;
}

const newKey = (label: string) => `${label}:${randomBytes(6).toString('hex')}`;

async function databaseNow(): Promise<number> {
  const { rows } = await pool.query(`SELECT ${NOW_MS} AS now`);
  return Number(rows[0].now);
}

/** The raw row of a claim: its expiry, and whether the database clock has passed it. */
async function claimRow(
  schema: string,
  key: string,
): Promise<{ expiresAt: number; expired: boolean } | null> {
  const { rows } = await pool.query(
    `SELECT expires_at, expires_at <= ${NOW_MS} AS expired FROM ${new PostgresNames({ schema }).claims} WHERE key = $1`,
    [key],
  );
  return rows[0] ? { expiresAt: Number(rows[0].expires_at), expired: rows[0].expired } : null;
}

test('a claim is one row expiring at the database now + ttl; a losing claim changes nothing', async () => {
  const schema = await migratedSchema('claim_row');
  const store = new PostgresClaimStore({ pool, schema });
  const key = newKey('rs');
  const before = await databaseNow();
  expect(await store.claim(key, 60_000)).toBe(true);
  const after = await databaseNow();
  const row = await claimRow(schema, key);
  expect(row?.expiresAt).toBeGreaterThanOrEqual(before + 60_000);
  expect(row?.expiresAt).toBeLessThanOrEqual(after + 60_000);

  expect(await store.claim(key, 5_000)).toBe(false);
  expect(await store.claim(key, 600_000)).toBe(false);
  expect(await claimRow(schema, key)).toEqual(row);
  // One statement per claim.
  expect(store.backendCalls).toBe(3);
  await store.close();
});

test('claimers on four separate pools: exactly one winner per key, fresh or expired, over many keys', async () => {
  const schema = await migratedSchema('claim_race');
  const pools = await Promise.all(Array.from({ length: 4 }, () => openPool({ max: 4 })));
  const stores = pools.map((p) => new PostgresClaimStore({ pool: p, schema }));
  const table = new PostgresNames({ schema }).claims;
  try {
    /** Winners per key when 16 callers (4 per pool) claim each key at once, all keys at once. */
    const race = async (keys: string[]) =>
      Promise.all(
        keys.map(async (key) => {
          const results = await Promise.all(
            stores.flatMap((store) => Array.from({ length: 4 }, () => store.claim(key, 60_000))),
          );
          return results.filter(Boolean).length;
        }),
      );
    const keys = Array.from({ length: 40 }, () => newKey('race'));
    expect(await race(keys)).toEqual(keys.map(() => 1));
    // Every claim expired (moved into the past by the database clock): the take-over path
    // (ON CONFLICT ... DO UPDATE WHERE expired) also lets exactly one through.
    await pool.query(`UPDATE ${table} SET expires_at = ${NOW_MS} - 1 WHERE key = ANY($1)`, [keys]);
    expect(await race(keys)).toEqual(keys.map(() => 1));
    expect(await race(keys)).toEqual(keys.map(() => 0));
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(pools.map((p) => p.end()));
  }
});

test('a claim whose TTL passed by the database clock is taken again by one claimer', async () => {
  const schema = await migratedSchema('claim_expiry');
  const a = new PostgresClaimStore({ pool, schema });
  const b = new PostgresClaimStore({ pool, schema });
  const key = newKey('short');
  expect(await a.claim(key, 150)).toBe(true);
  await waitFor(
    async () => (await claimRow(schema, key))?.expired === true,
    'the database clock to pass the claim',
  );
  const results = await Promise.all([a.claim(key, 60_000), b.claim(key, 60_000), b.claim(key, 60_000)]);
  expect(results.filter(Boolean)).toHaveLength(1);
  expect((await claimRow(schema, key))?.expired).toBe(false);
  expect(await a.claim(key, 60_000)).toBe(false);
  await Promise.all([a.close(), b.close()]);
});

test('sweepExpired removes expired claims only (at most limit); the background sweep does it by itself', async () => {
  const schema = await migratedSchema('claim_sweep');
  const store = new PostgresClaimStore({ pool, schema });
  const live = newKey('live');
  const dead = [newKey('dead'), newKey('dead'), newKey('dead')];
  expect(await store.claim(live, 600_000)).toBe(true);
  for (const key of dead) expect(await store.claim(key, 1)).toBe(true);
  await waitFor(
    async () => (await Promise.all(dead.map((key) => claimRow(schema, key)))).every((row) => row?.expired),
    'the short claims to expire',
  );
  expect(await store.sweepExpired({ limit: 2 })).toBe(2);
  expect(await store.sweepExpired()).toBe(1);
  expect(await store.sweepExpired()).toBe(0);
  for (const key of dead) expect(await claimRow(schema, key)).toBeNull();
  expect((await claimRow(schema, live))?.expired).toBe(false);

  const errors: unknown[] = [];
  const sweeping = new PostgresClaimStore({
    pool,
    schema,
    sweepIntervalMs: 50,
    onError: (error) => errors.push(error),
  });
  const gone = newKey('gone');
  expect(await sweeping.claim(gone, 1)).toBe(true);
  await waitFor(async () => (await claimRow(schema, gone)) === null, 'the background sweep');
  expect((await claimRow(schema, live))?.expired).toBe(false);
  expect(errors).toEqual([]);
  await Promise.all([store.close(), sweeping.close()]);
});

test('a schema without the claims table (not migrated to version 2) gives BACKEND_ERROR saying to run migrate()', async () => {
  const schema = randomSchema('claim_nomig');
  schemas.push(schema);
  await pool.query(`CREATE SCHEMA "${schema}"`);
  const store = new PostgresClaimStore({ pool, schema });
  const error = await store.claim(newKey('k'), 1_000).catch((e: unknown) => e);
  expect(isSessionStoreError(error, 'BACKEND_ERROR')).toBe(true);
  expect((error as Error).message).toContain('did you run migrate()?');
  await store.close();
});
