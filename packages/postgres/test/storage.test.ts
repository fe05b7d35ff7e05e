// Raw read-back of what the adapter stores: rows, times from the database clock, the size limit
// computed as core computes it, the per-stream cap, cascade purges, stored bus payloads, the
// sweeper, and followers that wait on NOTIFY on one connection per event store.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  isSessionStoreError,
  jsonByteLength,
  type NewSession,
  type SessionRecord,
  type StoredMessage,
} from '@mcp-session-store/core';
import pg from 'pg';
import { migrate, PostgresEventStore, PostgresMessageBus, PostgresSessionStore } from '../src/index.js';
import { DATABASE_URL, dropSchema, openPool, randomSchema, waitFor } from './support/database.js';

let pool: pg.Pool;
const schema = randomSchema('raw');
const nowMs = '(floor(extract(epoch FROM now()) * 1000))::bigint';
const t = (name: string) => `"${schema}"."mcp_${name}"`;

beforeAll(async () => {
  pool = await openPool();
  await migrate(pool, { schema });
});

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

const newId = (label = 's') => `${label}-${randomBytes(8).toString('hex')}`;
const session = (overrides: Partial<NewSession> = {}): NewSession => ({
  id: newId(),
  principal: 'alice',
  protocolVersion: '2025-11-25',
  clientInfo: { name: 'c', version: '1' },
  ...overrides,
});

async function dbNow(): Promise<number> {
  const { rows } = await pool.query(`SELECT ${nowMs} AS now`);
  return Number(rows[0].now);
}

async function count(table: string, where: string, values: unknown[]): Promise<number> {
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${t(table)} WHERE ${where}`, values);
  return rows[0].n;
}

test('a session is one row; its times are the database clock, in epoch ms', async () => {
  const store = new PostgresSessionStore({ pool, schema, idleTtlMs: 60_000 });
  const before = await dbNow();
  const created = await store.create(session({ principal: 'nul\u0000principal', metadata: { a: 'é' } }));
  const { rows } = await pool.query(`SELECT *, ${nowMs} AS db_now FROM ${t('sessions')} WHERE id = $1`, [
    created.id,
  ]);
  const row = rows[0];
  expect(row.principal_json).toBe(JSON.stringify('nul\u0000principal'));
  expect(JSON.parse(row.data)).toEqual({
    protocolVersion: '2025-11-25',
    clientInfo: { name: 'c', version: '1' },
    clientCapabilities: {},
    logLevel: null,
    metadata: { a: 'é' },
  });
  expect(Number(row.created_at)).toBe(created.createdAt);
  expect(Number(row.expires_at)).toBe(created.createdAt + 60_000);
  // Between two readings of the database clock taken before and after: epoch ms of that clock.
  expect(created.createdAt).toBeGreaterThanOrEqual(before);
  expect(created.createdAt).toBeLessThanOrEqual(Number(row.db_now));
  expect((await store.list('nul\u0000principal')).records).toEqual([created]);
  await store.close();
});

test('update enforces the size limit exactly as core measures a record, leaving the row unchanged', async () => {
  const maxRecordBytes = 4_096;
  const store = new PostgresSessionStore({ pool, schema, maxRecordBytes });
  const created = await store.create(session({ metadata: { blob: '' } }));
  // A blob that makes the updated record exactly the limit: allowed. One byte more: refused.
  const room = maxRecordBytes - jsonByteLength({ ...created, version: 2 });
  const exact = await store.update(created.id, {
    metadata: { blob: 'é'.repeat(room / 2) + 'x'.repeat(room % 2) },
  });
  expect(jsonByteLength(exact)).toBe(maxRecordBytes);
  let error: unknown;
  try {
    await store.update(created.id, { metadata: { blob: `${exact.metadata.blob}x` } });
  } catch (e) {
    error = e;
  }
  expect(isSessionStoreError(error, 'RECORD_TOO_LARGE')).toBe(true);
  expect(await store.get(created.id)).toEqual(exact);
  await store.close();
});

test('deleting a session removes its events too (they may belong to another event store instance)', async () => {
  const store = new PostgresSessionStore({ pool, schema });
  const events = new PostgresEventStore({ pool, schema });
  const created = await store.create(session());
  await events.forSession(created.id).storeEvent('_GET_stream', { n: 1 });
  expect(await count('events', 'session_id = $1', [created.id])).toBe(1);
  expect(await store.delete(created.id)).toBe(true);
  expect(await count('events', 'session_id = $1', [created.id])).toBe(0);
  expect(await count('event_sessions', 'session_id = $1', [created.id])).toBe(0);
  await Promise.all([store.close(), events.close()]);
});

test('each append keeps the stream at its cap and refreshes the session’s event expiry', async () => {
  const events = new PostgresEventStore({ pool, schema, maxEventsPerStream: 3, ttlMs: 60_000 });
  const sessionId = newId();
  const store = events.forSession(sessionId);
  let previousExpiry = 0;
  for (let i = 0; i < 10; i++) {
    await store.storeEvent('s', { n: i });
    const before = await dbNow();
    await store.storeEvent('other', { n: i });
    expect(await count('events', 'session_id = $1 AND stream_id = $2', [sessionId, 's'])).toBe(
      Math.min(i + 1, 3),
    );
    const { rows } = await pool.query(
      `SELECT expires_at, expires_at - ${nowMs} AS ttl FROM ${t('event_sessions')} WHERE session_id = $1`,
      [sessionId],
    );
    expect(Number(rows[0].expires_at)).toBeGreaterThanOrEqual(previousExpiry);
    // The last append (on another stream of the session) set it to its database time + ttlMs.
    expect(Number(rows[0].expires_at)).toBeGreaterThanOrEqual(before + 60_000);
    expect(Number(rows[0].ttl)).toBeLessThanOrEqual(60_000);
    previousExpiry = Number(rows[0].expires_at);
  }
  await events.purgeSession(sessionId);
  expect(await count('events', 'session_id = $1', [sessionId])).toBe(0);
  await events.close();
});

test('sweepExpired removes expired rows in batches and says how many; live rows stay', async () => {
  const store = new PostgresSessionStore({ pool, schema, idleTtlMs: 100 });
  const live = new PostgresSessionStore({ pool, schema, idleTtlMs: 60_000 });
  const events = new PostgresEventStore({ pool, schema, ttlMs: 100 });
  const principal = newId('sweep');
  const doomed: SessionRecord[] = [];
  for (let i = 0; i < 3; i++) doomed.push(await store.create(session({ principal })));
  const kept = await live.create(session({ principal }));
  const eventSession = newId();
  await events.forSession(eventSession).storeEvent('s', { n: 1 });
  await events.forSession(eventSession).storeEvent('s', { n: 2 });
  const expired = `principal_json = $1 AND expires_at <= ${nowMs}`;
  await waitFor(async () => (await count('sessions', expired, [JSON.stringify(principal)])) === 3, 'expiry');
  await waitFor(
    async () =>
      (await count('event_sessions', `session_id = $1 AND expires_at <= ${nowMs}`, [eventSession])) === 1,
    'event expiry',
  );
  // Other tests share the schema: sweep until this test's rows are gone, counting what went.
  let removed = 0;
  for (let batch = 0; batch < 100; batch++) {
    const n = await store.sweepExpired({ limit: 2 });
    removed += n;
    if (n === 0) break;
  }
  expect(removed).toBeGreaterThanOrEqual(3 + 1 + 2);
  expect(await count('sessions', 'principal_json = $1', [JSON.stringify(principal)])).toBe(1);
  expect(await count('events', 'session_id = $1', [eventSession])).toBe(0);
  expect(await live.get(kept.id)).toEqual(kept);
  await Promise.all([store.close(), live.close(), events.close()]);
});

test('the background sweeper removes expired rows, and close() stops it', async () => {
  const writer = new PostgresSessionStore({ pool, schema, idleTtlMs: 50 });
  const principal = JSON.stringify(newId('bg'));
  const swept = new PostgresSessionStore({ pool, schema, sweepIntervalMs: 50, sweepLimit: 100 });
  for (let i = 0; i < 3; i++) await writer.create(session({ principal: JSON.parse(principal) }));
  await waitFor(async () => (await count('sessions', 'principal_json = $1', [principal])) === 0, 'the sweep');
  const calls = swept.backendCalls;
  expect(calls).toBeGreaterThan(0);
  await swept.close();
  // No more sweeps: nothing is sent after close (several intervals).
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(swept.backendCalls).toBe(calls);
  await writer.close();
});

test('the sweeper timer does not keep a process alive', () => {
  const script = `
    import pg from 'pg';
    import { PostgresSessionStore } from '@mcp-session-store/postgres';
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
    new PostgresSessionStore({ pool, sweepIntervalMs: 1000 }); // never closed
    await pool.end();
    console.log('done');`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: join(__dirname, '..'),
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, DATABASE_URL },
  });
  expect(run.stdout.trim()).toBe('done');
  expect(run.status).toBe(0);
});

test('bus payloads over the NOTIFY limit go through the table; small ones do not', async () => {
  const a = new PostgresMessageBus({ pool, schema });
  const b = new PostgresMessageBus({ pool, schema });
  const got: unknown[] = [];
  const channel = `ch";DROP/**/TABLE/**/x;--'$1${newId()}`; // any visible ASCII: hashed, never spliced
  await b.subscribe(channel, (m) => void got.push(m));
  const before = await count('bus_payloads', 'true', []);
  await a.publish(channel, { small: 'x'.repeat(7_000) });
  expect(await count('bus_payloads', 'true', [])).toBe(before);
  const large = { large: 'y'.repeat(9_000) };
  await a.publish(channel, large);
  const { rows } = await pool.query(
    `SELECT payload, expires_at - ${nowMs} AS ttl FROM ${t('bus_payloads')} ORDER BY id DESC LIMIT 1`,
  );
  expect(JSON.parse(rows[0].payload)).toEqual(large);
  expect(Number(rows[0].ttl)).toBeGreaterThan(0);
  await waitFor(() => got.length === 2, 'both messages');
  expect(got).toEqual([{ small: 'x'.repeat(7_000) }, large]);
  await Promise.all([a.close(), b.close()]);
});

test('followers wait on NOTIFY, not polling, over one dedicated connection per event store', async () => {
  const applicationName = `mcpss-follow-${randomBytes(4).toString('hex')}`;
  const listenClient = () =>
    new pg.Client({ connectionString: DATABASE_URL, application_name: applicationName });
  const follower = new PostgresEventStore({ pool, schema, listenClient });
  const writer = new PostgresEventStore({ pool, schema });
  const sessionId = newId();
  const first = await writer.forSession(sessionId).storeEvent('s', { n: 0 });
  const controllers = [new AbortController(), new AbortController(), new AbortController()];
  const sent: StoredMessage[][] = [[], [], []];
  for (const [i, controller] of controllers.entries()) {
    await follower.forSession(sessionId).follow(first, {
      signal: controller.signal,
      send: async (_id, message) => void sent[i]!.push(message),
    });
  }
  const listeners = async () => {
    const { rows } = await pool.query(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
      [applicationName],
    );
    return rows[0].n as number;
  };
  expect(await listeners()).toBe(1);
  // Idle followers send no queries (several would-be polling intervals).
  const calls = follower.backendCalls;
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(follower.backendCalls).toBe(calls);
  // An append wakes all three at once.
  await writer.forSession(sessionId).storeEvent('s', { n: 1 });
  await waitFor(() => sent.every((s) => s.length === 1), 'the followers to be woken');
  expect(sent).toEqual([[{ n: 1 }], [{ n: 1 }], [{ n: 1 }]]);
  for (const controller of controllers) controller.abort();
  await follower.close();
  await waitFor(async () => (await listeners()) === 0, 'the listener connection to close');
  await writer.close();
});
