// Fault test on a redis-server of its own (never the shared service): kill it mid-run, every
// operation must fail with a typed, retryable BACKEND_UNAVAILABLE instead of hanging (a claim never
// resolves, true or false); restart it, and the same store, event store, bus and claim store must
// work again without being rebuilt.
import { isSessionStoreError } from '@mcp-session-store/core';
import { type RedisServerHandle, startRedisServer } from '@mcp-session-store/testing';
import { Redis } from 'ioredis';
import { RedisClaimStore, RedisEventStore, RedisMessageBus, RedisSessionStore } from '../src/index.js';

const COMMAND_TIMEOUT_MS = 500;
let server: RedisServerHandle;
let redis: Redis;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  server = await startRedisServer();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  redis.on('error', () => {});
}, 30_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  redis?.disconnect();
  await server?.stop();
});

const session = (id: string) => ({
  id,
  principal: 'alice',
  protocolVersion: '2025-11-25',
  clientInfo: { name: 'c', version: '1' },
});

async function eventually<T>(what: string, attempt: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
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

test('a killed Redis gives typed retryable errors that settle; after a restart everything works again', async () => {
  const options = { redis, commandTimeoutMs: COMMAND_TIMEOUT_MS };
  const store = new RedisSessionStore({ ...options, idleTtlMs: 60_000 });
  const events = new RedisEventStore(options);
  const bus = new RedisMessageBus(options);
  const claims = new RedisClaimStore(options);
  const received: unknown[] = [];
  await bus.subscribe('inbox:pod-1', (message) => void received.push(message));
  await store.create(session('before-outage'));
  const eventId = await events.forSession('before-outage').storeEvent('_GET_stream', { n: 1 });

  await server.kill();

  const operations: Array<[string, () => Promise<unknown>]> = [
    ['create', () => store.create(session('during-outage'))],
    ['get', () => store.get('before-outage')],
    ['update', () => store.update('before-outage', { logLevel: 'debug' })],
    ['touch', () => store.touch('before-outage')],
    ['delete', () => store.delete('before-outage')],
    ['list', () => store.list('alice')],
    ['storeEvent', () => events.forSession('before-outage').storeEvent('_GET_stream', { n: 2 })],
    ['replay', () => events.forSession('before-outage').replayEventsAfter(eventId, { send: async () => {} })],
    ['publish', () => bus.publish('inbox:pod-1', { during: true })],
    ['claim', () => claims.claim('rs:during-outage', 600_000)],
  ];
  for (const [name, operation] of operations) {
    // Settles well within a generous bound: what matters is that it never hangs.
    const outcome = await Promise.race([
      operation().then(
        () => ({ name, result: 'succeeded' }),
        (error: unknown) => ({
          name,
          result:
            isSessionStoreError(error, 'BACKEND_UNAVAILABLE') && error.retryable ? 'typed' : String(error),
        }),
      ),
      new Promise((resolve) => setTimeout(() => resolve({ name, result: 'hung' }), COMMAND_TIMEOUT_MS * 10)),
    ]);
    expect(outcome).toEqual({ name, result: 'typed' });
  }

  await server.start();

  // The same objects recover: no rebuild, no reconnect call by the user. (The restarted server
  // keeps no data: it runs without persistence.)
  const recovered = await eventually('create', () => store.create(session('after-outage')));
  expect(await store.get('after-outage')).toEqual(recovered);
  expect(await store.touch('after-outage')).toBe(true);
  // A fresh key per attempt: an attempt that failed may still have landed, and then its key reads false.
  let attempt = 0;
  const claimed = await eventually('claim', async () => {
    const key = `rs:after-outage-${attempt++}`;
    return { key, won: await claims.claim(key, 600_000) };
  });
  expect(claimed.won).toBe(true);
  expect(await claims.claim(claimed.key, 600_000)).toBe(false);
  const newId = await events.forSession('after-outage').storeEvent('_GET_stream', { n: 3 });
  expect(await events.forSession('after-outage').getStreamIdForEventId(newId)).toBe('_GET_stream');
  // The bus's own subscriber connection resubscribes after reconnecting.
  await eventually('bus delivery', async () => {
    await bus.publish('inbox:pod-1', { after: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (!received.some((m) => (m as { after?: boolean }).after)) throw new Error('not delivered yet');
  });
  await Promise.all([store.close(), events.close(), bus.close(), claims.close()]);
  expect(unhandled).toEqual([]);
}, 60_000);
