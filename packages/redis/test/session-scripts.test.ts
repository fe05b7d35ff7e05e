// What the session store's Lua scripts (src/session-scripts.ts) leave in Redis, read back raw with a
// client of the test's own: the hash fields and values, the native expiry set (PEXPIRETIME equals
// the record's expiresAt) and refreshed, the principal index added to and trimmed, and nothing
// written by a refused create, update or touch. Stryker cannot mutate the Lua; these tests fail
// when a script line is broken.
import { type NewSession, SessionStoreError } from '@mcp-session-store/core';
import { RedisKeys, RedisSessionStore, type RedisSessionStoreOptions } from '../src/index.js';
import { openRawRedis, type RawRedis } from './raw-redis.js';

let raw: RawRedis;
let keys: RedisKeys;
let serial = 0;

beforeAll(async () => {
  raw = await openRawRedis('session-scripts');
  keys = new RedisKeys(raw.keyPrefix);
});

afterAll(async () => {
  await raw?.end();
});

const IDLE = 60_000;

function openStore(options: Partial<RedisSessionStoreOptions> = {}): RedisSessionStore {
  return new RedisSessionStore({ redis: raw.redis, keyPrefix: raw.keyPrefix, idleTtlMs: IDLE, ...options });
}

function session(overrides: Partial<NewSession> = {}): NewSession {
  serial++;
  return {
    id: `s-${serial}`,
    principal: `p-${serial}`,
    protocolVersion: '2025-11-25',
    clientInfo: { name: 'raw', version: '1' },
    ...overrides,
  };
}

const hash = (id: string) => raw.redis.hgetall(keys.session(id));
const expiresAt = (key: string) => raw.redis.pexpiretime(key);

/** Gives a key a short expiry, so a script that refreshes it (or must not) shows it. */
const shorten = (key: string) => raw.redis.pexpire(key, 5_000);

async function rejection(promise: Promise<unknown>): Promise<SessionStoreError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(SessionStoreError);
  return error as SessionStoreError;
}

describe('create', () => {
  test('writes every field as JSON text, the times from the server clock, version 1 and PEXPIREAT expiresAt', async () => {
    const store = openStore();
    const input = session({
      clientCapabilities: { roots: { listChanged: true } },
      logLevel: 'debug',
      metadata: { plan: 'pro', nested: { a: [1, null] } },
    });
    const before = await raw.serverTime();
    const record = await store.create(input);
    const after = await raw.serverTime();

    expect(await hash(input.id)).toEqual({
      p: JSON.stringify(input.principal),
      pv: '"2025-11-25"',
      ci: '{"name":"raw","version":"1"}',
      cc: '{"roots":{"listChanged":true}}',
      ll: '"debug"',
      'm:plan': '"plan":"pro"',
      'm:nested': '"nested":{"a":[1,null]}',
      c: String(record.createdAt),
      a: String(record.createdAt),
      e: String(record.createdAt + IDLE),
      v: '1',
    });
    expect(record.createdAt).toBeGreaterThanOrEqual(before);
    expect(record.createdAt).toBeLessThanOrEqual(after);
    expect(record.expiresAt).toBe(record.createdAt + IDLE);
    expect(await expiresAt(keys.session(input.id))).toBe(record.expiresAt);
  });

  test('a max lifetime shorter than the idle TTL caps the stored expiry', async () => {
    const store = openStore({ maxLifetimeMs: 20_000 });
    const record = await store.create(session());
    expect(record.expiresAt).toBe(record.createdAt + 20_000);
    expect((await hash(record.id)).e).toBe(String(record.expiresAt));
    expect(await expiresAt(keys.session(record.id))).toBe(record.expiresAt);
  });

  test('adds the id to its principal index (score 0), which expires no earlier than the session', async () => {
    const store = openStore();
    const record = await store.create(session({ principal: 'alice-create' }));
    const index = keys.principal('alice-create');
    expect(await raw.redis.zrange(index, '0', '-1', 'WITHSCORES')).toEqual([record.id, '0']);
    expect(await expiresAt(index)).toBe(record.expiresAt);
  });

  test('a session without a principal is one hash and nothing else', async () => {
    const alone = new RedisKeys(`${raw.keyPrefix}alone:`);
    const store = openStore({ keyPrefix: alone.prefix });
    const record = await store.create(session({ principal: null }));
    expect(await raw.redis.keys(`${alone.prefix}*`)).toEqual([alone.session(record.id)]);
    expect(await raw.redis.hget(alone.session(record.id), 'p')).toBe('null');
  });

  test('on a live id it writes nothing: not the fields, not the expiry, not the new principal index', async () => {
    const store = openStore();
    const first = await store.create(session({ principal: 'owner' }));
    await shorten(keys.session(first.id));
    const stored = await hash(first.id);
    const expiry = await expiresAt(keys.session(first.id));

    const error = await rejection(store.create(session({ id: first.id, principal: 'intruder' })));
    expect(error.code).toBe('SESSION_EXISTS');
    expect(await hash(first.id)).toEqual(stored);
    expect(await expiresAt(keys.session(first.id))).toBe(expiry);
    expect(await raw.redis.exists(keys.principal('intruder'))).toBe(0);
  });

  test('stores hundreds of metadata entries (HSET in chunks)', async () => {
    const store = openStore();
    const metadata = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`k${i}`, i]));
    const record = await store.create(session({ metadata }));
    const stored = await hash(record.id);
    expect(Object.keys(stored)).toHaveLength(5 + 250 + 4);
    expect(stored['m:k0']).toBe('"k0":0');
    expect(stored['m:k249']).toBe('"k249":249');
    expect(await store.get(record.id)).toEqual(record);
  });
});

describe('update', () => {
  test('writes the patched fields and version + 1, removes unset entries, keeps times and expiry', async () => {
    const store = openStore();
    const created = await store.create(session({ metadata: { keep: 1, drop: 2, also: 3 } }));
    const expiry = await expiresAt(keys.session(created.id));
    const before = await hash(created.id);

    await store.update(created.id, {
      logLevel: 'error',
      clientInfo: { name: 'renamed', version: '2' },
      metadata: { added: 'x', also: 4 },
      unsetMetadata: ['drop', 'never-there'],
    });
    const { 'm:drop': _dropped, ...kept } = before;
    expect(await hash(created.id)).toEqual({
      ...kept,
      ll: '"error"',
      ci: '{"name":"renamed","version":"2"}',
      'm:added': '"added":"x"',
      'm:also': '"also":4',
      v: '2',
    });
    expect(await expiresAt(keys.session(created.id))).toBe(expiry);

    await store.update(created.id, { metadata: { keep: 5 } }, { expectedVersion: 2 });
    expect((await hash(created.id)).v).toBe('3');
  });

  test('removes hundreds of metadata entries at once (HDEL in chunks)', async () => {
    const store = openStore();
    const names = Array.from({ length: 250 }, (_, i) => `k${i}`);
    const created = await store.create(session({ metadata: Object.fromEntries(names.map((k) => [k, 1])) }));
    await store.update(created.id, { unsetMetadata: names });
    expect(Object.keys(await hash(created.id)).sort()).toEqual([
      'a',
      'c',
      'cc',
      'ci',
      'e',
      'll',
      'p',
      'pv',
      'v',
    ]);
  });

  test('a refused compare-and-set writes nothing', async () => {
    const store = openStore();
    const created = await store.create(session());
    await store.update(created.id, { metadata: { n: 1 } });
    const stored = await hash(created.id);

    const error = await rejection(store.update(created.id, { metadata: { n: 2 } }, { expectedVersion: 1 }));
    expect(error.code).toBe('SESSION_CONFLICT');
    expect(error.details).toEqual({ expectedVersion: 1, currentVersion: 2 });
    expect(await hash(created.id)).toEqual(stored);
  });

  test('a result over the size limit writes nothing', async () => {
    const store = openStore({ maxRecordBytes: 1_000 });
    const created = await store.create(session({ metadata: { a: 1 } }));
    const stored = await hash(created.id);
    const error = await rejection(store.update(created.id, { metadata: { blob: 'x'.repeat(1_000) } }));
    expect(error.code).toBe('RECORD_TOO_LARGE');
    expect(await hash(created.id)).toEqual(stored);
  });

  test('an absent id creates no key', async () => {
    const store = openStore();
    const error = await rejection(store.update('never-created', { logLevel: 'debug' }));
    expect(error.code).toBe('SESSION_NOT_FOUND');
    expect(await raw.redis.exists(keys.session('never-created'))).toBe(0);
  });

  test('a record that does not decode is not found by update, and reported', async () => {
    const reported: SessionStoreError[] = [];
    const store = openStore({ onError: (error) => void reported.push(error) });
    const created = await store.create(session());
    await raw.redis.hset(keys.session(created.id), 'ci', '{"name": not json');
    const error = await rejection(store.update(created.id, { logLevel: 'debug' }));
    expect(error.code).toBe('SESSION_NOT_FOUND');
    expect(reported.map((e) => e.code)).toEqual(['CORRUPT_RECORD']);
  });

  test('a hash without a version is not found and left as it is', async () => {
    const store = openStore();
    const key = keys.session('no-version');
    await raw.redis.hset(key, 'p', 'null', 'pv', '"2025-11-25"');
    await raw.redis.pexpire(key, 60_000);
    const error = await rejection(store.update('no-version', { logLevel: 'debug' }));
    expect(error.code).toBe('SESSION_NOT_FOUND');
    expect(await raw.redis.hgetall(key)).toEqual({ p: 'null', pv: '"2025-11-25"' });
  });
});

describe('touch', () => {
  test('sets lastActivityAt and expiresAt from the server clock and refreshes the expiry, nothing else', async () => {
    const store = openStore();
    const created = await store.create(session());
    await shorten(keys.session(created.id));
    const stored = await hash(created.id);
    const before = await raw.serverTimePast(created.createdAt);

    expect(await store.touch(created.id)).toBe(true);
    const after = await raw.serverTime();
    const touched = await hash(created.id);
    const activity = Number(touched.a);
    expect(activity).toBeGreaterThanOrEqual(before);
    expect(activity).toBeLessThanOrEqual(after);
    expect(touched).toEqual({ ...stored, a: String(activity), e: String(activity + IDLE) });
    expect(await expiresAt(keys.session(created.id))).toBe(activity + IDLE);
  });

  test('the max lifetime caps the refreshed expiry', async () => {
    const store = openStore({ maxLifetimeMs: 20_000 });
    const created = await store.create(session());
    await shorten(keys.session(created.id));
    expect(await store.touch(created.id)).toBe(true);
    expect((await hash(created.id)).e).toBe(String(created.createdAt + 20_000));
    expect(await expiresAt(keys.session(created.id))).toBe(created.createdAt + 20_000);
  });

  test('a session without a principal is refreshed with no index written', async () => {
    const alone = new RedisKeys(`${raw.keyPrefix}touch-alone:`);
    const created = await openStore({ keyPrefix: alone.prefix }).create(session({ principal: null }));
    await raw.serverTimePast(created.createdAt);
    // A fresh process: no index reach cached, so only the missing principal keeps it from indexing.
    expect(await openStore({ keyPrefix: alone.prefix }).touch(created.id)).toBe(true);
    expect(await raw.redis.keys(`${alone.prefix}*`)).toEqual([alone.session(created.id)]);
    expect(await expiresAt(alone.session(created.id))).toBeGreaterThan(created.expiresAt);
  });

  test('an absent id creates no key', async () => {
    const store = openStore();
    expect(await store.touch('never-created')).toBe(false);
    expect(await raw.redis.exists(keys.session('never-created'))).toBe(0);
  });

  test('a session past a lifetime shortened since its creation is deleted, not refreshed', async () => {
    const created = await openStore().create(session());
    await raw.serverTimePast(created.createdAt + 1);
    // Another process runs with a 1 ms lifetime: the session is past it.
    expect(await openStore({ maxLifetimeMs: 1 }).touch(created.id)).toBe(false);
    expect(await raw.redis.exists(keys.session(created.id))).toBe(0);
  });

  test('refreshes the principal index when the touched expiry reaches past it', async () => {
    const created = await openStore().create(session({ principal: 'alice-touch' }));
    const index = keys.principal('alice-touch');
    await raw.serverTimePast(created.createdAt);
    // A fresh process knows nothing of the index: it extends it to the new expiry.
    expect(await openStore().touch(created.id)).toBe(true);
    const touchedExpiry = Number((await hash(created.id)).e);
    expect(touchedExpiry).toBeGreaterThan(created.expiresAt);
    expect(await expiresAt(index)).toBe(touchedExpiry);
  });

  test('leaves the principal index alone while it outlives the session by enough (one round trip)', async () => {
    const store = openStore();
    const created = await store.create(session({ principal: 'alice-cached' }));
    const index = keys.principal('alice-cached');
    await raw.serverTimePast(created.createdAt);
    const calls = store.backendCalls;
    expect(await store.touch(created.id)).toBe(true);
    expect(store.backendCalls - calls).toBe(1);
    expect(await expiresAt(index)).toBe(created.expiresAt);
  });

  test('the same process refreshes the index once a touch reaches half an idle TTL past it', async () => {
    const idleTtlMs = 4_000;
    const store = openStore({ idleTtlMs });
    const created = await store.create(session({ principal: 'alice-later' }));
    await raw.serverTimePast(created.createdAt + idleTtlMs / 2);
    expect(await store.touch(created.id)).toBe(true);
    expect(await expiresAt(keys.principal('alice-later'))).toBe(Number((await hash(created.id)).e));
  });
});

describe('principal index', () => {
  test('its expiry only ever grows, to the longest-lived session in it', async () => {
    const principal = 'alice-grows';
    const index = keys.principal(principal);
    const long = await openStore({ idleTtlMs: 60_000 }).create(session({ principal }));
    const short = await openStore({ idleTtlMs: 10_000 }).create(session({ principal }));
    expect(await expiresAt(index)).toBe(long.expiresAt);
    const longer = await openStore({ idleTtlMs: 120_000 }).create(session({ principal }));
    expect(await expiresAt(index)).toBe(longer.expiresAt);
    expect(await raw.redis.zrange(index, '0', '-1')).toEqual([long.id, short.id, longer.id].sort());
  });

  test('delete removes the hash; list then drops the deleted id and keeps the live ones', async () => {
    const store = openStore();
    const principal = 'alice-list';
    const index = keys.principal(principal);
    const kept = await store.create(session({ principal }));
    const deleted = await store.create(session({ principal }));
    expect(await store.delete(deleted.id)).toBe(true);
    expect(await raw.redis.exists(keys.session(deleted.id))).toBe(0);

    expect((await store.list(principal)).records.map((r) => r.id)).toEqual([kept.id]);
    expect(await raw.redis.zrange(index, '0', '-1')).toEqual([kept.id]);
  });

  test('a page skips ids whose records are gone and still holds `limit` live records, none twice', async () => {
    const store = openStore();
    const principal = 'alice-pages';
    const ids = ['pg-1', 'pg-2', 'pg-3', 'pg-4', 'pg-5'];
    for (const id of ids) await store.create(session({ id, principal }));
    await store.delete('pg-1');
    const first = await store.list(principal, { limit: 3 });
    expect({ ids: first.records.map((r) => r.id), next: first.nextCursor }).toEqual({
      ids: ['pg-2', 'pg-3', 'pg-4'],
      next: 'pg-4',
    });
    const second = await store.list(principal, { limit: 3, cursor: first.nextCursor });
    expect({ ids: second.records.map((r) => r.id), next: second.nextCursor }).toEqual({
      ids: ['pg-5'],
      next: null,
    });
    expect(await raw.redis.zrange(keys.principal(principal), '0', '-1')).toEqual(ids.slice(1));
  });

  test('list drops an id now owned by another principal from the old index only', async () => {
    const store = openStore();
    const reused = await store.create(session({ principal: 'old-owner' }));
    await store.delete(reused.id);
    await store.create(session({ id: reused.id, principal: 'new-owner' }));
    expect((await store.list('old-owner')).records).toEqual([]);
    expect(await raw.redis.zrange(keys.principal('old-owner'), '0', '-1')).toEqual([]);
    expect(await raw.redis.zrange(keys.principal('new-owner'), '0', '-1')).toEqual([reused.id]);
  });
});
