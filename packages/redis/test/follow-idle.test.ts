// A Redis follower idle longer than one blocking read (XREAD BLOCK 5 s answers nothing) keeps
// following: on a redis-server of this file's own, whose command counts show the second read. Not
// part of `pnpm mutation` (it waits out a blocking read per mutant); docs/mutation.md lists the
// mutants it kills.
import { type RedisServerHandle, startRedisServer } from '@mcp-session-store/testing';
import { Redis } from 'ioredis';
import { RedisEventStore } from '../src/index.js';

let server: RedisServerHandle;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis({ port: server.port, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
}, 30_000);

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

async function xreadCalls(): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(/cmdstat_xread:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a follower idle past one blocking read still delivers what is appended afterwards', async () => {
  const events = new RedisEventStore({ redis, keyPrefix: 'idle:' });
  const store = events.forSession('s1');
  const first = await store.storeEvent('post-1', { jsonrpc: '2.0', method: 'first' });
  const sent: unknown[] = [];
  const reported: unknown[] = [];
  const controller = new AbortController();
  await store.follow(first, {
    signal: controller.signal,
    send: async (_, message) => void sent.push(message),
    onError: (error) => void reported.push(error),
  });
  // The first read timed out empty and a second one is blocking.
  await waitFor(async () => (await xreadCalls()) >= 2, 'a second blocking read');
  await store.storeEvent('post-1', { jsonrpc: '2.0', method: 'later' });
  await waitFor(() => sent.length === 1, 'the later event to be sent');
  expect(sent).toEqual([{ jsonrpc: '2.0', method: 'later' }]);
  expect(reported).toEqual([]);
  controller.abort();
  await events.close();
}, 30_000);
