import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { systemClock } from '../clock.js';
import type { SessionStore } from '../contract/session-store.js';
import { isSessionStoreError } from '../errors.js';
import { type JsonObject, type JsonValue, jsonByteLength } from '../json.js';
import { generateSessionId } from '../session-id.js';
import {
  createStateHandles,
  STATE_HANDLE_RECORD_MARKER,
  type StateHandleEntry,
  type StateHandles,
  type StateHandlesOptions,
} from '../state-handles/state-handles.js';
import {
  type ContextOverrides,
  rejectsWithCode,
  required,
  sleep,
  type TestWorld,
  testRegistrar,
} from './helpers.js';
import { sampleSession } from './session-store-suite.js';
import type { AdapterFactory, SuiteOptions, TestApi } from './types.js';

/** How far apart two clocks (suite and backend) may be when comparing times. */
const CLOCK_TOLERANCE_MS = 2_000;

/** Values that break naive serializers, and every kind of JSON value. */
const AWKWARD_VALUES: readonly JsonValue[] = [
  {
    unicode: 'héllo wörld — 你好 — 🙂🚀 — \u0000 after nul',
    quotes: 'she said "hi" and \\ left\nnew line\ttab',
    nested: { a: { b: [1, 2, { c: [true, false, null] }] }, empty: {}, emptyList: [] },
    numbers: { int: 42, negative: -7, float: 3.25, big: 9007199254740991, zero: 0 },
    'key.with.dots': 'value',
    $dollar: '$',
    '': 'empty key',
  },
  ['a', 1, null, { b: [] }],
  'just a string: 🙂',
  0,
  -12.5,
  true,
  false,
  null,
];

/** A handle of the default kind that is well formed but was never created. */
const unknownHandle = () => `state_${randomBytes(32).toString('base64url')}`;

/** Strings that are not handles of the default kind: each must be refused before any store call. */
function invalidHandles(): unknown[] {
  const body = randomBytes(32).toString('base64url');
  return [
    '',
    'state_',
    `state_${body.slice(1)}`, // one character short
    `state_${body}x`, // one too many
    `cart_${body}`, // another kind
    `State_${body}`,
    `state-${body}`,
    `state_${body.slice(1)}\n`,
    `state_${body.slice(1)} `,
    `state_${body.slice(1)}\u0000`,
    `state_${body.slice(1)}é`,
    `state_${body.slice(1)}+`,
    `state_${body.slice(1)}/`,
    ` state_${body}`,
    'x'.repeat(300),
    generateSessionId(),
    randomUUID(),
    undefined,
    null,
    42,
    {},
  ];
}

const injectable = (store: SessionStore) => store.capabilities.clock === 'injectable';

async function openStore(world: TestWorld, limits?: ContextOverrides) {
  const adapter = await world.open(limits);
  return { store: required(adapter.sessionStore, 'sessionStore'), inspect: adapter.inspect ?? {} };
}

/** Handles over `store`, on the suite's clock when the store uses it. */
function handlesOver<T extends JsonValue = JsonValue>(
  world: TestWorld,
  store: SessionStore,
  options: Omit<StateHandlesOptions, 'store'> = {},
): StateHandles<T> {
  return createStateHandles<T>({
    store,
    clock: injectable(store) ? world.clock : systemClock,
    ...options,
  });
}

/** Two "pods": two store instances on one namespace, each with its handles. */
async function twoPods(world: TestWorld, options: Omit<StateHandlesOptions, 'store'> = {}) {
  const a = await openStore(world);
  const b = await openStore(world);
  return {
    a: { ...a, handles: handlesOver(world, a.store, options) },
    b: { ...b, handles: handlesOver(world, b.store, options) },
  };
}

/** The store's current time, as far as the suite can know it. */
const nowOf = (world: TestWorld, store: SessionStore) => (injectable(store) ? world.clock.now() : Date.now());

/** Resolves to the error a call rejects with (any), or fails if it succeeds. */
async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

/**
 * The state handle conformance suite: `createStateHandles` (SEP-2567's explicit, server-minted
 * handles for the 2026-07-28 wire) over the adapter's `sessionStore`, across instances ("pods"),
 * principals, concurrency and expiry. It applies to every adapter that has a session store.
 *
 * @example jest or vitest
 * ```ts
 * import { stateHandleSuite } from '@mcp-session-store/core/conformance';
 * stateHandleSuite({ describe, it }, factory, { name: 'my-store: state handles' });
 * ```
 */
export function stateHandleSuite(api: TestApi, factory: AdapterFactory, options: SuiteOptions = {}): void {
  const test = testRegistrar(api, factory, options);

  api.describe(options.name ?? 'State handle conformance', () => {
    api.describe('create and get', () => {
      test('create mints a prefixed 256-bit handle owned by the principal; another pod reads it', async (world) => {
        const { a, b } = await twoPods(world);
        const before = nowOf(world, a.store);
        const created = await a.handles.create('alice', { items: ['shoes'] });
        const tolerance = injectable(a.store) ? 0 : CLOCK_TOLERANCE_MS;
        assert.match(created.handle, /^state_[A-Za-z0-9_-]{43}$/);
        assert.equal(Buffer.from(created.handle.slice('state_'.length), 'base64url').length, 32);
        assert.deepEqual(created.value, { items: ['shoes'] });
        assert.equal(created.version, 1);
        assert.ok(
          created.createdAt >= before - tolerance && created.createdAt <= nowOf(world, a.store) + tolerance,
        );
        assert.equal(created.expiresAt, created.createdAt + world.ctx.idleTtlMs);
        assert.deepEqual(await b.handles.get(created.handle, 'alice'), created);
        // What the store holds: one record, owned by the principal, the value in metadata.
        const record = await b.store.get(created.handle);
        assert.ok(record, 'the handle is a record of the store');
        assert.equal(record.principal, 'alice');
        assert.equal(record.protocolVersion, STATE_HANDLE_RECORD_MARKER);
        assert.deepEqual(record.metadata, { value: { items: ['shoes'] } });
        assert.equal(record.logLevel, null);
        assert.deepEqual(record.clientCapabilities, {});
        // Every handle is new.
        const many = await Promise.all(Array.from({ length: 50 }, () => a.handles.create('alice', 1)));
        assert.equal(
          new Set([created.handle, ...many.map((e) => e.handle)]).size,
          51,
          'handles never repeat',
        );
      });

      test('round-trips every kind of JSON value exactly, across pods; results are copies', async (world) => {
        const { a, b } = await twoPods(world);
        for (const value of AWKWARD_VALUES) {
          const created = await a.handles.create('ûsér:{42}*😀', value);
          const read = await b.handles.get(created.handle, 'ûsér:{42}*😀');
          assert.deepEqual(read?.value, value, `value ${JSON.stringify(value)}`);
        }
        const input = { list: [1, 2] };
        const created = await a.handles.create('alice', input);
        input.list.push(3);
        (created.value as { list: number[] }).list.push(4);
        const read = (await a.handles.get(created.handle, 'alice')) as StateHandleEntry<{ list: number[] }>;
        read.value.list.push(5);
        assert.deepEqual((await b.handles.get(created.handle, 'alice'))?.value, { list: [1, 2] });
      });

      test('a handle without authentication (principal null) is its own bearer: no principal reads it', async (world) => {
        const { a, b } = await twoPods(world);
        const open = await a.handles.create(null, 'anyone with the handle');
        assert.equal((await b.handles.get(open.handle, null))?.value, 'anyone with the handle');
        assert.equal(await b.handles.get(open.handle, 'alice'), null);
        const owned = await a.handles.create('alice', 'alice only');
        assert.equal(await b.handles.get(owned.handle, null), null);
      });
    });

    api.describe('principals', () => {
      test('another principal cannot read, update, touch or delete a handle: answered as an unknown one', async (world) => {
        const { a, b } = await twoPods(world, { touchFraction: 0 });
        const created = await a.handles.create('alice', { n: 1 });
        const before = await a.store.get(created.handle);
        if (injectable(a.store)) world.clock.advance(10_000);
        let updaterCalls = 0;
        const count = () => {
          updaterCalls++;
          return { n: 666 };
        };
        assert.equal(await b.handles.get(created.handle, 'mallory'), null);
        assert.equal(await b.handles.get(created.handle, null), null);
        const foreign = await rejectsWithCode(
          b.handles.update(created.handle, 'mallory', { n: 666 }),
          'SESSION_NOT_FOUND',
          'update by another principal',
        );
        await rejectsWithCode(
          b.handles.update(created.handle, 'mallory', { n: 666 }, { expectedVersion: 1 }),
          'SESSION_NOT_FOUND',
          'compare-and-set by another principal',
        );
        await rejectsWithCode(
          b.handles.updateWithRetry(created.handle, 'mallory', count),
          'SESSION_NOT_FOUND',
          'updateWithRetry by another principal',
        );
        assert.equal(updaterCalls, 0, "the updater never sees another principal's value");
        assert.equal(await b.handles.touch(created.handle, 'mallory'), false);
        assert.equal(await b.handles.delete(created.handle, 'mallory'), false);
        // The owner's handle is untouched: value, version, and not even its expiry slid.
        assert.deepEqual(await a.store.get(created.handle), before);
        assert.deepEqual((await a.handles.get(created.handle, 'alice'))?.value, { n: 1 });
        // Indistinguishable from a handle that never existed.
        const unknown = await rejectsWithCode(
          b.handles.update(unknownHandle(), 'mallory', { n: 666 }),
          'SESSION_NOT_FOUND',
          'update of an unknown handle',
        );
        assert.equal(foreign.message, unknown.message);
        assert.deepEqual(foreign.details, unknown.details);
        assert.equal(foreign.retryable, false);
        assert.ok(!foreign.message.includes(created.handle), 'an error never holds the handle');
      });

      test('an unknown handle: get null, update SESSION_NOT_FOUND, touch and delete false, nothing created', async (world) => {
        const { a } = await twoPods(world);
        const handle = unknownHandle();
        assert.equal(await a.handles.get(handle, 'alice'), null);
        await rejectsWithCode(a.handles.update(handle, 'alice', 1), 'SESSION_NOT_FOUND', 'update');
        await rejectsWithCode(
          a.handles.updateWithRetry(handle, 'alice', () => 1),
          'SESSION_NOT_FOUND',
          'updateWithRetry',
        );
        assert.equal(await a.handles.touch(handle, 'alice'), false);
        assert.equal(await a.handles.delete(handle, 'alice'), false);
        assert.equal(await a.store.get(handle), null);
      });

      test('handles and sessions in one store never mix, nor handles of two kinds', async (world) => {
        const { store } = await openStore(world);
        const carts = handlesOver(world, store, { prefix: 'cart' });
        const browsers = handlesOver(world, store, { prefix: 'browser' });
        const cart = await carts.create('alice', { items: [] });
        assert.match(cart.handle, /^cart_/);
        assert.equal(carts.isHandle(cart.handle), true);
        assert.equal(browsers.isHandle(cart.handle), false);
        await rejectsWithCode(browsers.get(cart.handle, 'alice'), 'INVALID_ARGUMENT', 'a cart as a browser');
        // A session id is not a handle.
        const session = await store.create(sampleSession({ id: generateSessionId(), principal: 'alice' }));
        await rejectsWithCode(carts.get(session.id, 'alice'), 'INVALID_ARGUMENT', 'a session id as a handle');
        // A session record stored under a handle-shaped id is still not a handle.
        const lookalike = await store.create(
          sampleSession({ id: `cart_${randomBytes(32).toString('base64url')}`, principal: 'alice' }),
        );
        assert.equal(await carts.get(lookalike.id, 'alice'), null);
        await rejectsWithCode(carts.update(lookalike.id, 'alice', 1), 'SESSION_NOT_FOUND', 'update');
        assert.equal(await carts.touch(lookalike.id, 'alice'), false);
        assert.equal(await carts.delete(lookalike.id, 'alice'), false);
        assert.deepEqual(await store.get(lookalike.id), lookalike, 'the session is unchanged');
      });
    });

    api.describe('update', () => {
      test('a value or an updater replaces the value and increments the version, seen by every pod', async (world) => {
        const { a, b } = await twoPods(world);
        const created = await a.handles.create('alice', { items: ['a'] });
        const replaced = await b.handles.update(created.handle, 'alice', { items: ['b'] });
        assert.deepEqual(replaced, { ...created, value: { items: ['b'] }, version: 2 });
        const seen: unknown[] = [];
        const appended = await a.handles.update(created.handle, 'alice', (cart, entry) => {
          seen.push(cart, entry.version);
          return { items: [...(cart as { items: string[] }).items, 'c'] };
        });
        assert.deepEqual(seen, [{ items: ['b'] }, 2], 'the updater gets the current value and version');
        assert.deepEqual(appended.value, { items: ['b', 'c'] });
        assert.equal(appended.version, 3);
        assert.deepEqual(await b.handles.get(created.handle, 'alice'), appended);
        const cas = await b.handles.update(created.handle, 'alice', 'last', { expectedVersion: 3 });
        assert.equal(cas.version, 4);
        assert.equal((await a.handles.get(created.handle, 'alice'))?.value, 'last');
      });

      test('compare-and-set: two pods updating the same version at once, exactly one wins', async (world) => {
        const { a, b } = await twoPods(world);
        const created = await a.handles.create('alice', 'v1');
        const results = await Promise.allSettled([
          a.handles.update(created.handle, 'alice', 'from a', { expectedVersion: 1 }),
          b.handles.update(created.handle, 'alice', 'from b', { expectedVersion: 1 }),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        assert.equal(won.length, 1, 'exactly one compare-and-set must win');
        const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        assert.ok(isSessionStoreError(lost.reason, 'SESSION_CONFLICT'), String(lost.reason));
        assert.equal(lost.reason.retryable, true);
        const winner = (won[0] as PromiseFulfilledResult<StateHandleEntry<JsonValue>>).value;
        assert.equal(winner.version, 2);
        assert.deepEqual(await b.handles.get(created.handle, 'alice'), winner);
        // A stale version changes nothing, with a value or an updater.
        await rejectsWithCode(
          a.handles.update(created.handle, 'alice', 'stale', { expectedVersion: 1 }),
          'SESSION_CONFLICT',
          'stale value',
        );
        await rejectsWithCode(
          a.handles.update(created.handle, 'alice', () => 'stale', { expectedVersion: 1 }),
          'SESSION_CONFLICT',
          'stale updater',
        );
        assert.deepEqual(await a.handles.get(created.handle, 'alice'), winner);
      });

      test('updateWithRetry: concurrent increments from several pods add up exactly', async (world) => {
        const pods = await Promise.all([openStore(world), openStore(world), openStore(world)]);
        const all = pods.map((p) => handlesOver<{ n: number }>(world, p.store));
        const created = await all[0]!.create('alice', { n: 0 });
        const writers = 12;
        const results = await Promise.all(
          Array.from({ length: writers }, (_, i) =>
            all[i % all.length]!.updateWithRetry(created.handle, 'alice', (c) => ({ n: c.n + 1 }), {
              maxAttempts: writers,
            }),
          ),
        );
        const final = await all[1]!.get(created.handle, 'alice');
        assert.deepEqual(final?.value, { n: writers }, 'no increment may be lost');
        assert.equal(final?.version, writers + 1);
        assert.deepEqual(
          results.map((r) => r.value.n).sort((x, y) => x - y),
          Array.from({ length: writers }, (_, i) => i + 1),
          'each write returns what it wrote, and each wrote a different value',
        );
      });

      test('updateWithRetry gives up after maxAttempts with SESSION_CONFLICT', async (world) => {
        const { a, b } = await twoPods(world);
        const created = await a.handles.create('alice', 0);
        let calls = 0;
        // Every attempt loses: another pod writes between this one's read and its write.
        const err = await rejectsWithCode(
          a.handles.updateWithRetry(
            created.handle,
            'alice',
            async (n) => {
              calls++;
              await b.handles.update(created.handle, 'alice', 100 + calls);
              return (n as number) + 1;
            },
            { maxAttempts: 3 },
          ),
          'SESSION_CONFLICT',
          'always beaten',
        );
        assert.equal(err.retryable, true);
        assert.equal(calls, 3);
        assert.equal((await a.handles.get(created.handle, 'alice'))?.value, 103);
      });

      test('an updater that throws or returns something that is not JSON writes nothing', async (world) => {
        const { a } = await twoPods(world);
        const created = await a.handles.create('alice', { n: 1 });
        const boom = new Error('the tool refuses');
        assert.equal(
          await errorOf(
            a.handles.update(created.handle, 'alice', () => {
              throw boom;
            }),
          ),
          boom,
        );
        assert.equal(
          await errorOf(
            a.handles.updateWithRetry(created.handle, 'alice', async () => {
              throw boom;
            }),
          ),
          boom,
        );
        for (const bad of [undefined, new Date(), { n: Number.NaN }, () => 1]) {
          await rejectsWithCode(
            a.handles.update(created.handle, 'alice', () => bad as never),
            'INVALID_ARGUMENT',
            `updater returning ${String(bad)}`,
          );
        }
        assert.deepEqual(await a.handles.get(created.handle, 'alice'), created);
      });
    });

    api.describe('expiry', () => {
      test(
        'a handle expires after the idle TTL: gone for get, update, touch and delete',
        async (world) => {
          const { store } = await openStore(world);
          // This instance never slides expiry, so reading the handle does not keep it alive.
          const handles = handlesOver(world, store, { touchFraction: null });
          const created = await handles.create('alice', 'soon gone');
          assert.equal(created.expiresAt - created.createdAt, world.ctx.idleTtlMs);
          if (injectable(store)) {
            world.clock.advance(world.ctx.idleTtlMs - 1);
            assert.ok(await handles.get(created.handle, 'alice'), 'still live 1 ms before expiry');
            world.clock.advance(1);
          } else {
            // The backend's clock cannot be moved: a 1.2 s TTL, waited out by polling.
            const deadline = Date.now() + 15_000;
            while ((await handles.get(created.handle, 'alice')) !== null) {
              assert.ok(Date.now() < deadline, 'the handle never expired');
              await sleep(25);
            }
            assert.ok(Date.now() >= created.expiresAt - CLOCK_TOLERANCE_MS, 'the handle expired early');
          }
          assert.equal(await handles.get(created.handle, 'alice'), null, 'gone at expiresAt');
          await rejectsWithCode(
            handles.update(created.handle, 'alice', 'again'),
            'SESSION_NOT_FOUND',
            'update',
          );
          assert.equal(await handles.touch(created.handle, 'alice'), false, 'touch never resurrects');
          assert.equal(await handles.get(created.handle, 'alice'), null);
          assert.equal(await handles.delete(created.handle, 'alice'), false);
        },
        { idleTtlMs: 1_200 },
      );

      test('access by the owner slides the idle expiry; explicit touch too', async (world) => {
        const { store } = await openStore(world);
        const idle = world.ctx.idleTtlMs;
        if (injectable(store)) {
          const handles = handlesOver(world, store); // default touchFraction 0.25
          const created = await handles.create('alice', 1);
          world.clock.advance(idle * 0.1);
          assert.ok(await handles.get(created.handle, 'alice'));
          assert.equal(
            (await store.get(created.handle))?.lastActivityAt,
            created.createdAt,
            'too soon to touch',
          );
          world.clock.advance(idle * 0.2);
          assert.ok(await handles.get(created.handle, 'alice'));
          assert.equal((await store.get(created.handle))?.lastActivityAt, world.clock.now(), 'a get slid it');
          world.clock.advance(idle * 0.9); // past the expiry it had at creation
          assert.ok(await handles.update(created.handle, 'alice', 2), 'still live: a get slid it');
          assert.equal(
            (await store.get(created.handle))?.lastActivityAt,
            world.clock.now(),
            'an update slid it',
          );
          world.clock.advance(idle - 1);
          assert.equal(await handles.touch(created.handle, 'alice'), true);
          world.clock.advance(idle - 1);
          assert.equal((await handles.get(created.handle, 'alice'))?.value, 2, 'an explicit touch slid it');
          // touchFraction null: access never slides.
          const manual = handlesOver(world, store, { touchFraction: null });
          const other = await manual.create('alice', 3);
          world.clock.advance(idle / 2);
          assert.ok(await manual.get(other.handle, 'alice'));
          await manual.update(other.handle, 'alice', 4);
          world.clock.advance(idle / 2);
          assert.equal(await manual.get(other.handle, 'alice'), null, 'gone idleTtlMs after creation');
          return;
        }
        // A backend clock: prove the slide by the record's lastActivityAt moving forward.
        const handles = handlesOver(world, store, { touchFraction: 0 });
        const created = await handles.create('alice', 1);
        const initial = await store.get(created.handle);
        assert.ok(initial);
        for (const [what, access] of [
          ['get', () => handles.get(created.handle, 'alice')],
          ['update', () => handles.update(created.handle, 'alice', 2)],
          ['touch', () => handles.touch(created.handle, 'alice')],
        ] as const) {
          const before = (await store.get(created.handle))!.lastActivityAt;
          let after = before;
          const deadline = Date.now() + 10_000;
          while (after <= before) {
            assert.ok(Date.now() < deadline, `${what} never slid the expiry`);
            await access();
            after = (await store.get(created.handle))!.lastActivityAt;
            if (after <= before) await sleep(5);
          }
          const record = await store.get(created.handle);
          assert.equal(record?.expiresAt, after + idle, `${what}: expiry is the last activity + idle TTL`);
        }
      });

      test('a handle lives at most the max lifetime, however often it is used', async (world) => {
        const probe = await openStore(world);
        if (injectable(probe.store)) {
          const { store } = await openStore(world, { idleTtlMs: 10_000, maxLifetimeMs: 25_000 });
          const handles = handlesOver(world, store, { touchFraction: 0 });
          const created = await handles.create('alice', 'x');
          for (let t = 0; t < 24_000; t += 8_000) {
            world.clock.advance(8_000);
            assert.ok(await handles.get(created.handle, 'alice'), `live at ${t + 8_000} ms`);
          }
          world.clock.advance(1_000); // 25 s after creation
          assert.equal(await handles.get(created.handle, 'alice'), null, 'gone at the max lifetime');
          return;
        }
        const { store } = await openStore(world, { idleTtlMs: 60_000, maxLifetimeMs: 20_000 });
        const handles = handlesOver(world, store, { touchFraction: 0 });
        const created = await handles.create('alice', 'x');
        assert.equal(created.expiresAt, created.createdAt + 20_000);
        assert.equal(await handles.touch(created.handle, 'alice'), true);
        assert.ok(await handles.get(created.handle, 'alice'));
        assert.equal((await store.get(created.handle))?.expiresAt, created.createdAt + 20_000);
      });
    });

    api.describe('delete', () => {
      test('delete removes the handle for every pod, and is idempotent', async (world) => {
        const { a, b } = await twoPods(world);
        const created = await a.handles.create('alice', 'x');
        assert.equal(await a.handles.delete(created.handle, 'alice'), true);
        assert.equal(await b.handles.get(created.handle, 'alice'), null);
        assert.equal(await b.handles.delete(created.handle, 'alice'), false);
        assert.equal(await a.handles.delete(created.handle, 'alice'), false);
        await rejectsWithCode(b.handles.update(created.handle, 'alice', 'y'), 'SESSION_NOT_FOUND', 'update');
        assert.equal(await b.handles.touch(created.handle, 'alice'), false);
        assert.equal(await a.store.get(created.handle), null);
      });
    });

    api.describe('bad input and limits', () => {
      test('malformed handles and principals are refused with INVALID_ARGUMENT, without a store call', async (world) => {
        const { store, inspect } = await openStore(world);
        const handles = handlesOver(world, store);
        const valid = unknownHandle();
        const callsBefore = inspect.backendCalls?.();
        for (const handle of invalidHandles()) {
          const what = `handle ${JSON.stringify(handle)}`;
          assert.equal(handles.isHandle(handle), false, `isHandle(${what})`);
          const h = handle as string;
          for (const [method, call] of [
            ['get', () => handles.get(h, 'alice')],
            ['update', () => handles.update(h, 'alice', 1)],
            ['updateWithRetry', () => handles.updateWithRetry(h, 'alice', () => 1)],
            ['touch', () => handles.touch(h, 'alice')],
            ['delete', () => handles.delete(h, 'alice')],
          ] as const) {
            const err = await rejectsWithCode(call, 'INVALID_ARGUMENT', `${method}(${what})`);
            if (typeof handle === 'string' && handle.length > 8) {
              assert.ok(!err.message.includes(handle), 'an error never holds the handle');
              assert.ok(!JSON.stringify(err.details).includes(handle), 'nor its details');
            }
          }
        }
        for (const principal of ['', 42, undefined, {}]) {
          const p = principal as string;
          const what = `principal ${JSON.stringify(principal)}`;
          await rejectsWithCode(() => handles.create(p, 1), 'INVALID_ARGUMENT', `create(${what})`);
          await rejectsWithCode(() => handles.get(valid, p), 'INVALID_ARGUMENT', `get(${what})`);
          await rejectsWithCode(() => handles.update(valid, p, 1), 'INVALID_ARGUMENT', `update(${what})`);
          await rejectsWithCode(() => handles.touch(valid, p), 'INVALID_ARGUMENT', `touch(${what})`);
          await rejectsWithCode(() => handles.delete(valid, p), 'INVALID_ARGUMENT', `delete(${what})`);
        }
        const cyclic: JsonObject = {};
        (cyclic as Record<string, unknown>).self = cyclic;
        for (const value of [
          undefined,
          Number.NaN,
          Number.POSITIVE_INFINITY,
          new Date(),
          new Map(),
          cyclic,
          1n,
        ]) {
          const what = `value ${String(value)}`;
          await rejectsWithCode(
            () => handles.create('alice', value as never),
            'INVALID_ARGUMENT',
            `create(${what})`,
          );
          await rejectsWithCode(
            () => handles.update(valid, 'alice', { nested: [value] } as never),
            'INVALID_ARGUMENT',
            `update(${what})`,
          );
        }
        for (const expectedVersion of [0, -1, 1.5, Number.NaN]) {
          await rejectsWithCode(
            () => handles.update(valid, 'alice', 1, { expectedVersion }),
            'INVALID_ARGUMENT',
            `expectedVersion ${expectedVersion}`,
          );
        }
        for (const maxAttempts of [0, -1, 1.5]) {
          await rejectsWithCode(
            () => handles.updateWithRetry(valid, 'alice', () => 1, { maxAttempts }),
            'INVALID_ARGUMENT',
            `maxAttempts ${maxAttempts}`,
          );
        }
        if (callsBefore !== undefined) {
          assert.equal(inspect.backendCalls?.(), callsBefore, 'bad input must not reach the store');
        }
        for (const [what, opts] of [
          ['an empty prefix', { prefix: '' }],
          ['a prefix with _', { prefix: 'a_b' }],
          ['a prefix starting with a digit', { prefix: '1cart' }],
          ['a 33-character prefix', { prefix: 'x'.repeat(33) }],
          ['touchFraction -0.1', { touchFraction: -0.1 }],
          ['touchFraction 1.5', { touchFraction: 1.5 }],
          ['touchFraction NaN', { touchFraction: Number.NaN }],
          ['a clock without now()', { clock: {} }],
        ] as const) {
          await rejectsWithCode(
            () => createStateHandles({ store, ...(opts as object) }),
            'INVALID_ARGUMENT',
            what,
          );
        }
        await rejectsWithCode(
          () => createStateHandles({ store: {} as SessionStore }),
          'INVALID_ARGUMENT',
          'no store',
        );
      });

      test("values are bounded by the store's maxRecordBytes: RECORD_TOO_LARGE, nothing changed", async (world) => {
        const { store } = await openStore(world);
        const handles = handlesOver(world, store);
        const limit = world.ctx.maxRecordBytes;
        await rejectsWithCode(
          handles.create('alice', 'x'.repeat(limit)),
          'RECORD_TOO_LARGE',
          'an oversized value',
        );
        const created = await handles.create('alice', '');
        const record = await store.get(created.handle);
        assert.ok(record);
        // Leave room for the digits of the version and times.
        const room = limit - jsonByteLength(record) - 64;
        const unit = 'é🙂x'; // 7 bytes of UTF-8, 4 UTF-16 units: catches char-vs-byte size bugs
        const fits = unit.repeat(Math.floor(room / 7)) + 'x'.repeat(room % 7);
        const near = await handles.update(created.handle, 'alice', fits);
        assert.equal(
          (await handles.get(created.handle, 'alice'))?.value,
          fits,
          'a value near the limit fits',
        );
        await rejectsWithCode(
          handles.update(created.handle, 'alice', `${fits}${'x'.repeat(1024)}`),
          'RECORD_TOO_LARGE',
          'an update over the limit',
        );
        assert.deepEqual(await handles.get(created.handle, 'alice'), near, 'the handle is unchanged');
      });

      test('after the store is closed, every method fails with CLOSED', async (world) => {
        const { store } = await openStore(world);
        const handles = handlesOver(world, store);
        const created = await handles.create('alice', 1);
        await store.close();
        await rejectsWithCode(() => handles.create('alice', 1), 'CLOSED', 'create');
        await rejectsWithCode(() => handles.get(created.handle, 'alice'), 'CLOSED', 'get');
        await rejectsWithCode(() => handles.update(created.handle, 'alice', 2), 'CLOSED', 'update');
        await rejectsWithCode(() => handles.touch(created.handle, 'alice'), 'CLOSED', 'touch');
        await rejectsWithCode(() => handles.delete(created.handle, 'alice'), 'CLOSED', 'delete');
      });
    });
  });
}
