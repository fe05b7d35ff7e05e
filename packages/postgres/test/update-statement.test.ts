// The compare-and-set update is one statement: the patch is merged, sized and written in the
// database. What it must give is what core gives (applyPatch, the size limit, the typed errors);
// a record PostgreSQL's JSON functions refuse (U+0000, corrupt data) takes a read and a write.
import { randomBytes } from 'node:crypto';
import {
  applyPatch,
  isSessionStoreError,
  jsonByteLength,
  type NewSession,
  type SessionPatch,
  type SessionRecord,
  type SessionStoreError,
} from '@mcp-session-store/core';
import type pg from 'pg';
import { migrate, PostgresSessionStore } from '../src/index.js';
import { dropSchema, openPool, randomSchema } from './support/database.js';

let pool: pg.Pool;
const schema = randomSchema('upd');
const MAX_RECORD_BYTES = 4_096;
const reported: SessionStoreError[] = [];
let store: PostgresSessionStore;

beforeAll(async () => {
  pool = await openPool();
  await migrate(pool, { schema });
  store = new PostgresSessionStore({
    pool,
    schema,
    maxRecordBytes: MAX_RECORD_BYTES,
    onError: (e) => reported.push(e),
  });
});

afterAll(async () => {
  await store.close();
  await dropSchema(pool, schema);
  await pool.end();
});

const session = (overrides: Partial<NewSession> = {}): NewSession => ({
  id: `upd-${randomBytes(8).toString('hex')}`,
  principal: 'alice "quoted" \\ é',
  protocolVersion: '2025-11-25',
  clientInfo: { name: 'c', version: '1' },
  clientCapabilities: { roots: { listChanged: true } },
  logLevel: 'info',
  ...overrides,
});

/** Runs `fn` and returns its result with the number of statements it sent. */
async function counted<T>(fn: () => Promise<T>): Promise<{ value: T; statements: number }> {
  const before = store.backendCalls;
  const value = await fn();
  return { value, statements: store.backendCalls - before };
}

async function errorOf(
  fn: () => Promise<unknown>,
): Promise<{ error: SessionStoreError; statements: number }> {
  const before = store.backendCalls;
  try {
    await fn();
  } catch (error) {
    if (isSessionStoreError(error)) return { error, statements: store.backendCalls - before };
    throw error;
  }
  throw new Error('expected a SessionStoreError');
}

const AWKWARD = {
  'quote"and\\backslash': 'line\nbreak\ttab\u0001control',
  'é 你好 🙂': { nested: [1, 2.5, -3e-7, true, null, { deep: 'x' }] },
  '': 'empty key',
  '10': 'integer-like key',
  '2': 'another',
  keep: 'kept',
  drop: 'dropped',
  replace: 'old',
};

test('one statement gives exactly what core’s applyPatch gives, and stores it', async () => {
  const created = await store.create(session({ metadata: AWKWARD }));
  const patches: SessionPatch[] = [
    { logLevel: 'debug' },
    { logLevel: null },
    { protocolVersion: '2025-06-18', clientInfo: { name: 'renamed "c"', version: '2' } },
    { clientCapabilities: {} },
    {
      metadata: { replace: { now: ['new', '\u2028'] }, added: 'é', '1': 'one', 'quote"and\\backslash': null },
      unsetMetadata: ['drop', 'missing', ''],
    },
    { metadata: { added2: 7 }, unsetMetadata: ['added2'] },
    {},
  ];
  let expected: SessionRecord = created;
  for (const patch of patches) {
    const { value, statements } = await counted(() => store.update(created.id, patch));
    expected = applyPatch(expected, patch, MAX_RECORD_BYTES);
    expect(value).toEqual(expected);
    expect(statements).toBe(1);
  }
  expect(await store.get(created.id)).toEqual(expected);
  expect(reported).toEqual([]);
});

test('the size limit is exact, as core computes it: at the limit it is written, one byte over it is refused', async () => {
  const created = await store.create(session({ metadata: { pad: '' } }));
  const padFor = (bytes: number) => ({
    metadata: { pad: 'é'.repeat(Math.floor(bytes / 2)) + 'x'.repeat(bytes % 2) },
  });
  // The padding that makes the patched record exactly MAX_RECORD_BYTES long.
  const fill = MAX_RECORD_BYTES - jsonByteLength(applyPatch(created, padFor(0), MAX_RECORD_BYTES * 2));
  const over = await errorOf(() => store.update(created.id, padFor(fill + 1)));
  expect(over.error.code).toBe('RECORD_TOO_LARGE');
  expect(over.error.details).toEqual({ bytes: MAX_RECORD_BYTES + 1, maxRecordBytes: MAX_RECORD_BYTES });
  expect(over.statements).toBe(1);
  expect(await store.get(created.id)).toEqual(created);
  const { value, statements } = await counted(() => store.update(created.id, padFor(fill)));
  expect(jsonByteLength(value)).toBe(MAX_RECORD_BYTES);
  expect(statements).toBe(1);
});

test('conflict and absence: one statement each, the same typed errors, nothing written', async () => {
  const created = await store.create(session());
  const v2 = await store.update(created.id, { logLevel: 'debug' }, { expectedVersion: 1 });
  const stale = await errorOf(() => store.update(created.id, { logLevel: 'error' }, { expectedVersion: 1 }));
  expect(stale.error.code).toBe('SESSION_CONFLICT');
  expect(stale.error.details).toEqual({ expectedVersion: 1, currentVersion: 2 });
  expect(stale.statements).toBe(1);
  // A conflict is reported before the size: the caller must re-read either way.
  const both = await errorOf(() =>
    store.update(created.id, { metadata: { big: 'x'.repeat(MAX_RECORD_BYTES) } }, { expectedVersion: 5 }),
  );
  expect(both.error.code).toBe('SESSION_CONFLICT');
  expect(await store.get(created.id)).toEqual(v2);
  const absent = await errorOf(() => store.update(`upd-missing-${randomBytes(4).toString('hex')}`, {}));
  expect(absent.error.code).toBe('SESSION_NOT_FOUND');
  expect(absent.statements).toBe(1);
  await pool.query(`UPDATE "${schema}"."mcp_sessions" SET expires_at = 0 WHERE id = $1`, [created.id]);
  const expired = await errorOf(() => store.update(created.id, {}, { expectedVersion: 2 }));
  expect(expired.error.code).toBe('SESSION_NOT_FOUND');
  expect(expired.statements).toBe(1);
});

test('a record holding U+0000 is updated the long way (read, then compare-and-set), with the same result', async () => {
  const created = await store.create(session({ metadata: { nul: 'a\u0000b', keep: 1 } }));
  const patch: SessionPatch = { metadata: { more: 'c\u0000d' }, unsetMetadata: ['keep'] };
  const { value, statements } = await counted(() => store.update(created.id, patch, { expectedVersion: 1 }));
  expect(value).toEqual(applyPatch(created, patch, MAX_RECORD_BYTES));
  expect(statements).toBe(3); // the refused statement, the read, the write
  const stale = await errorOf(() => store.update(created.id, { logLevel: 'debug' }, { expectedVersion: 1 }));
  expect(stale.error.details).toEqual({ expectedVersion: 1, currentVersion: 2 });
});

test('a corrupt record is reported and reads as absent, as before', async () => {
  const created = await store.create(session());
  await pool.query(`UPDATE "${schema}"."mcp_sessions" SET data = $2 WHERE id = $1`, [
    created.id,
    '{"x": not json',
  ]);
  const { error } = await errorOf(() => store.update(created.id, { logLevel: 'debug' }));
  expect(error.code).toBe('SESSION_NOT_FOUND');
  expect(reported.map((e) => e.code)).toEqual(['CORRUPT_RECORD']);
  reported.length = 0;
  await pool.query(`UPDATE "${schema}"."mcp_sessions" SET data = $2 WHERE id = $1`, [
    created.id,
    '{"metadata": 5}',
  ]);
  expect((await errorOf(() => store.update(created.id, { logLevel: 'debug' }))).error.code).toBe(
    'SESSION_NOT_FOUND',
  );
  expect(reported.map((e) => e.code)).toEqual(['CORRUPT_RECORD']);
  reported.length = 0;
});

test('concurrent merges without expectedVersion lose nothing: each locks the row and merges into the latest', async () => {
  const created = await store.create(session({ metadata: {} }));
  const others = [1, 2, 3].map(
    () => new PostgresSessionStore({ pool, schema, maxRecordBytes: MAX_RECORD_BYTES }),
  );
  const writers = [store, ...others];
  await Promise.all(
    Array.from({ length: 24 }, (_, i) =>
      writers[i % writers.length]!.update(created.id, { metadata: { [`k${i}`]: i } }),
    ),
  );
  const final = await store.get(created.id);
  expect(final?.version).toBe(25);
  expect(Object.keys(final!.metadata).sort()).toEqual(Array.from({ length: 24 }, (_, i) => `k${i}`).sort());
  for (const other of others) await other.close();
});
