// Two "pods" whose clocks are 10 minutes apart (Date.now skewed around each one's calls) agree on
// every expiry, because expiry is judged by the database clock (now() in SQL), never the client's.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { migrate, PostgresSessionStore } from '../src/index.js';
import { dropSchema, openPool, randomSchema, waitFor } from './support/database.js';

const SKEW_MS = 10 * 60 * 1000;
const realNow = Date.now.bind(Date);
let skew = 0;
let pool: pg.Pool;
const schema = randomSchema('skew');

beforeAll(async () => {
  pool = await openPool();
  await migrate(pool, { schema });
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + skew);
});

afterAll(async () => {
  jest.restoreAllMocks();
  await dropSchema(pool, schema);
  await pool.end();
});

/** Runs `fn` as a pod whose clock is off by `offsetMs`. */
async function onPod<T>(offsetMs: number, fn: () => Promise<T>): Promise<T> {
  skew = offsetMs;
  try {
    return await fn();
  } finally {
    skew = 0;
  }
}

async function databaseNow(): Promise<number> {
  const { rows } = await pool.query('SELECT (floor(extract(epoch FROM now()) * 1000))::bigint AS now');
  return Number(rows[0].now);
}

test('pods 10 minutes apart agree on what is live and what is expired', async () => {
  const idleTtlMs = 1_500;
  const ahead = new PostgresSessionStore({ pool, schema, idleTtlMs });
  const behind = new PostgresSessionStore({ pool, schema, idleTtlMs });
  const fast = <T>(fn: () => Promise<T>) => onPod(+SKEW_MS, fn);
  const slow = <T>(fn: () => Promise<T>) => onPod(-SKEW_MS, fn);
  // The real clock read first: the pod's clock, read after it, is at least SKEW_MS ahead.
  expect(
    await fast(async () => {
      const real = realNow();
      return Date.now() - real;
    }),
  ).toBeGreaterThanOrEqual(SKEW_MS);

  const id = `skew-${randomBytes(8).toString('hex')}`;
  const before = await databaseNow();
  const created = await fast(() =>
    ahead.create({
      id,
      principal: 'p',
      protocolVersion: '2025-11-25',
      clientInfo: { name: 'c', version: '1' },
    }),
  );
  const after = await databaseNow();
  // The record's times are the database's, not the pod's (which is 10 minutes ahead).
  expect(created.createdAt).toBeGreaterThanOrEqual(before);
  expect(created.createdAt).toBeLessThanOrEqual(after);
  expect(created.expiresAt).toBe(created.createdAt + idleTtlMs);

  // The pod ahead would think the session expired long ago, the pod behind that it lives for 10
  // more minutes; both see what the database sees.
  expect(await fast(() => ahead.get(id))).toEqual(created);
  expect(await slow(() => behind.get(id))).toEqual(created);
  expect(await fast(() => ahead.touch(id))).toBe(true);
  const updated = await slow(() => behind.update(id, { metadata: { by: 'behind' } }));
  expect(updated.version).toBe(2);

  // Once the database clock passes expiresAt, both see it gone, and neither can bring it back.
  await waitFor(async () => (await slow(() => behind.get(id))) === null, 'expiry on the slow pod');
  expect(await fast(() => ahead.get(id))).toBeNull();
  expect(await fast(() => ahead.touch(id))).toBe(false);
  expect(await slow(() => behind.touch(id))).toBe(false);
  // Expired by the database clock, so the fast pod may re-create it.
  const again = await fast(() =>
    ahead.create({ id, protocolVersion: '2025-11-25', clientInfo: { name: 'c', version: '1' } }),
  );
  expect(again.version).toBe(1);
  await Promise.all([ahead.close(), behind.close()]);
});
