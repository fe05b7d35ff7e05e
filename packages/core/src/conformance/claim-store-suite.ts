import assert from 'node:assert/strict';
import { type ClaimStore, MAX_CLAIM_TTL_MS } from '../contract/claim-store.js';
import {
  assertDeclaredAdapter,
  randomId,
  rejectsWithCode,
  required,
  sleep,
  type TestWorld,
  testRegistrar,
} from './helpers.js';
import type { AdapterFactory, AdapterInspector, AdapterUnderTest, SuiteOptions, TestApi } from './types.js';

/** Keys every claim store must refuse with `INVALID_ARGUMENT`, before any backend call. */
export const INVALID_CLAIM_KEYS: readonly unknown[] = [
  '',
  'k'.repeat(257),
  'has space',
  'tab\there',
  'new\nline',
  'nul\u0000',
  'del\u007f',
  'caf\u00e9',
  '\u{1F600}',
  undefined,
  null,
  42,
  {},
  ['k'],
];

/** TTLs every claim store must refuse with `INVALID_ARGUMENT`, before any backend call. */
export const INVALID_CLAIM_TTLS: readonly unknown[] = [
  0,
  -1,
  -60_000,
  1.5,
  999.999,
  MAX_CLAIM_TTL_MS + 1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '1000',
  undefined,
  null,
  10n,
];

/** Every visible ASCII character (0x21-0x7E), once: glob, escape and separator characters included. */
const EVERY_VISIBLE_ASCII = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) =>
  String.fromCharCode(0x21 + i),
).join('');

/** A bad value, readable in a failure message (long strings shortened, bigints shown). */
function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string' && value.length > 40)
    return `${JSON.stringify(value.slice(0, 20))}… (${value.length} chars)`;
  return String(JSON.stringify(value) ?? value);
}

/** How far apart two clocks (suite and backend) may be when comparing times. */
const CLOCK_TOLERANCE_MS = 2_000;

/** The longest a backend-clock test waits for a claim to expire before failing. */
const EXPIRY_WAIT_MS = 15_000;

function claimsOf(adapter: AdapterUnderTest): ClaimStore {
  return required(adapter.claimStore, 'claimStore');
}

async function openClaims(world: TestWorld): Promise<{ store: ClaimStore; inspect: AdapterInspector }> {
  const adapter = await world.open();
  const store = claimsOf(adapter);
  assertDeclaredAdapter(store.capabilities, 'claimStore');
  return { store, inspect: adapter.inspect ?? {} };
}

const injectable = (store: ClaimStore) => store.capabilities.clock === 'injectable';

/** A fresh claim key shaped like the ones `createRequestStateCodec` uses. */
const randomKey = () => randomId('rs');

/**
 * Claims `key` every few ms until a claim wins; fails after {@link EXPIRY_WAIT_MS}. Every losing
 * attempt is itself a claim: a correct store ignores it (a store whose losers extend never ends).
 */
async function claimWhenFree(store: ClaimStore, key: string, ttlMs: number): Promise<void> {
  const deadline = performance.now() + EXPIRY_WAIT_MS;
  while (!(await store.claim(key, ttlMs))) {
    if (performance.now() > deadline) {
      assert.fail(
        `a claim of ${ttlMs} ms could still not be won again after ${EXPIRY_WAIT_MS} ms: it never expires`,
      );
    }
    await sleep(25);
  }
}

/** Asserts the backend's own TTL of a claim is set and close to `ttlMs`, never above it. */
async function assertNativeTtl(store: ClaimStore, inspect: AdapterInspector, key: string, ttlMs: number) {
  assert.ok(inspect.claimTtlMs, 'an adapter whose claim store has nativeTtl must provide inspect.claimTtlMs');
  const ttl = await inspect.claimTtlMs(key);
  assert.ok(ttl !== null && ttl > 0, `the backend must hold the claim with a TTL, got ${ttl}`);
  const granularity = store.capabilities.ttlGranularityMs;
  assert.ok(ttl <= ttlMs + granularity, `backend TTL ${ttl} exceeds the claim's ${ttlMs} ms`);
  assert.ok(
    ttl >= ttlMs - CLOCK_TOLERANCE_MS - granularity,
    `backend TTL ${ttl} is far below the claim's ${ttlMs} ms`,
  );
}

/**
 * The `ClaimStore` conformance suite: exactly one winner among concurrent claimers on any
 * instances, losers change nothing, bounded life (native TTL read back where declared), exact keys,
 * namespaces, input validation before any backend call, close.
 *
 * @example jest or vitest
 * ```ts
 * import { claimStoreSuite } from '@mcp-session-store/core/conformance';
 * claimStoreSuite({ describe, it }, (ctx) => ({
 *   claimStore: new MemoryClaimStore({ backend, namespace: ctx.namespace, clock: ctx.clock }),
 * }));
 * ```
 * @example node:test
 * ```ts
 * import { describe, it } from 'node:test';
 * claimStoreSuite({ describe, it }, factory);
 * ```
 */
export function claimStoreSuite(api: TestApi, factory: AdapterFactory, options: SuiteOptions = {}): void {
  const test = testRegistrar(api, factory, options);

  api.describe(options.name ?? 'ClaimStore conformance', () => {
    api.describe('at most once', () => {
      test('exactly one of many concurrent claimers on several instances wins each key', async (world) => {
        const stores = [await openClaims(world), await openClaims(world), await openClaims(world)].map(
          (s) => s.store,
        );
        const keys = Array.from({ length: 8 }, randomKey);
        const perKey = 24;
        // Every call starts before any resolves: a store that reads, then writes, lets several win.
        const results = await Promise.all(
          keys.map((key) =>
            Promise.all(
              Array.from({ length: perKey }, (_, i) => stores[i % stores.length]!.claim(key, 60_000)),
            ),
          ),
        );
        for (const [i, won] of results.entries()) {
          for (const r of won) assert.equal(typeof r, 'boolean', 'claim must resolve a boolean');
          assert.equal(won.filter((r) => r === true).length, 1, `key ${i}: exactly one claim must win`);
        }
      });

      test('while a claim lives, every later claim on any instance loses, whatever its TTL', async (world) => {
        const [a, b] = [await openClaims(world), await openClaims(world)];
        const key = randomKey();
        assert.equal(await a.store.claim(key, 60_000), true, 'the first claim wins');
        assert.equal(await a.store.claim(key, 60_000), false, 'the same instance again');
        assert.equal(await b.store.claim(key, 60_000), false, 'another instance');
        assert.equal(await b.store.claim(key, 1), false, 'a shorter TTL');
        assert.equal(await b.store.claim(key, MAX_CLAIM_TTL_MS), false, 'a longer TTL');
        if (injectable(a.store)) world.clock.advance(59_999);
        assert.equal(await b.store.claim(key, 60_000), false, 'still held');
      });

      test('a losing claim neither extends nor restarts the claim it lost to', async (world) => {
        const [a, b] = [await openClaims(world), await openClaims(world)];
        const key = randomKey();
        if (injectable(a.store)) {
          assert.equal(await a.store.claim(key, 10_000), true);
          world.clock.advance(6_000);
          assert.equal(await b.store.claim(key, 10_000), false);
          assert.equal(await b.store.claim(key, MAX_CLAIM_TTL_MS), false);
          world.clock.advance(4_000);
          assert.equal(await b.store.claim(key, 10_000), true, 'free 10 s after the winning call');
          return;
        }
        assert.equal(await a.store.claim(key, 60_000), true);
        assert.equal(await b.store.claim(key, MAX_CLAIM_TTL_MS), false);
        if (a.store.capabilities.nativeTtl)
          assert.ok(a.inspect.claimTtlMs, 'nativeTtl needs inspect.claimTtlMs');
        const ttl = await a.inspect.claimTtlMs?.(key);
        if (ttl !== undefined) {
          const granularity = a.store.capabilities.ttlGranularityMs;
          assert.ok(ttl !== null, 'a losing claim removed the claim it lost to');
          assert.ok(ttl <= 60_000 + granularity, `a losing claim extended the TTL to ${ttl} ms`);
        }
      });

      test('keys are independent and compared exactly', async (world) => {
        const [a, b] = [await openClaims(world), await openClaims(world)];
        const base = randomKey();
        const keys = [
          base,
          `${base}x`,
          base.slice(0, -1),
          `${base}*`,
          `${base}?`,
          `${base}:1`,
          base.toUpperCase(),
        ];
        for (const key of keys) assert.equal(await a.store.claim(key, 60_000), true, `first claim of ${key}`);
        for (const key of keys)
          assert.equal(await b.store.claim(key, 60_000), false, `second claim of ${key}`);
      });

      test('keys of 1 and 256 characters, and one with every visible ASCII character, are claimed', async (world) => {
        const [a, b] = [await openClaims(world), await openClaims(world)];
        const unique = randomKey();
        const keys = [
          '!',
          `${EVERY_VISIBLE_ASCII}${unique}`,
          `${'~'.repeat(256)}${unique}`.slice(-256),
          `*{tag}:?[a]\\"'%/${unique}`,
        ];
        // A one-character key is shared by every run on this namespace only: the namespace is fresh.
        for (const key of keys) {
          assert.equal(await a.store.claim(key, 60_000), true, `first claim of ${JSON.stringify(key)}`);
          assert.equal(await b.store.claim(key, 60_000), false, `second claim of ${JSON.stringify(key)}`);
        }
      });
    });

    api.describe('namespaces', () => {
      test('claim stores with different namespaces never see each other’s claims', async (world) => {
        const mine = (await openClaims(world)).store;
        const theirs = claimsOf(await world.openOtherNamespace());
        const key = randomKey();
        assert.equal(await mine.claim(key, 60_000), true);
        assert.equal(await theirs.claim(key, 60_000), true, 'the other namespace wins its own claim');
        assert.equal(await mine.claim(key, 60_000), false);
        assert.equal(await theirs.claim(key, 60_000), false);
      });
    });

    api.describe('expiry', () => {
      test('the backend holds a claim with a native TTL no longer than asked', async (world) => {
        const { store, inspect } = await openClaims(world);
        if (!store.capabilities.nativeTtl && !inspect.claimTtlMs) return;
        const [short, long] = [randomKey(), randomKey()];
        assert.equal(await store.claim(short, 60_000), true);
        await assertNativeTtl(store, inspect, short, 60_000);
        assert.equal(await store.claim(long, MAX_CLAIM_TTL_MS), true, 'the longest TTL is accepted');
        await assertNativeTtl(store, inspect, long, MAX_CLAIM_TTL_MS);
        assert.equal(await inspect.claimTtlMs?.(randomKey()), null, 'no TTL for a key never claimed');
      });

      test('a claim is held until its TTL has passed, then can be won again, once', async (world) => {
        const [a, b] = [await openClaims(world), await openClaims(world)];
        const key = randomKey();
        if (injectable(a.store)) {
          assert.equal(await a.store.claim(key, 30_000), true);
          world.clock.advance(29_999);
          assert.equal(await b.store.claim(key, 30_000), false, 'held 1 ms before the TTL ends');
          world.clock.advance(1);
          assert.equal(await b.store.claim(key, 30_000), true, 'free when the TTL ends');
          assert.equal(await a.store.claim(key, 30_000), false, 'the new claim is held in turn');
          world.clock.advance(29_999);
          assert.equal(await a.store.claim(key, 30_000), false, 'the new claim lives its own TTL');
          world.clock.advance(1);
          assert.equal(await a.store.claim(key, 30_000), true);
          return;
        }
        // A backend clock cannot be moved: the one real-time expiry test of this suite.
        const ttlMs = 2_000 + a.store.capabilities.ttlGranularityMs;
        const started = performance.now();
        assert.equal(await a.store.claim(key, ttlMs), true);
        if (a.store.capabilities.nativeTtl) await assertNativeTtl(a.store, a.inspect, key, ttlMs);
        const second = await b.store.claim(key, ttlMs);
        // Judged only when the answer came well within the TTL: on a machine so loaded that it did
        // not, the claim may rightly have ended (other tests prove a live claim is held).
        if (performance.now() - started < ttlMs - 100) assert.equal(second, false, 'held at first');
        await claimWhenFree(b.store, key, 60_000);
        const elapsed = performance.now() - started;
        // A lower bound only: a slow machine makes it larger, never smaller. 100 ms for the clocks' resolution.
        assert.ok(elapsed >= ttlMs - 100, `the claim of ${ttlMs} ms ended after ${Math.round(elapsed)} ms`);
        assert.equal(await a.store.claim(key, 60_000), false, 'the new claim is held in turn');
      });

      test('the shortest TTL (1 ms) and the longest are accepted', async (world) => {
        const { store } = await openClaims(world);
        assert.equal(await store.claim(randomKey(), 1), true);
        assert.equal(await store.claim(randomKey(), MAX_CLAIM_TTL_MS), true);
      });
    });

    api.describe('input and lifecycle', () => {
      test('bad keys and TTLs are refused with INVALID_ARGUMENT, without a backend call, and record nothing', async (world) => {
        const { store, inspect } = await openClaims(world);
        const key = randomKey();
        const callsBefore = inspect.backendCalls?.();
        for (const bad of INVALID_CLAIM_KEYS) {
          await rejectsWithCode(
            () => store.claim(bad as string, 60_000),
            'INVALID_ARGUMENT',
            `claim(${show(bad)})`,
          );
        }
        for (const ttl of INVALID_CLAIM_TTLS) {
          await rejectsWithCode(
            () => store.claim(key, ttl as number),
            'INVALID_ARGUMENT',
            `ttl ${show(ttl)}`,
          );
        }
        if (callsBefore !== undefined) {
          assert.equal(inspect.backendCalls?.(), callsBefore, 'bad input must not reach the backend');
        }
        assert.equal(await store.claim(key, 60_000), true, 'a refused claim must record nothing');
      });

      test('after close, claim fails with CLOSED; close is idempotent; other instances go on', async (world) => {
        const [a, b] = [await openClaims(world), await openClaims(world)];
        const key = randomKey();
        assert.equal(await a.store.claim(key, 60_000), true);
        await a.store.close();
        await a.store.close();
        await rejectsWithCode(() => a.store.claim(randomKey(), 60_000), 'CLOSED', 'claim after close');
        assert.equal(await b.store.claim(key, 60_000), false, 'the claim outlives the instance that made it');
        assert.equal(await b.store.claim(randomKey(), 60_000), true);
      });
    });
  });
}
