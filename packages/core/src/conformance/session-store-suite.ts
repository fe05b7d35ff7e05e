import assert from 'node:assert/strict';
import type { NewSession, SessionRecord } from '../contract/session-record.js';
import type { SessionStore } from '../contract/session-store.js';
import { isSessionStoreError } from '../errors.js';
import { type JsonObject, jsonByteLength } from '../json.js';
import {
  assertDeclaredAdapter,
  type ContextOverrides,
  randomId,
  rejectsWithCode,
  required,
  sleep,
  type TestWorld,
  testRegistrar,
} from './helpers.js';
import type { AdapterFactory, AdapterUnderTest, SuiteOptions, TestApi } from './types.js';

/** Ids every store must refuse with `INVALID_SESSION_ID`, before any backend call. */
export const INVALID_SESSION_IDS: readonly unknown[] = [
  '',
  'a'.repeat(257),
  'has space',
  'tab\there',
  'new\nline',
  'nul\u0000',
  'del\u007f',
  'caf\u00e9',
  '\u{1F600}',
  'ﬀ',
  undefined,
  null,
  42,
  {},
];

/**
 * Name of the test holding `update` to the exact size limit. A wrapper that cannot see the stored
 * record before writing (`encryptSessionStore` checks a lower bound, its inner store the ciphertext)
 * excludes it.
 */
export const UPDATE_AT_SIZE_LIMIT =
  'an update to exactly maxRecordBytes is stored; one byte more is refused and changes nothing';

/** A session as `initialize` would create it. */
export function sampleSession(overrides: Partial<NewSession> = {}): NewSession {
  return {
    id: randomId(),
    principal: 'user-1',
    protocolVersion: '2025-11-25',
    clientInfo: { name: 'conformance-client', version: '1.0.0' },
    clientCapabilities: { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } },
    logLevel: null,
    metadata: {},
    ...overrides,
  };
}

/** Data that breaks naive serializers: unicode, escapes, nesting, numbers, key-pattern characters. */
const AWKWARD_METADATA: JsonObject = {
  unicode: 'héllo wörld — 你好 — 🙂🚀 — \u0000 after nul',
  quotes: 'she said "hi" and \\ left\nnew line\ttab',
  nested: { a: { b: { c: [1, 2, { d: [true, false, null] }] } }, empty: {}, emptyList: [] },
  numbers: { int: 42, negative: -7, float: 3.25, big: 9007199254740991, zero: 0 },
  'key.with.dots': 'value',
  $dollar: '$',
  'key:with:colons{and}*stars': 'x',
  '': 'empty key',
  nothing: null,
};

function storeOf(adapter: AdapterUnderTest): SessionStore {
  return required(adapter.sessionStore, 'sessionStore');
}

async function openStore(world: TestWorld, limits?: ContextOverrides) {
  const adapter = await world.open(limits);
  const store = storeOf(adapter);
  assertDeclaredAdapter(store.capabilities, 'sessionStore');
  return { adapter, store, inspect: adapter.inspect ?? {} };
}

const injectable = (store: SessionStore) => store.capabilities.clock === 'injectable';

/** How far apart two clocks (suite and backend) may be when comparing times. */
const CLOCK_TOLERANCE_MS = 2_000;

/** Runs `updater` with compare-and-set, re-reading and retrying on `SESSION_CONFLICT`. */
async function casIncrement(store: SessionStore, id: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const current = await store.get(id);
    assert.ok(current, 'record vanished during concurrent updates');
    const n = Number(current.metadata.counter ?? 0);
    try {
      await store.update(id, { metadata: { counter: n + 1 } }, { expectedVersion: current.version });
      return attempt;
    } catch (err) {
      if (!isSessionStoreError(err, 'SESSION_CONFLICT') || attempt > 500) throw err;
    }
  }
}

/**
 * The `SessionStore` conformance suite: every rule of the contract, one or more tests each.
 *
 * @example jest or vitest
 * ```ts
 * import { sessionStoreSuite } from '@mcp-session-store/core/conformance';
 * sessionStoreSuite({ describe, it }, (ctx) => ({
 *   sessionStore: new MemorySessionStore({ clock: ctx.clock, idleTtlMs: ctx.idleTtlMs, onError: ctx.onError }),
 * }));
 * ```
 * @example node:test
 * ```ts
 * import { describe, it } from 'node:test';
 * sessionStoreSuite({ describe, it }, factory);
 * ```
 */
export function sessionStoreSuite(api: TestApi, factory: AdapterFactory, options: SuiteOptions = {}): void {
  const test = testRegistrar(api, factory, options);

  api.describe(options.name ?? 'SessionStore conformance', () => {
    api.describe('create and get', () => {
      test('create returns version 1, times from the clock and the given fields', async (world) => {
        const { store } = await openStore(world);
        const input = sampleSession({ logLevel: 'info', metadata: { plan: 'pro' } });
        // An injectable-clock store must use the suite's clock; a backend clock is the real time.
        const now = () => (injectable(store) ? world.clock.now() : Date.now());
        const before = now();
        const record = await store.create(input);
        const after = now();
        assert.equal(record.version, 1);
        assert.equal(record.id, input.id);
        assert.equal(record.principal, 'user-1');
        assert.equal(record.logLevel, 'info');
        assert.deepEqual(record.metadata, { plan: 'pro' });
        const tolerance = injectable(store) ? 0 : CLOCK_TOLERANCE_MS;
        assert.ok(record.createdAt >= before - tolerance && record.createdAt <= after + tolerance);
        assert.equal(record.lastActivityAt, record.createdAt);
        assert.equal(record.expiresAt, record.createdAt + world.ctx.idleTtlMs);
        assert.deepEqual(await store.get(input.id), record);
      });

      test('round-trips every field exactly (unicode, escapes, nested metadata)', async (world) => {
        const { store } = await openStore(world);
        const input = sampleSession({
          principal: 'ûsér:{42}*😀',
          protocolVersion: '2025-06-18',
          clientInfo: { name: 'Клиент "test" 🤖', version: '0.0.1-β', title: 'Ünïcode' },
          clientCapabilities: {
            experimental: { 'x.y': { deep: [1, 'two', null] } },
            sampling: { tools: {} },
          },
          logLevel: 'emergency',
          metadata: AWKWARD_METADATA,
        });
        const created = await store.create(input);
        const read = await store.get(input.id);
        assert.deepEqual(read, created);
        assert.equal(read?.principal, input.principal);
        assert.deepEqual(read?.clientInfo, input.clientInfo);
        assert.deepEqual(read?.clientCapabilities, input.clientCapabilities);
        assert.deepEqual(read?.metadata, AWKWARD_METADATA);
        assert.equal(read?.protocolVersion, '2025-06-18');
      });

      test('round-trips a record just under the size limit', async (world) => {
        const { store } = await openStore(world);
        const base = sampleSession({ metadata: { blob: '' } });
        const probe = { ...base, createdAt: 0, lastActivityAt: 0, expiresAt: 0, version: 1 };
        // Leave room for the digits of the times and version the store fills in.
        const room = world.ctx.maxRecordBytes - jsonByteLength(probe) - 128;
        const unit = 'é🙂x'; // 7 bytes of UTF-8, 4 UTF-16 units: catches char-vs-byte size bugs
        const blob = unit.repeat(Math.floor(room / 7)) + 'x'.repeat(room % 7);
        const created = await store.create({ ...base, metadata: { blob } });
        assert.ok(
          jsonByteLength(created) > world.ctx.maxRecordBytes - 1024,
          'the record should be near the limit',
        );
        assert.deepEqual(await store.get(base.id), created);
      });

      test('a returned record is a copy: mutating it changes nothing stored', async (world) => {
        const { store } = await openStore(world);
        const input = sampleSession({ metadata: { list: [1, 2] } });
        const created = (await store.create(input)) as unknown as { metadata: { list: number[] } };
        created.metadata.list.push(3);
        (input.metadata as { list: number[] }).list.push(4);
        const read = (await store.get(input.id)) as unknown as { metadata: { list: number[] } };
        read.metadata.list.push(5);
        assert.deepEqual((await store.get(input.id))?.metadata, { list: [1, 2] });
      });

      test('get returns null for an id that was never stored, and reports nothing', async (world) => {
        const { store } = await openStore(world);
        assert.equal(await store.get(randomId()), null);
        assert.deepEqual(world.reported, [], 'an absent record is not a corrupt one');
      });

      test('create on a live id fails with SESSION_EXISTS and leaves the record unchanged', async (world) => {
        const { store } = await openStore(world);
        const first = await store.create(sampleSession({ principal: 'alice' }));
        const err = await rejectsWithCode(
          store.create(sampleSession({ id: first.id, principal: 'mallory' })),
          'SESSION_EXISTS',
          'second create',
        );
        assert.equal(err.retryable, false);
        assert.deepEqual(await store.get(first.id), first);
      });

      test('concurrent creates of one id: exactly one wins', async (world) => {
        const [a, b] = [await openStore(world), await openStore(world)];
        const id = randomId();
        const attempts = Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a : b).store.create(sampleSession({ id, principal: `p${i}` })),
        );
        const results = await Promise.allSettled(attempts);
        const won = results.filter((r) => r.status === 'fulfilled');
        assert.equal(won.length, 1, 'exactly one create must succeed');
        for (const r of results) {
          if (r.status === 'rejected')
            assert.ok(isSessionStoreError(r.reason, 'SESSION_EXISTS'), String(r.reason));
        }
        const winner = (won[0] as PromiseFulfilledResult<SessionRecord>).value;
        assert.deepEqual(await a.store.get(id), winner);
      });

      test('records over the size limit are refused with RECORD_TOO_LARGE and nothing is stored', async (world) => {
        const { store } = await openStore(world);
        const input = sampleSession({ metadata: { blob: 'x'.repeat(world.ctx.maxRecordBytes) } });
        const err = await rejectsWithCode(store.create(input), 'RECORD_TOO_LARGE', 'oversized create');
        assert.equal(err.retryable, false);
        assert.equal(await store.get(input.id), null);
      });

      test('a record of exactly maxRecordBytes is created; one byte more is refused', async (world) => {
        const { store: probe } = await openStore(world);
        const now = injectable(probe) ? world.clock.now() : Date.now();
        // Three metadata entries: the size counts the commas between them.
        const input = sampleSession({ metadata: { a: 1, b: 'two', fill: '' } });
        const times = { createdAt: now, lastActivityAt: now, expiresAt: now + world.ctx.idleTtlMs };
        const limit = jsonByteLength({ ...input, ...times, version: 1 });
        const { store } = await openStore(world, { maxRecordBytes: limit });

        const created = await store.create(input);
        assert.equal(jsonByteLength(created), limit, 'the record must be exactly at the limit');
        const over = sampleSession({ metadata: { a: 1, b: 'two', fill: '+' } });
        const err = await rejectsWithCode(store.create(over), 'RECORD_TOO_LARGE', 'create one byte over');
        assert.deepEqual(err.details, { bytes: limit + 1, maxRecordBytes: limit });
        assert.equal(await store.get(over.id), null);
      });

      test('malformed input is refused with INVALID_ARGUMENT and nothing is stored', async (world) => {
        const { store } = await openStore(world);
        const bad: Array<[string, Partial<NewSession> | Record<string, unknown>]> = [
          ['metadata with a Date', { metadata: { when: new Date() } as unknown as JsonObject }],
          ['metadata with undefined', { metadata: { x: undefined } as unknown as JsonObject }],
          ['metadata with NaN', { metadata: { x: Number.NaN } }],
          ['metadata as an array', { metadata: [] as unknown as JsonObject }],
          ['clientInfo without a name', { clientInfo: { version: '1' } as never }],
          ['an unknown log level', { logLevel: 'verbose' as never }],
          ['an empty protocol version', { protocolVersion: '' }],
          ['a numeric principal', { principal: 7 as never }],
        ];
        for (const [what, override] of bad) {
          const input = sampleSession(override as Partial<NewSession>);
          await rejectsWithCode(store.create(input), 'INVALID_ARGUMENT', what);
          assert.equal(await store.get(input.id), null, `${what}: nothing may be stored`);
        }
      });
    });

    api.describe('session ids', () => {
      test('invalid ids are refused with INVALID_SESSION_ID by every method, without a backend call', async (world) => {
        const { store, inspect } = await openStore(world);
        const callsBefore = inspect.backendCalls?.();
        for (const id of INVALID_SESSION_IDS) {
          const what = `id ${JSON.stringify(id)}`;
          await rejectsWithCode(() => store.get(id as string), 'INVALID_SESSION_ID', `get(${what})`);
          await rejectsWithCode(
            () => store.create(sampleSession({ id: id as string })),
            'INVALID_SESSION_ID',
            `create(${what})`,
          );
          await rejectsWithCode(
            () => store.update(id as string, {}),
            'INVALID_SESSION_ID',
            `update(${what})`,
          );
          await rejectsWithCode(() => store.touch(id as string), 'INVALID_SESSION_ID', `touch(${what})`);
          await rejectsWithCode(() => store.delete(id as string), 'INVALID_SESSION_ID', `delete(${what})`);
        }
        if (callsBefore !== undefined) {
          assert.equal(inspect.backendCalls?.(), callsBefore, 'an invalid id must not reach the backend');
        }
      });

      test('ids of 1 and 256 visible ASCII characters, with key-pattern characters, are stored', async (world) => {
        const { store } = await openStore(world);
        const ids = ['x', `${'~'.repeat(200)}${randomId()}`.slice(-256), `*{tag}:?[a]\\"'%/${randomId()}`];
        for (const id of ids) {
          const created = await store.create(sampleSession({ id }));
          assert.deepEqual(await store.get(id), created, `id ${id}`);
          assert.equal(await store.delete(id), true);
        }
      });
    });

    api.describe('update', () => {
      test('changes only the patched fields and increments version', async (world) => {
        const { store } = await openStore(world);
        const created = await store.create(sampleSession({ metadata: { keep: 1 } }));
        const updated = await store.update(created.id, { logLevel: 'warning' });
        assert.deepEqual(updated, { ...created, logLevel: 'warning', version: 2 });
        assert.deepEqual(await store.get(created.id), updated);
        const again = await store.update(created.id, {
          protocolVersion: '2025-06-18',
          clientCapabilities: { roots: {} },
          clientInfo: { name: 'renamed', version: '2' },
        });
        assert.deepEqual(again, {
          ...updated,
          protocolVersion: '2025-06-18',
          clientCapabilities: { roots: {} },
          clientInfo: { name: 'renamed', version: '2' },
          version: 3,
        });
      });

      test('merges metadata by key and removes unsetMetadata keys', async (world) => {
        const { store } = await openStore(world);
        const created = await store.create(sampleSession({ metadata: { a: 1, b: { deep: true }, c: 'c' } }));
        const merged = await store.update(created.id, { metadata: { b: { other: 1 }, d: [1] } });
        assert.deepEqual(merged.metadata, { a: 1, b: { other: 1 }, c: 'c', d: [1] });
        const unset = await store.update(created.id, {
          unsetMetadata: ['a', 'missing'],
          metadata: { e: null },
        });
        assert.deepEqual(unset.metadata, { b: { other: 1 }, c: 'c', d: [1], e: null });
        assert.deepEqual((await store.get(created.id))?.metadata, unset.metadata);
      });

      test('does not move expiry or activity times', async (world) => {
        const { store } = await openStore(world);
        const created = await store.create(sampleSession());
        if (injectable(store)) world.clock.advance(5_000);
        else await sleep(20);
        const updated = await store.update(created.id, { metadata: { x: 1 } });
        assert.equal(updated.createdAt, created.createdAt);
        assert.equal(updated.lastActivityAt, created.lastActivityAt);
        assert.equal(updated.expiresAt, created.expiresAt);
      });

      test('compare-and-set: a stale expectedVersion fails with SESSION_CONFLICT and changes nothing', async (world) => {
        const { store } = await openStore(world);
        const created = await store.create(sampleSession());
        const v2 = await store.update(created.id, { metadata: { n: 1 } }, { expectedVersion: 1 });
        assert.equal(v2.version, 2);
        const err = await rejectsWithCode(
          store.update(created.id, { metadata: { n: 99 } }, { expectedVersion: 1 }),
          'SESSION_CONFLICT',
          'stale CAS',
        );
        assert.equal(err.retryable, true);
        assert.equal(err.details.currentVersion, 2);
        await rejectsWithCode(
          store.update(created.id, { metadata: { n: 99 } }, { expectedVersion: 3 }),
          'SESSION_CONFLICT',
          'future CAS',
        );
        assert.deepEqual(await store.get(created.id), v2);
      });

      test('20 concurrent updaters incrementing a counter with retry-on-conflict end exact', async (world) => {
        const stores = [await openStore(world), await openStore(world)];
        const created = await stores[0]!.store.create(sampleSession({ metadata: { counter: 0 } }));
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => casIncrement(stores[i % 2]!.store, created.id)),
        );
        const final = await stores[1]!.store.get(created.id);
        assert.equal(final?.metadata.counter, 20, 'no increment may be lost');
        assert.equal(final?.version, 21);
      });

      test('fails with SESSION_NOT_FOUND for an unknown or deleted session, creating nothing', async (world) => {
        const { store } = await openStore(world);
        const unknown = randomId();
        await rejectsWithCode(store.update(unknown, { logLevel: 'debug' }), 'SESSION_NOT_FOUND', 'unknown');
        assert.equal(await store.get(unknown), null);
        const created = await store.create(sampleSession());
        await store.delete(created.id);
        await rejectsWithCode(
          store.update(created.id, { metadata: { x: 1 } }),
          'SESSION_NOT_FOUND',
          'deleted',
        );
        await rejectsWithCode(
          store.update(created.id, { metadata: { x: 1 } }, { expectedVersion: 1 }),
          'SESSION_NOT_FOUND',
          'deleted, with CAS',
        );
        assert.equal(await store.get(created.id), null);
      });

      test('a result over the size limit is refused with RECORD_TOO_LARGE and the record is unchanged', async (world) => {
        const { store } = await openStore(world);
        const created = await store.create(sampleSession({ metadata: { a: 1 } }));
        await rejectsWithCode(
          store.update(created.id, { metadata: { blob: 'x'.repeat(world.ctx.maxRecordBytes) } }),
          'RECORD_TOO_LARGE',
          'oversized update',
        );
        assert.deepEqual(await store.get(created.id), created);
      });

      test(UPDATE_AT_SIZE_LIMIT, async (world) => {
        const { store: probe } = await openStore(world);
        const created = await probe.create(sampleSession({ metadata: { a: 1, b: 'two', fill: '' } }));
        // Version 2 has as many digits as 1: the same content makes a record of the same size.
        const limit = jsonByteLength(created);
        const { store } = await openStore(world, { maxRecordBytes: limit });

        const same = await store.update(created.id, { metadata: { b: 'owt' } });
        assert.equal(jsonByteLength(same), limit, 'an update keeping the size must be stored');
        const err = await rejectsWithCode(
          store.update(created.id, { metadata: { b: 'two+' } }),
          'RECORD_TOO_LARGE',
          'update one byte over',
        );
        assert.deepEqual(err.details, { bytes: limit + 1, maxRecordBytes: limit });
        assert.deepEqual(await store.get(created.id), same);
        // Dropping `,"fill":""` frees 10 bytes, exactly what the longer value takes.
        const swapped = await store.update(created.id, {
          unsetMetadata: ['fill'],
          metadata: { b: `owt${'+'.repeat(10)}` },
        });
        assert.equal(jsonByteLength(swapped), limit, 'the freed bytes must count');
        assert.deepEqual(swapped.metadata, { a: 1, b: `owt${'+'.repeat(10)}` });
      });

      test('malformed patches are refused with INVALID_ARGUMENT and the record is unchanged', async (world) => {
        const { store } = await openStore(world);
        const created = await store.create(sampleSession());
        const bad: Array<[string, unknown, unknown?]> = [
          ['a patch of principal', { principal: 'mallory' }],
          ['a patch of id', { id: 'other' }],
          ['a patch of version', { version: 99 }],
          ['a patch of expiresAt', { expiresAt: 0 }],
          ['metadata with a function', { metadata: { f: () => 1 } }],
          ['unsetMetadata not an array', { unsetMetadata: 'a' }],
          ['a zero expectedVersion', { logLevel: 'debug' }, { expectedVersion: 0 }],
        ];
        for (const [what, patch, opts] of bad) {
          await rejectsWithCode(
            () => store.update(created.id, patch as never, opts as never),
            'INVALID_ARGUMENT',
            what,
          );
        }
        assert.deepEqual(await store.get(created.id), created);
      });
    });

    api.describe('touch, expiry and lifetime', () => {
      test('expiresAt is createdAt + idle TTL, and the backend TTL agrees', async (world) => {
        const { store, inspect } = await openStore(world);
        const created = await store.create(sampleSession());
        assert.equal(created.expiresAt - created.createdAt, world.ctx.idleTtlMs);
        if (store.capabilities.nativeTtl) {
          assert.ok(inspect.sessionTtlMs, 'an adapter with nativeTtl must provide inspect.sessionTtlMs');
          const ttl = await inspect.sessionTtlMs(created.id);
          assert.ok(ttl !== null && ttl > 0, `backend TTL must be set, got ${ttl}`);
          const slack = CLOCK_TOLERANCE_MS + store.capabilities.ttlGranularityMs;
          assert.ok(ttl <= world.ctx.idleTtlMs + slack, `backend TTL ${ttl} exceeds the idle TTL`);
          assert.ok(ttl >= world.ctx.idleTtlMs - slack, `backend TTL ${ttl} is far below the idle TTL`);
        }
      });

      test('touch slides activity and expiry, and changes nothing else', async (world) => {
        const { store, inspect } = await openStore(world);
        const created = await store.create(sampleSession({ metadata: { m: 1 } }));
        if (injectable(store)) world.clock.advance(7_000);
        else await sleep(50);
        assert.equal(await store.touch(created.id), true);
        const touched = await store.get(created.id);
        assert.ok(touched);
        assert.ok(touched.lastActivityAt > created.lastActivityAt, 'lastActivityAt must move forward');
        assert.equal(touched.expiresAt, touched.lastActivityAt + world.ctx.idleTtlMs);
        if (injectable(store)) assert.equal(touched.lastActivityAt, world.clock.now());
        assert.deepEqual(
          { ...touched, lastActivityAt: 0, expiresAt: 0 },
          { ...created, lastActivityAt: 0, expiresAt: 0 },
          'touch must not change version or any other field',
        );
        if (store.capabilities.nativeTtl && inspect.sessionTtlMs) {
          const ttl = await inspect.sessionTtlMs(created.id);
          assert.ok(
            ttl !== null && ttl > world.ctx.idleTtlMs - CLOCK_TOLERANCE_MS,
            `TTL not refreshed: ${ttl}`,
          );
        }
      });

      test('touch returns false for an unknown id and creates nothing', async (world) => {
        const { store } = await openStore(world);
        const id = randomId();
        assert.equal(await store.touch(id), false);
        assert.equal(await store.get(id), null);
      });

      test('touch never resurrects a deleted record', async (world) => {
        const [a, b] = [await openStore(world), await openStore(world)];
        const created = await a.store.create(sampleSession());
        assert.equal(await b.store.delete(created.id), true);
        assert.equal(await a.store.touch(created.id), false);
        assert.equal(await a.store.get(created.id), null);
        assert.equal(await b.store.get(created.id), null);
      });

      test('touch is capped by the max lifetime', async (world) => {
        const probe = await openStore(world);
        if (injectable(probe.store)) {
          // idle 10 s, lifetime 25 s: touches at 9 s and 18 s, then the cap bites.
          const { store } = await openStore(world, { idleTtlMs: 10_000, maxLifetimeMs: 25_000 });
          const created = await store.create(sampleSession());
          const cap = created.createdAt + 25_000;
          assert.equal(created.expiresAt, created.createdAt + 10_000);
          world.clock.advance(9_000);
          assert.equal(await store.touch(created.id), true);
          world.clock.advance(9_000);
          assert.equal(await store.touch(created.id), true);
          assert.equal((await store.get(created.id))?.expiresAt, cap);
          world.clock.advance(6_000);
          assert.equal(await store.touch(created.id), true);
          assert.equal((await store.get(created.id))?.expiresAt, cap);
          world.clock.advance(1_001);
          assert.equal(await store.get(created.id), null, 'past the max lifetime the session is gone');
          assert.equal(await store.touch(created.id), false);
          return;
        }
        // A backend clock cannot be moved: make the lifetime shorter than the idle TTL instead.
        const { store, inspect } = await openStore(world, { idleTtlMs: 60_000, maxLifetimeMs: 20_000 });
        const created = await store.create(sampleSession());
        const cap = created.createdAt + 20_000;
        assert.equal(created.expiresAt, cap);
        await sleep(20);
        assert.equal(await store.touch(created.id), true);
        assert.equal((await store.get(created.id))?.expiresAt, cap);
        assert.ok(
          inspect.sessionTtlMs || !store.capabilities.nativeTtl,
          'nativeTtl needs inspect.sessionTtlMs',
        );
        const ttl = await inspect.sessionTtlMs?.(created.id);
        if (ttl !== undefined) {
          const slack = store.capabilities.ttlGranularityMs;
          assert.ok(ttl !== null && ttl <= 20_000 + slack, `backend TTL ${ttl} exceeds the lifetime`);
        }
      });

      test(
        'expired records are never returned, updated, touched or listed, and may be re-created',
        async (world) => {
          const { store } = await openStore(world);
          const principal = randomId('p');
          const created = await store.create(sampleSession({ principal }));
          if (injectable(store)) {
            world.clock.advance(world.ctx.idleTtlMs - 1);
            assert.ok(await store.get(created.id), 'still live 1 ms before expiry');
            world.clock.advance(1);
          } else {
            // The one real-time expiry test of this suite: a 1.2 s TTL, then wait it out.
            const granularity = store.capabilities.ttlGranularityMs;
            await sleep(Math.max(0, created.expiresAt - Date.now()) + granularity + 300);
          }
          assert.equal(await store.get(created.id), null, 'get must not return an expired record');
          assert.equal(await store.touch(created.id), false, 'touch must not resurrect an expired record');
          assert.equal(await store.get(created.id), null, 'an expired record stays gone after touch');
          await rejectsWithCode(
            store.update(created.id, { metadata: { x: 1 } }),
            'SESSION_NOT_FOUND',
            'update',
          );
          if (store.list) assert.deepEqual((await store.list(principal)).records, []);
          const again = await store.create(sampleSession({ id: created.id, principal: 'new-owner' }));
          assert.equal(again.version, 1);
          assert.deepEqual(await store.get(created.id), again);
        },
        { idleTtlMs: 1_200 },
      );
    });

    api.describe('delete', () => {
      test('delete is idempotent and says whether it deleted', async (world) => {
        const [a, b] = [await openStore(world), await openStore(world)];
        const created = await a.store.create(sampleSession());
        assert.equal(await a.store.delete(created.id), true);
        assert.equal(await a.store.delete(created.id), false);
        assert.equal(await b.store.delete(created.id), false);
        assert.equal(await b.store.get(created.id), null);
        assert.equal(await a.store.delete(randomId()), false);
        const recreated = await b.store.create(sampleSession({ id: created.id }));
        assert.equal(recreated.version, 1, 'a deleted id can be created afresh');
      });
    });

    api.describe('namespaces and processes', () => {
      test('another instance on the same namespace sees the same records', async (world) => {
        const [a, b] = [await openStore(world), await openStore(world)];
        const created = await a.store.create(sampleSession());
        assert.deepEqual(await b.store.get(created.id), created);
        const updated = await b.store.update(created.id, { logLevel: 'error' }, { expectedVersion: 1 });
        assert.deepEqual(await a.store.get(created.id), updated);
      });

      test('stores with different namespaces never see each other’s records', async (world) => {
        const { store: mine } = await openStore(world);
        const id = randomId();
        const a = await mine.create(sampleSession({ id, principal: 'alice', metadata: { ns: 'mine' } }));
        // A second namespace on the same backend.
        const theirs = storeOf(await world.openOtherNamespace());
        assert.equal(await theirs.get(id), null);
        assert.equal(await theirs.touch(id), false);
        assert.equal(await theirs.delete(id), false);
        const b = await theirs.create(sampleSession({ id, principal: 'bob', metadata: { ns: 'theirs' } }));
        assert.deepEqual(await mine.get(id), a);
        assert.deepEqual(await theirs.get(id), b);
        if (mine.list && theirs.list) {
          assert.deepEqual((await theirs.list('alice')).records, []);
          assert.deepEqual(
            (await mine.list('alice')).records.map((r) => r.id),
            [id],
          );
        }
        assert.equal(await theirs.delete(id), true);
        assert.deepEqual(await mine.get(id), a);
      });
    });

    api.describe('list by principal', () => {
      test('pages through exactly the live records of one principal', async (world) => {
        const { store } = await openStore(world);
        if (!store.capabilities.listByPrincipal) {
          assert.equal(store.list, undefined, 'list must be absent when listByPrincipal is false');
          return;
        }
        assert.ok(store.list, 'listByPrincipal is declared, so list() must exist');
        const alice = randomId('alice');
        const ids = new Set<string>();
        // First characters from both ends of visible ASCII: the order of ids must not lose any.
        for (const first of ['!', '0', 'A', '_', 'a', 'n', '~']) {
          ids.add((await store.create(sampleSession({ id: randomId(first), principal: alice }))).id);
        }
        await store.create(sampleSession({ principal: randomId('bob') }));
        await store.create(sampleSession({ principal: null }));
        const gone = await store.create(sampleSession({ principal: alice }));
        await store.delete(gone.id);
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await store.list(alice, { limit: 3, cursor });
          assert.ok(page.records.length <= 3, 'a page must respect the limit');
          for (const r of page.records) {
            assert.equal(r.principal, alice);
            assert.deepEqual(await store.get(r.id), r);
          }
          seen.push(...page.records.map((r) => r.id));
          cursor = page.nextCursor;
          pages++;
          assert.ok(pages <= 10, 'listing must end');
        } while (cursor);
        assert.equal(seen.length, 7, 'each live record exactly once');
        assert.deepEqual(new Set(seen), ids);
        const whole = await store.list(alice, { limit: 7 });
        assert.equal(whole.records.length, 7);
        assert.equal(whole.nextCursor, null, 'a full page that ends the listing has no next cursor');
        assert.deepEqual((await store.list(randomId('nobody'))).records, []);
        for (const limit of [0, -1, 1001, 1.5]) {
          await rejectsWithCode(() => store.list!(alice, { limit }), 'INVALID_ARGUMENT', `limit ${limit}`);
        }
      });

      test('a reused id is listed under its new principal only; the principal and cursor must be valid', async (world) => {
        const { store } = await openStore(world);
        if (!store.list) return; // the test above checks that list() is absent by design
        const list = store.list.bind(store);
        const ids = async (principal: string) => (await list(principal)).records.map((r) => r.id);
        const [alice, bob] = [randomId('alice'), randomId('bob')];
        const deleted = await store.create(sampleSession({ principal: alice }));
        await store.delete(deleted.id);
        await store.create(sampleSession({ id: deleted.id, principal: bob }));
        assert.deepEqual(await ids(alice), [], 'a deleted record leaves its principal');
        assert.deepEqual(await ids(bob), [deleted.id]);
        if (injectable(store)) {
          const expired = await store.create(sampleSession({ principal: alice }));
          world.clock.advance(world.ctx.idleTtlMs + 1);
          await store.create(sampleSession({ id: expired.id, principal: bob }));
          assert.deepEqual(await ids(alice), [], 'an expired record, replaced, leaves its principal');
          assert.deepEqual(await ids(bob), [expired.id], 'the first one expired meanwhile');
        }
        for (const cursor of ['not a cursor', '\u00e9t\u00e9']) {
          await rejectsWithCode(
            () => list(bob, { cursor }),
            'INVALID_ARGUMENT',
            `a cursor this store never returned (${JSON.stringify(cursor)})`,
          );
        }
        for (const principal of [null, 7, undefined, { id: alice }]) {
          await rejectsWithCode(
            () => list(principal as unknown as string),
            'INVALID_ARGUMENT',
            `list(${JSON.stringify(principal)})`,
          );
        }
      });
    });

    api.describe('corruption and lifecycle', () => {
      test('detects corrupt records: get returns null and onError reports CORRUPT_RECORD', async (world) => {
        const { store, inspect } = await openStore(world);
        assert.ok(
          inspect.corruptSession,
          'provide inspect.corruptSession, or exclude this test with the reason your backend cannot hold bad data',
        );
        const created = await store.create(sampleSession());
        await inspect.corruptSession(created.id);
        assert.equal(await store.get(created.id), null);
        const report = world.reported.find((e) => e.code === 'CORRUPT_RECORD');
        assert.ok(report, 'the corrupt record must be reported through onError');
        assert.ok(!report.message.includes(created.id), 'the report must not contain the full session id');
        assert.ok(
          !JSON.stringify(report.details).includes(created.id),
          'the report details must not contain the full session id',
        );
      });

      test('after close, every method fails with CLOSED', async (world) => {
        const { store } = await openStore(world);
        const created = await store.create(sampleSession());
        await store.close();
        await store.close();
        await rejectsWithCode(() => store.get(created.id), 'CLOSED', 'get after close');
        await rejectsWithCode(() => store.create(sampleSession()), 'CLOSED', 'create after close');
        await rejectsWithCode(() => store.touch(created.id), 'CLOSED', 'touch after close');
        await rejectsWithCode(() => store.update(created.id, {}), 'CLOSED', 'update after close');
        await rejectsWithCode(() => store.delete(created.id), 'CLOSED', 'delete after close');
      });
    });
  });
}
