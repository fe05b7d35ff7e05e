// How a Redis follower ends, on a redis-server of this file's own (its connections are counted): a
// follower stopped by its signal reports nothing; one whose send fails later, with no onError to
// tell, still ends and releases its connection, with no unhandled rejection.
import { type RedisServerHandle, startRedisServer } from '@mcp-session-store/testing';
import { Redis } from 'ioredis';
import { RedisEventStore } from '../src/index.js';

let server: RedisServerHandle;
let redis: Redis;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  server = await startRedisServer();
  redis = new Redis({ port: server.port, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
}, 30_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  redis?.disconnect();
  await server?.stop();
});

/** Client connections on this file's server. */
async function connections(): Promise<number> {
  return ((await redis.client('LIST')) as string).trim().split('\n').length;
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const message = (n: number) => ({ jsonrpc: '2.0' as const, method: 'n', params: { n } });

test('a follower stopped by its signal reports nothing through onError', async () => {
  const events = new RedisEventStore({ redis, keyPrefix: 'stopped:' });
  const store = events.forSession('s1');
  const first = await store.storeEvent('post-1', message(1));
  const baseline = await connections();
  const reported: unknown[] = [];
  const controller = new AbortController();
  await store.follow(first, {
    signal: controller.signal,
    send: async () => {},
    onError: (error) => void reported.push(error),
  });
  await waitFor(async () => (await connections()) === baseline + 1, 'the follower to connect');
  controller.abort();
  await waitFor(async () => (await connections()) === baseline, 'the follower to disconnect');
  // The blocked read fails as its connection closes; that failure is the abort, not an error.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(reported).toEqual([]);
  await events.close();
});

test('a follower whose send fails, with no onError, ends and releases its connection', async () => {
  const events = new RedisEventStore({ redis, keyPrefix: 'failing:' });
  const store = events.forSession('s1');
  const first = await store.storeEvent('post-1', message(1));
  const baseline = await connections();
  const sent: unknown[] = [];
  await store.follow(first, {
    signal: new AbortController().signal,
    send: async (_, sentMessage) => {
      sent.push(sentMessage);
      throw new Error('client gone');
    },
  });
  await waitFor(async () => (await connections()) === baseline + 1, 'the follower to connect');
  await store.storeEvent('post-1', message(2));
  await waitFor(async () => (await connections()) === baseline, 'the failed follower to disconnect');
  expect(sent).toEqual([message(2)]);
  expect(unhandled).toEqual([]);
  await events.close();
});
