// How the adapter answers what a Redis server can do to it, on a redis-server of this file's own
// (never the shared service: it flushes scripts, fills memory, pauses clients and changes ACLs):
// a reply that retrying will not fix is BACKEND_ERROR, a "not now" reply or no answer at all is a
// retryable BACKEND_UNAVAILABLE, each naming the operation and keeping the driver's error as cause;
// scripts travel once per server and again only to a server that forgot them.
import { SessionStoreError } from '@mcp-session-store/core';
import { freePort, type RedisServerHandle, startRedisServer } from '@mcp-session-store/testing';
import { Redis } from 'ioredis';
import {
  RedisClaimStore,
  RedisEventStore,
  RedisKeys,
  RedisMessageBus,
  RedisSessionStore,
} from '../src/index.js';

let server: RedisServerHandle;
let admin: Redis;
const clients: Redis[] = [];

function connect(credentials: { username?: string; password?: string } = {}): Redis {
  const client = new Redis({ port: server.port, maxRetriesPerRequest: 1, ...credentials });
  client.on('error', () => {});
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startRedisServer();
  admin = connect();
}, 30_000);

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await server?.stop();
});

const session = (id: string, principal: string | null = null) => ({
  id,
  principal,
  protocolVersion: '2025-11-25',
  clientInfo: { name: 'c', version: '1' },
});

async function rejection(promise: Promise<unknown>): Promise<SessionStoreError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(SessionStoreError);
  return error as SessionStoreError;
}

/** Asserts a mapped server reply: its code, retryability, message and the driver's error as cause. */
function expectReply(error: SessionStoreError, expected: { code: string; message: RegExp }): void {
  expect({ code: error.code, retryable: error.retryable }).toEqual({
    code: expected.code,
    retryable: expected.code === 'BACKEND_UNAVAILABLE',
  });
  expect(error.message).toMatch(expected.message);
  expect((error.cause as Error | undefined)?.name).toBe('ReplyError');
}

/** `calls` of one command in INFO commandstats (0 if it never ran since the last reset). */
async function calls(command: string): Promise<number> {
  const stats = await admin.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
}

test('a key of the wrong type under the prefix: BACKEND_ERROR, not retryable, naming the operation', async () => {
  const keyPrefix = 'wrongtype:';
  const keys = new RedisKeys(keyPrefix);
  const store = new RedisSessionStore({ redis: admin, keyPrefix });
  const events = new RedisEventStore({ redis: admin, keyPrefix });
  // Another application's values where the adapter keeps its hash, index and events hash.
  await admin.set(keys.session('taken'), 'not a hash');
  await admin.set(keys.principal('taken'), 'not a sorted set');
  await admin.set(keys.events('taken'), 'not a hash');

  const cases: Array<[string, () => Promise<unknown>]> = [
    ['session get', () => store.get('taken')],
    ['session update', () => store.update('taken', { logLevel: 'debug' })],
    ['session touch', () => store.touch('taken')],
    ['principal index add', () => store.create(session('fresh', 'taken'))],
    ['principal index range', () => store.list('taken')],
    ['event append', () => events.forSession('taken').storeEvent('post-1', { jsonrpc: '2.0', method: 'x' })],
  ];
  for (const [what, operation] of cases) {
    expectReply(await rejection(operation()), {
      code: 'BACKEND_ERROR',
      message: new RegExp(`^Redis refused ${what}: WRONGTYPE `),
    });
  }
});

test('a full server (OOM) is BACKEND_UNAVAILABLE and retryable, for commands and scripts', async () => {
  const claims = new RedisClaimStore({ redis: admin, keyPrefix: 'oom:' });
  const store = new RedisSessionStore({ redis: admin, keyPrefix: 'oom:' });
  await admin.config('SET', 'maxmemory', '1');
  try {
    expectReply(await rejection(claims.claim('rs:full', 60_000)), {
      code: 'BACKEND_UNAVAILABLE',
      message: /^Redis unavailable during claim: OOM /,
    });
    expectReply(await rejection(store.create(session('full'))), {
      code: 'BACKEND_UNAVAILABLE',
      message: /^Redis unavailable during session create: OOM /,
    });
  } finally {
    await admin.config('SET', 'maxmemory', '0');
  }
  expect(await claims.claim('rs:full', 60_000)).toBe(true);
});

test('a script is sent once (EVAL), then called by SHA1; a server that lost it gets it again; errors are not resent', async () => {
  const store = new RedisSessionStore({ redis: admin, keyPrefix: 'scripts:' });
  await admin.script('FLUSH');
  await admin.config('RESETSTAT');
  for (const id of ['a', 'b', 'c']) await store.create(session(id));
  expect({ eval: await calls('eval'), evalsha: await calls('evalsha') }).toEqual({ eval: 1, evalsha: 3 });

  await admin.script('FLUSH');
  await store.create(session('d'));
  expect({ eval: await calls('eval'), evalsha: await calls('evalsha') }).toEqual({ eval: 2, evalsha: 4 });

  // A script that fails for another reason is not sent again as EVAL.
  await admin.set(new RedisKeys('scripts:').session('e'), 'not a hash');
  expect((await rejection(store.update('e', { logLevel: 'debug' }))).code).toBe('BACKEND_ERROR');
  expect(await calls('eval')).toBe(3); // update's first call loaded it once, after NOSCRIPT
  await admin.config('RESETSTAT');
  expect((await rejection(store.update('e', { logLevel: 'debug' }))).code).toBe('BACKEND_ERROR');
  expect({ eval: await calls('eval'), evalsha: await calls('evalsha') }).toEqual({ eval: 0, evalsha: 1 });
});

test('a server that does not answer: BACKEND_UNAVAILABLE once the command timeout passes', async () => {
  const claims = new RedisClaimStore({ redis: connect(), keyPrefix: 'paused:', commandTimeoutMs: 100 });
  // Writes wait while the pause lasts (far longer than the timeout); CLIENT UNPAUSE still runs.
  await admin.client('PAUSE', 60_000, 'WRITE');
  try {
    const error = await rejection(claims.claim('rs:paused', 60_000));
    expect({ code: error.code, retryable: error.retryable, message: error.message }).toEqual({
      code: 'BACKEND_UNAVAILABLE',
      retryable: true,
      message: 'Redis did not answer claim within 100 ms; the outcome is unknown',
    });
  } finally {
    await admin.client('UNPAUSE');
  }
});

test('a driver error that is no server reply (no connection): BACKEND_UNAVAILABLE with it as cause', async () => {
  const port = await freePort();
  // Nothing listens on the port and the client never retries: it ends by itself (no disconnect).
  const offline = new Redis({
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  offline.on('error', () => {});
  const error = await rejection(new RedisSessionStore({ redis: offline }).get('any'));
  expect({ code: error.code, retryable: error.retryable }).toEqual({
    code: 'BACKEND_UNAVAILABLE',
    retryable: true,
  });
  const cause = error.cause as Error;
  expect(cause).toBeInstanceOf(Error);
  expect(cause.name).not.toBe('ReplyError');
  expect(error.message).toBe(`Redis unavailable during session get: ${cause.message}`);
});

test('a channel the ACL forbids: publish and subscribe refused, and a refused subscribe leaves nothing behind', async () => {
  await admin.acl('SETUSER', 'limited', 'on', '>secret', '~*', '&acl:bus:open*', '+@all');
  const bus = new RedisMessageBus({
    redis: connect({ username: 'limited', password: 'secret' }),
    keyPrefix: 'acl:',
  });
  expectReply(await rejection(bus.publish('closed', 1)), {
    code: 'BACKEND_ERROR',
    message: /^Redis refused bus publish: NOPERM /,
  });
  for (let attempt = 0; attempt < 2; attempt++) {
    expectReply(await rejection(bus.subscribe('closed', () => {})), {
      code: 'BACKEND_ERROR',
      message: /^Redis refused bus subscribe: NOPERM /,
    });
  }
  // Once allowed, subscribing really subscribes: the earlier refusal left no channel behind.
  await admin.acl('SETUSER', 'limited', '&acl:bus:closed');
  const received: unknown[] = [];
  await bus.subscribe('closed', (message) => void received.push(message));
  expect(await admin.pubsub('NUMSUB', 'acl:bus:closed')).toEqual(['acl:bus:closed', 1]);
  await bus.publish('closed', 'now allowed');
  const deadline = Date.now() + 15_000;
  while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(received).toEqual(['now allowed']);
  await bus.close();
});
