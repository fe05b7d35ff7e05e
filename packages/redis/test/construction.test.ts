// What each Redis component accepts when built, what it declares in `capabilities` (the suites act
// on these declarations, the raw-key tests check them against Redis), the documented key layout,
// and the session store's `ttlSeconds` and `onLog` options.
import { SessionStoreError } from '@mcp-session-store/core';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_KEY_PREFIX,
  RedisClaimStore,
  RedisEventStore,
  RedisKeys,
  RedisMessageBus,
  RedisSessionStore,
} from '../src/index.js';
import { openRawRedis, type RawRedis } from './raw-redis.js';

let raw: RawRedis;

beforeAll(async () => {
  raw = await openRawRedis('construction');
});

afterAll(async () => {
  await raw?.end();
});

const COMPONENTS = {
  RedisSessionStore: (options: object) => new RedisSessionStore(options as never),
  RedisEventStore: (options: object) => new RedisEventStore(options as never),
  RedisMessageBus: (options: object) => new RedisMessageBus(options as never),
  RedisClaimStore: (options: object) => new RedisClaimStore(options as never),
};

function refusal(build: () => unknown): SessionStoreError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(SessionStoreError);
    expect((error as SessionStoreError).code).toBe('INVALID_ARGUMENT');
    expect((error as SessionStoreError).message).not.toBe('');
    return error as SessionStoreError;
  }
  throw new Error('expected INVALID_ARGUMENT, but it was built');
}

describe.each(Object.entries(COMPONENTS))('%s', (_, build) => {
  test('refuses to be built without a client, with a typed error', () => {
    expect(refusal(() => build(undefined as never)).message).toMatch(/redis/);
    expect(refusal(() => build({})).message).toMatch(/redis/);
  });

  test('refuses a key prefix that is not 1-128 visible ASCII characters without braces', () => {
    for (const keyPrefix of ['', 'a{b', 'a}b', 'has space', 'tab\t', 'é', 'x'.repeat(129), 7]) {
      expect(refusal(() => build({ redis: raw.redis, keyPrefix })).message).toMatch(/keyPrefix/);
    }
    expect(() => build({ redis: raw.redis, keyPrefix: `!|~${'x'.repeat(125)}` })).not.toThrow();
  });

  test('refuses a command timeout that is not a positive integer', () => {
    for (const commandTimeoutMs of [0, -1, 1.5, Number.NaN]) {
      expect(refusal(() => build({ redis: raw.redis, commandTimeoutMs })).message).toMatch(
        /commandTimeoutMs/,
      );
    }
    expect(() => build({ redis: raw.redis, commandTimeoutMs: 1 })).not.toThrow();
  });
});

test('each component declares what the raw-key tests show: Redis clock, native expiry, shared', () => {
  const redis = raw.redis;
  const adapter = '@mcp-session-store/redis';
  expect(new RedisSessionStore({ redis }).capabilities).toEqual({
    adapter,
    clock: 'backend',
    nativeTtl: true,
    listByPrincipal: true,
    sharedAcrossProcesses: true,
    ttlGranularityMs: 1,
  });
  expect(new RedisClaimStore({ redis }).capabilities).toEqual({
    adapter,
    clock: 'backend',
    nativeTtl: true,
    sharedAcrossProcesses: true,
    ttlGranularityMs: 1,
  });
  expect(new RedisEventStore({ redis }).capabilities).toEqual({
    adapter,
    clock: 'backend',
    sharedAcrossProcesses: true,
  });
  expect(new RedisMessageBus({ redis }).capabilities).toEqual({
    adapter,
    sharedAcrossProcesses: true,
    delivery: 'at-most-once',
    maxPayloadBytes: 1024 * 1024,
  });
  expect(DEFAULT_COMMAND_TIMEOUT_MS).toBe(2_000);
});

test('the key layout: default prefix, one hash tag per session or principal, braces and % escaped', () => {
  expect(DEFAULT_KEY_PREFIX).toBe('mcp:session:');
  const keys = new RedisKeys();
  expect(keys.prefix).toBe('mcp:session:');
  expect(keys.session('a{b}c%d')).toBe('mcp:session:{a%7bb%7dc%25d}');
  expect(keys.events('s1')).toBe('mcp:session:{s1}:events');
  expect(keys.stream('s1', 'post-1')).toBe('mcp:session:{s1}:stream:post-1');
  expect(keys.principal('bob}{')).toBe('mcp:session:principal:{bob%7d%7b}');
  expect(keys.claim('rs:{x}')).toBe('mcp:session:claim:{rs:%7bx%7d}');
  expect(keys.channel('inbox:pod-1')).toBe('mcp:session:bus:inbox:pod-1');
});

describe('RedisSessionStore options', () => {
  const session = (id: string) => ({
    id,
    principal: null,
    protocolVersion: '2025-11-25',
    clientInfo: { name: 'c', version: '1' },
  });

  test('ttlSeconds is the idle TTL in seconds; it must be a positive integer and agree with idleTtlMs', async () => {
    const store = new RedisSessionStore({ redis: raw.redis, keyPrefix: raw.keyPrefix, ttlSeconds: 90 });
    const record = await store.create(session('ttl-seconds'));
    expect(record.expiresAt - record.createdAt).toBe(90_000);
    expect(await raw.redis.pexpiretime(new RedisKeys(raw.keyPrefix).session('ttl-seconds'))).toBe(
      record.expiresAt,
    );
    expect(
      () => new RedisSessionStore({ redis: raw.redis, ttlSeconds: 90, idleTtlMs: 90_000 }),
    ).not.toThrow();
    for (const ttlSeconds of [0, -1, 1.5]) {
      expect(refusal(() => new RedisSessionStore({ redis: raw.redis, ttlSeconds })).message).toMatch(
        /ttlSeconds/,
      );
    }
    expect(
      refusal(() => new RedisSessionStore({ redis: raw.redis, ttlSeconds: 90, idleTtlMs: 60_000 })).message,
    ).toMatch(/disagree/);
  });

  test('onLog hears of creates and of deletes that deleted, with the session id redacted', async () => {
    const lines: Array<[string, string, Record<string, unknown> | undefined]> = [];
    const store = new RedisSessionStore({
      redis: raw.redis,
      keyPrefix: raw.keyPrefix,
      onLog: (level, message, details) => void lines.push([level, message, details]),
    });
    const id = 'logged-session-0123456789abcdef';
    await store.create(session(id));
    expect(await store.delete(id)).toBe(true);
    expect(await store.delete(id)).toBe(false);
    expect(lines.map(([level, message]) => [level, message])).toEqual([
      ['debug', 'session created'],
      ['debug', 'session deleted'],
    ]);
    for (const [, , details] of lines) {
      expect(typeof details?.sessionId).toBe('string');
      expect(details?.sessionId).not.toContain(id);
    }
  });
});
