// Encryption at rest over every real backend: the SessionStore and EventStore conformance suites on
// the encrypting wrappers of core, and a raw read of what each backend holds (Redis keys, PostgreSQL
// rows, DynamoDB items, memory state) to prove a secret written through the wrapper is never there
// in clear, while the wrapper reads it back. Redis at REDIS_URL, PostgreSQL at DATABASE_URL (trust
// auth), DynamoDB Local started here (or DYNAMODB_ENDPOINT); each test in its own namespace.
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createKeyring,
  type EventStoreFactory,
  encryptEventStore,
  encryptedRecordBytes,
  encryptSessionStore,
  envelopeKeyId,
  isSessionStoreError,
  type KeyringOptions,
  type SessionStore,
  type SessionStoreError,
  type StoredMessage,
} from '@mcp-session-store/core';
import {
  type AdapterFactory,
  type AdapterFactoryContext,
  type AdapterUnderTest,
  eventStoreSuite,
  randomNamespace,
  sessionStoreSuite,
  suiteContext,
  UPDATE_AT_SIZE_LIMIT,
} from '@mcp-session-store/core/conformance';
import type { MemoryBackend } from '@mcp-session-store/memory';
import { type DynamoDBLocalHandle, startDynamoDBLocal } from '@mcp-session-store/testing';
import { Redis } from 'ioredis';
import pg from 'pg';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const KEY_1 = randomBytes(32).toString('base64');
const KEY_2 = randomBytes(32).toString('base64');
const ACTIVE: KeyringOptions = { activeKeyId: 'k2', keys: { k1: KEY_1, k2: KEY_2 } };
const keyring = createKeyring(ACTIVE);

/** The secret every raw read must not contain (fresh per run, so no stale data can match). */
const MARKER = `S3CR3T-${randomBytes(8).toString('hex')}`;

// ---------------------------------------------------------------------------------------------
// The backends: a plain adapter factory (the adapter's own conformance factory where it has one)
// and a raw dump of everything a namespace holds.

interface Backend {
  readonly name: string;
  readonly factory: AdapterFactory;
  /** Every byte stored under `namespace`, as text. */
  dump(namespace: string): Promise<string>;
}

/** An adapter's example conformance module (plain JS), loaded once, when a test first needs it. */
function exampleModule<M extends { default: AdapterFactory }>(path: string): () => Promise<M> {
  let loaded: Promise<M> | undefined;
  return () => {
    loaded ??= import(path) as Promise<M>;
    return loaded;
  };
}

/** The default export of an example module: the adapter's conformance factory. */
const factoryOf =
  (load: () => Promise<{ default: AdapterFactory }>): AdapterFactory =>
  async (ctx) =>
    (await load()).default(ctx);

const memoryExample = exampleModule<{ default: AdapterFactory; backend: MemoryBackend }>(
  '../../memory/examples/conformance-factory.mjs',
);
const memory: Backend = {
  name: 'memory',
  factory: factoryOf(memoryExample),
  async dump(namespace) {
    // The example factory's backend, shared by every namespace of the run.
    const state = (await memoryExample()).backend.state(namespace);
    return JSON.stringify(state, (_, value) => {
      if (value instanceof Map) return Object.fromEntries(value);
      if (value instanceof Set) return [...value].filter((v) => typeof v !== 'function');
      return value;
    });
  },
};

/** Whatever a Redis key holds, whatever its type. */
async function readKey(client: Redis, key: string): Promise<unknown> {
  const type = await client.type(key);
  switch (type) {
    case 'hash':
      return client.hgetall(key);
    case 'stream':
      return client.xrange(key, '-', '+');
    case 'zset':
      return client.zrange(key, '0', '-1');
    case 'list':
      return client.lrange(key, 0, -1);
    case 'set':
      return client.smembers(key);
    case 'string':
      return client.get(key);
    default:
      return `<${type}>`;
  }
}

const redis: Backend = {
  name: 'redis',
  factory: factoryOf(exampleModule('../../redis/examples/conformance-factory.mjs')),
  async dump(namespace) {
    // The example factory's key prefix (testPrefix): every key of the test lives under it.
    const prefix = `mcpss-test:${namespace}:`;
    const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const parts: string[] = [];
      for await (const keys of client.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<
        string[]
      >) {
        for (const key of keys) {
          parts.push(`${key} ${JSON.stringify(await readKey(client, key))}`);
        }
      }
      return parts.join('\n');
    } finally {
      client.disconnect();
    }
  },
};

const postgres: Backend = {
  name: 'postgres',
  factory: factoryOf(exampleModule('../../postgres/examples/conformance-factory.mjs')),
  async dump(namespace) {
    // The example factory's schema (testSchema): one per namespace.
    const schema = `mcpss_test_${namespace}`;
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      const { rows: tables } = await client.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      );
      const parts: string[] = [];
      for (const { table_name } of tables) {
        const { rows } = await client.query<{ row: string }>(
          `SELECT t::text AS row FROM "${schema}"."${table_name.replace(/"/g, '""')}" t`,
        );
        parts.push(`${table_name}: ${rows.map((r) => r.row).join('\n')}`);
      }
      return parts.join('\n');
    } finally {
      await client.end();
    }
  },
};

let dynamoLocal: DynamoDBLocalHandle | undefined;
// Loaded lazily: the module reads DYNAMODB_ENDPOINT, set by beforeAll below.
const dynamodbExample = exampleModule<{
  default: AdapterFactory;
  localClient(endpoint?: string): DynamoDBClient;
  itemsOf(client: DynamoDBClient, namespace: string): Promise<unknown[]>;
}>('../../dynamodb/examples/conformance-factory.mjs');
const dynamodb: Backend = {
  name: 'dynamodb',
  factory: factoryOf(dynamodbExample),
  async dump(namespace) {
    const { localClient, itemsOf } = await dynamodbExample();
    const client = localClient(process.env.DYNAMODB_ENDPOINT);
    try {
      return JSON.stringify(await itemsOf(client, namespace));
    } finally {
      client.destroy();
    }
  },
};

beforeAll(async () => {
  if (process.env.DYNAMODB_ENDPOINT) return;
  dynamoLocal = await startDynamoDBLocal();
  process.env.DYNAMODB_ENDPOINT = dynamoLocal.endpoint;
}, 120_000);

afterAll(async () => {
  await dynamoLocal?.stop();
});

// ---------------------------------------------------------------------------------------------
// The encrypting wrappers around a plain adapter.

interface WrapOptions {
  keyring?: KeyringOptions;
  readPlaintext?: boolean;
}

/** Why the exact-size update test does not apply: update checks a lower bound of the plaintext. */
const UPDATE_SIZE_BOUND = 'update checks a lower bound of the plaintext size, the inner store the ciphertext';

/** The adapter with its session and event stores wrapped; the inner store gets room for ciphertext. */
function encrypted(factory: AdapterFactory, options: WrapOptions = {}): AdapterFactory {
  return async (ctx) => {
    const inner = await factory({
      ...ctx,
      maxRecordBytes: encryptedRecordBytes({ maxRecordBytes: ctx.maxRecordBytes }),
    });
    const common = {
      keyring: options.keyring ?? keyring,
      onError: ctx.onError,
      readPlaintext: options.readPlaintext,
    };
    return {
      ...inner,
      sessionStore: encryptSessionStore(inner.sessionStore!, {
        ...common,
        maxRecordBytes: ctx.maxRecordBytes,
      }),
      eventStore: encryptEventStore(inner.eventStore!, common),
    };
  };
}

function context(namespace = randomNamespace(), reported: SessionStoreError[] = []): AdapterFactoryContext {
  return suiteContext({ namespace, onError: (error) => reported.push(error) });
}

/** Opens adapters for one test and closes (and cleans up) every one of them at the end. */
async function withAdapters(
  body: (open: (f: AdapterFactory, ctx: AdapterFactoryContext) => Promise<AdapterUnderTest>) => Promise<void>,
) {
  const opened: AdapterUnderTest[] = [];
  try {
    await body(async (factory, ctx) => {
      const adapter = await factory(ctx);
      opened.push(adapter);
      return adapter;
    });
  } finally {
    for (const adapter of opened.reverse()) {
      await Promise.allSettled([
        adapter.sessionStore?.close(),
        adapter.eventStore?.close(),
        adapter.bus?.close(),
      ]);
      await adapter.dispose?.();
    }
  }
}

const sid = () => `enc-${randomBytes(12).toString('base64url')}`;

function secretSession(id: string) {
  return {
    id,
    principal: 'user-enc',
    protocolVersion: '2025-11-25',
    clientInfo: { name: `client-${MARKER}`, version: '1.0.0' },
    clientCapabilities: { experimental: { note: MARKER } },
    metadata: { apiToken: MARKER, nested: { deep: [MARKER] } },
  };
}

const secretMessage = (n: number): StoredMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/message',
  params: { level: 'info', data: { n, secret: MARKER } },
});

async function replay(store: EventStoreFactory, sessionId: string, after: string) {
  const sent: Array<{ eventId: string; message: StoredMessage }> = [];
  const streamId = await store.forSession(sessionId).replayEventsAfter(after, {
    send: async (eventId, message) => void sent.push({ eventId, message }),
  });
  return { streamId, sent };
}

async function rejection(promise: Promise<unknown>): Promise<SessionStoreError> {
  try {
    await promise;
  } catch (err) {
    if (isSessionStoreError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

// ---------------------------------------------------------------------------------------------

for (const backend of [memory, redis, postgres, dynamodb]) {
  describe(`${backend.name}, encrypted`, () => {
    sessionStoreSuite({ describe, it }, encrypted(backend.factory), {
      name: `${backend.name}: encrypted SessionStore conformance`,
      exclude: { [UPDATE_AT_SIZE_LIMIT]: UPDATE_SIZE_BOUND },
    });
    eventStoreSuite({ describe, it }, encrypted(backend.factory), {
      name: `${backend.name}: encrypted EventStore conformance`,
    });

    test('the raw backend data never holds the secret in clear; the wrappers read it back', async () => {
      await withAdapters(async (open) => {
        // Control: the same writes without encryption do put the marker in the dump.
        const plainCtx = context();
        const plain = await open(backend.factory, plainCtx);
        const plainId = sid();
        await plain.sessionStore!.create(secretSession(plainId));
        await plain.eventStore!.forSession(plainId).storeEvent('_GET_stream', secretMessage(0));
        const plainDump = await backend.dump(plainCtx.namespace);
        expect(plainDump).toContain(plainId);
        expect(plainDump).toContain(MARKER);

        const reported: SessionStoreError[] = [];
        const ctx = context(randomNamespace(), reported);
        const { sessionStore, eventStore } = await open(encrypted(backend.factory), ctx);
        const store = sessionStore!;
        const events = eventStore!;
        const id = sid();
        const created = await store.create(secretSession(id));
        await store.update(id, {
          metadata: { later: `${MARKER}-2` },
          clientInfo: { name: MARKER, version: '2' },
        });
        const sessionEvents = events.forSession(id);
        const priming = await sessionEvents.storeEvent('_GET_stream', {});
        const ids = [
          await sessionEvents.storeEvent('_GET_stream', secretMessage(1)),
          await sessionEvents.storeEvent('_GET_stream', secretMessage(2)),
        ];

        const dump = await backend.dump(ctx.namespace);
        expect(dump).toContain(id.slice(4)); // the rows were found (ids may be escaped in keys)
        expect(dump).toContain('enc:v1:k2:');
        expect(dump).not.toContain(MARKER);

        expect(await store.get(id)).toEqual({
          ...created,
          clientInfo: { name: MARKER, version: '2' },
          metadata: { ...created.metadata, later: `${MARKER}-2` },
          version: 2,
        });
        const replayed = await replay(events, id, priming);
        expect(replayed.streamId).toBe('_GET_stream');
        expect(replayed.sent).toEqual([
          { eventId: ids[0], message: secretMessage(1) },
          { eventId: ids[1], message: secretMessage(2) },
        ]);
        expect(reported).toEqual([]);
      });
    });

    test('events: priming stays {}, and a moved, altered or unknown-key event fails with CORRUPT_RECORD', async () => {
      await withAdapters(async (open) => {
        const ctx = context();
        const inner = (await open(backend.factory, ctx)).eventStore!;
        const reported: SessionStoreError[] = [];
        const wrap = (keys: KeyringOptions) =>
          encryptEventStore(inner, { keyring: keys, onError: (e) => reported.push(e) });
        const events = wrap(ACTIVE);
        const id = sid();
        const start = await events.forSession(id).storeEvent('s', {});
        await events.forSession(id).storeEvent('s', secretMessage(1));
        // What the inner store holds: the priming event as {}, the message as one envelope.
        const raw = await replay(inner, id, start);
        expect(raw.sent).toHaveLength(1);
        const stored = raw.sent[0]!.message;
        expect(Object.keys(stored)).toEqual(['$enc']);
        expect(envelopeKeyId(stored.$enc)).toBe('k2');
        expect(JSON.stringify(stored)).not.toContain(MARKER);

        // Moved to another stream of the session, and to another session: refused.
        const otherStart = await inner.forSession(id).storeEvent('t', {});
        await inner.forSession(id).storeEvent('t', stored);
        const moved = await rejection(replay(events, id, otherStart));
        expect(moved.code).toBe('CORRUPT_RECORD');
        expect(moved.details.reason).toBe('unauthenticated');
        expect(moved.message).not.toContain(id);
        const victim = sid();
        const victimStart = await inner.forSession(victim).storeEvent('s', {});
        await inner.forSession(victim).storeEvent('s', stored);
        expect((await rejection(replay(events, victim, victimStart))).details.reason).toBe('unauthenticated');

        // Altered: one character of the body changed.
        const envelope = stored.$enc as string;
        const flipped = envelope.slice(0, -5) + (envelope.at(-5) === 'A' ? 'B' : 'A') + envelope.slice(-4);
        const alteredStart = await inner.forSession(id).storeEvent('u', {});
        await inner.forSession(id).storeEvent('u', { $enc: flipped });
        expect((await rejection(replay(events, id, alteredStart))).details.reason).toBe('unauthenticated');

        // Rotation: a keyring that kept k2 reads it; one without it cannot.
        const rotated = wrap({ activeKeyId: 'k3', keys: { k2: KEY_2, k3: randomBytes(32) } });
        expect((await replay(rotated, id, start)).sent.map((e) => e.message)).toEqual([secretMessage(1)]);
        const dropped = wrap({ activeKeyId: 'k3', keys: { k3: randomBytes(32) } });
        const unknown = await rejection(replay(dropped, id, start));
        expect(unknown.details).toMatchObject({ reason: 'unknown-key', keyId: 'k2' });

        expect(reported.length).toBe(4);
        for (const error of reported) {
          expect(error.code).toBe('CORRUPT_RECORD');
          expect(JSON.stringify(error.details)).not.toContain(id);
        }
      });
    });

    test('rotation of session records: old key readable, new writes use the active key, dropped key reads as absent', async () => {
      await withAdapters(async (open) => {
        const ctx = context();
        const reported: SessionStoreError[] = [];
        const inner = (await open(backend.factory, { ...ctx, maxRecordBytes: encryptedRecordBytes() }))
          .sessionStore!;
        const wrap = (keys: KeyringOptions): SessionStore & { reencrypt(id: string): Promise<boolean> } =>
          encryptSessionStore(inner, { keyring: keys, onError: (e) => reported.push(e) });
        const first = wrap({ activeKeyId: 'k1', keys: { k1: KEY_1 } });
        const kept = await first.create(secretSession(sid()));
        const left = await first.create(secretSession(sid()));
        const second = wrap(ACTIVE);
        expect(await second.get(kept.id)).toEqual(kept);
        expect(await second.reencrypt(kept.id)).toBe(true);
        expect(envelopeKeyId((await inner.get(kept.id))!.metadata.apiToken)).toBe('k2');
        const onlyNew = wrap({ activeKeyId: 'k2', keys: { k2: KEY_2 } });
        expect((await onlyNew.get(kept.id))?.metadata).toEqual(kept.metadata);
        expect(reported).toEqual([]);
        expect(await onlyNew.get(left.id)).toBeNull();
        expect(reported.map((e) => [e.code, e.details.reason])).toEqual([['CORRUPT_RECORD', 'unknown-key']]);
        expect(reported[0]!.message).not.toContain(left.id);
      });
    });
  });
}
