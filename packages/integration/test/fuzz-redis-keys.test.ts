// Hostile input through routers on a real Redis (an instance of this test's own): whatever the
// session ids and bodies, every key written stays inside the configured prefix, and no 5xx.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpSessionRouter, type McpSessionRouter } from '@mcp-session-store/core/router';
import { RedisEventStore, RedisMessageBus, RedisSessionStore } from '@mcp-session-store/redis';
import {
  type BalancerHandle,
  type RedisServerHandle,
  startRedisServer,
  startRoundRobinBalancer,
} from '@mcp-session-store/testing';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { createTestServer } from '../src/test-server.js';

const PREFIX = 'tenant-a:mcp:';
let redisServer: RedisServerHandle;
let redis: Redis;
let routers: McpSessionRouter[] = [];
let servers: Server[] = [];
let balancer: BalancerHandle;
/** The adapters' close(): the router never closes what it was given. */
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  redisServer = await startRedisServer();
  redis = new Redis(redisServer.url);
  for (let i = 0; i < 2; i++) {
    const store = new RedisSessionStore({ redis, keyPrefix: PREFIX });
    const eventStore = new RedisEventStore({ redis, keyPrefix: PREFIX });
    const bus = new RedisMessageBus({ redis, keyPrefix: PREFIX });
    closers.push(
      () => store.close(),
      () => eventStore.close(),
      () => bus.close(),
    );
    const router = createMcpSessionRouter({
      store,
      eventStore,
      bus,
      processId: `pod-${i}`,
      createServer: (session) => createTestServer(`pod-${i}`, session),
      keepAliveMs: 0,
    });
    const server = createServer((req, res) => void router.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    routers.push(router);
    servers.push(server);
  }
  balancer = await startRoundRobinBalancer(
    servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`),
  );
});

afterAll(async () => {
  await balancer.stop();
  await Promise.all(routers.map((r) => r.close({ deadlineMs: 1_000 })));
  await Promise.allSettled(closers.map((close) => close()));
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  redis.disconnect();
  await redisServer.stop();
  routers = [];
  servers = [];
});

const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
};

async function post(body: string, sessionId?: string): Promise<Response> {
  return fetch(`${balancer.url}/mcp`, {
    method: 'POST',
    headers: { ...HEADERS, ...(sessionId !== undefined && { 'mcp-session-id': sessionId }) },
    body,
  });
}

/** Every key in the database (SCAN, this instance is ours alone). */
async function allKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

test('hostile ids and bodies on Redis: no 5xx, and every key written stays under the prefix', async () => {
  const init = await post(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } },
    }),
  );
  await init.text();
  const live = init.headers.get('mcp-session-id')!;
  // Key-pattern characters and the prefix's own separators, in ids and in payloads.
  const patterned = fc.string({
    unit: fc.constantFrom('*', '{', '}', ':', '?', '[', ']', 'a', 'b', '-', '.', '#'),
    minLength: 1,
    maxLength: 60,
  });
  const request = fc.record({
    sessionId: fc.oneof(fc.constant(live), patterned, fc.constant(`${PREFIX}*`), fc.constant('*:{x}:*')),
    method: fc.oneof(fc.constant('tools/call'), fc.constant('logging/setLevel'), patterned),
    name: fc.oneof(fc.constant('whoami'), patterned),
    level: fc.oneof(fc.constant('debug'), patterned),
  });
  await fc.assert(
    fc.asyncProperty(request, async ({ sessionId, method, name, level }) => {
      const res = await post(
        JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { name, level, uri: name } }),
        sessionId,
      );
      await res.body?.cancel();
      expect(res.status).toBeLessThan(500);
    }),
    { numRuns: 150 },
  );
  const keys = await allKeys();
  expect(keys.length).toBeGreaterThan(0);
  expect(keys.filter((k) => !k.startsWith(PREFIX))).toEqual([]);
});
