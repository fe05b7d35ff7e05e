// createRequestStateCodec: sealed with the keyring (rotation), bound to principal and request,
// expiring, and consumed at most once through a ClaimStore shared by the pods.
import { randomBytes } from 'node:crypto';
import {
  type ClaimStore,
  createKeyring,
  createRequestStateCodec,
  isRequestStateError,
  isSessionStoreError,
  REQUEST_STATE_CLAIM_MARGIN_MS,
  type RequestStateContext,
  type RequestStateFailure,
  SessionStoreError,
  sealEnvelope,
  TestClock,
} from '../src/index.js';
import { ReferenceClaimStore } from './fixtures/reference-claim-store.mjs';

const KEY_1 = randomBytes(32);
const KEY_2 = randomBytes(32);
const ring1 = { activeKeyId: 'k1', keys: { k1: KEY_1 } };

interface Ctx extends RequestStateContext {}

/** A request's context as SDK v2 gives it to a handler and to `verify`. */
function ctx(
  options: { method?: string; name?: string | null; sub?: string; clientId?: string; auth?: boolean } = {},
): Ctx {
  const { method = 'tools/call', name = 'wizard', sub = 'alice', clientId = 'app', auth = true } = options;
  const headers: Record<string, string> = name === null ? {} : { 'mcp-name': name };
  return {
    mcpReq: { method },
    http: {
      ...(auth && { authInfo: { clientId, extra: sub === '' ? {} : { sub } } }),
      req: new Request('http://localhost/mcp', { method: 'POST', headers }),
    },
  };
}

const PAYLOAD = { step: 2, secret: 'payload-secret-7f3a', nested: { list: [1, 'two', null], ok: true } };

async function reasonOf(promise: Promise<unknown>): Promise<RequestStateFailure | 'accepted'> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (isRequestStateError(error)) return error.reason;
    throw error;
  }
}

describe('mint and verify', () => {
  test('round-trips any JSON payload; the state reveals neither payload nor principal', async () => {
    const codec = createRequestStateCodec<typeof PAYLOAD>({ keyring: ring1 });
    const state = await codec.mint(PAYLOAD, ctx());
    expect(await codec.verify(state, ctx())).toEqual(PAYLOAD);
    expect(await codec.verify(state, ctx())).toEqual(PAYLOAD); // without claims: reusable until expiry
    const visible = `${state} ${Buffer.from(state.split(':').at(-1)!, 'base64url').toString('latin1')}`;
    for (const secret of ['payload-secret', 'alice', 'wizard', 'step']) expect(visible).not.toContain(secret);
    expect(state).toMatch(/^enc:v1:k1:[A-Za-z0-9_-]+$/);
    const any = createRequestStateCodec({ keyring: ring1 });
    for (const payload of [null, 0, 'text', [1, 2], { '': 'é🙂' }]) {
      expect(await any.verify(await any.mint(payload, ctx()), ctx())).toEqual(payload);
    }
  });

  test('every state is different, even for the same payload and request', async () => {
    const codec = createRequestStateCodec({ keyring: ring1 });
    const states = await Promise.all(Array.from({ length: 50 }, () => codec.mint(PAYLOAD, ctx())));
    expect(new Set(states).size).toBe(50);
  });

  test('mint needs the ctx and a JSON payload; bad options fail at construction', async () => {
    const codec = createRequestStateCodec({ keyring: ring1 });
    const invalid = async (run: () => unknown) => {
      try {
        await run();
      } catch (error) {
        return isSessionStoreError(error, 'INVALID_ARGUMENT');
      }
      return false;
    };
    expect(await invalid(() => codec.mint(PAYLOAD))).toBe(true);
    expect(await invalid(() => codec.mint({ when: new Date() } as never, ctx()))).toBe(true);
    expect(await invalid(() => codec.mint(undefined, ctx()))).toBe(true);
    expect(await invalid(() => codec.verify('x', undefined as never))).toBe(true);
    for (const ttlSeconds of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 8 * 24 * 3600, '600']) {
      expect(
        await invalid(() => createRequestStateCodec({ keyring: ring1, ttlSeconds: ttlSeconds as number })),
      ).toBe(true);
    }
    expect(
      await invalid(() => createRequestStateCodec({ keyring: { activeKeyId: 'k1', keys: { k1: 'short' } } })),
    ).toBe(true);
    expect(await invalid(() => createRequestStateCodec(undefined as never))).toBe(true);
    expect(await invalid(() => createRequestStateCodec({ keyring: ring1, claims: {} as ClaimStore }))).toBe(
      true,
    );
    expect(
      await invalid(() => createRequestStateCodec({ keyring: ring1, principal: 'alice' as never })),
    ).toBe(true);
  });
});

describe('keys', () => {
  test('rotation: a state sealed under the old active key opens while that key is listed, not after', async () => {
    const before = createRequestStateCodec({ keyring: ring1 });
    const during = createRequestStateCodec({
      keyring: { activeKeyId: 'k2', keys: { k1: KEY_1, k2: KEY_2 } },
    });
    const after = createRequestStateCodec({ keyring: { activeKeyId: 'k2', keys: { k2: KEY_2 } } });
    const old = await before.mint(PAYLOAD, ctx());
    expect(await during.verify(old, ctx())).toEqual(PAYLOAD);
    const fresh = await during.mint(PAYLOAD, ctx());
    expect(fresh.startsWith('enc:v1:k2:')).toBe(true);
    expect(await after.verify(fresh, ctx())).toEqual(PAYLOAD);
    expect(await reasonOf(after.verify(old, ctx()))).toBe('unknown-key');
    expect(await reasonOf(before.verify(fresh, ctx()))).toBe('unknown-key');
  });

  test('another key under the same key id is tampering', async () => {
    const mine = createRequestStateCodec({ keyring: ring1 });
    const theirs = createRequestStateCodec({ keyring: { activeKeyId: 'k1', keys: { k1: KEY_2 } } });
    expect(await reasonOf(mine.verify(await theirs.mint(PAYLOAD, ctx()), ctx()))).toBe('tampered');
  });

  test('every changed character, truncation or extension of a state is refused', async () => {
    const codec = createRequestStateCodec({ keyring: ring1 });
    const state = await codec.mint(PAYLOAD, ctx());
    const variants: string[] = [state.slice(0, -1), `${state}A`, state.slice(1), `x${state}`, ''];
    for (let i = 0; i < state.length; i++) {
      const code = state.charCodeAt(i);
      for (const replacement of [code ^ 1, code ^ 32, 'A'.charCodeAt(0), '_'.charCodeAt(0)]) {
        if (replacement !== code)
          variants.push(state.slice(0, i) + String.fromCharCode(replacement) + state.slice(i + 1));
      }
    }
    const reasons = new Set<string>();
    for (const variant of variants) {
      const reason = await reasonOf(codec.verify(variant, ctx()));
      expect({ variant, reason }).toEqual({
        variant,
        reason: expect.stringMatching(/^(malformed|tampered|unknown-key)$/),
      });
      reasons.add(reason);
    }
    expect(reasons).toEqual(new Set(['malformed', 'tampered', 'unknown-key']));
  });

  test('non-strings, other envelopes and sealed junk are refused, never thrown as anything else', async () => {
    const keyring = createKeyring(ring1);
    const codec = createRequestStateCodec({ keyring });
    for (const state of [
      undefined,
      null,
      42,
      {},
      [],
      'v1.abc.def',
      'enc:v1:',
      'enc:v1:k1:',
      'x'.repeat(2_000_000),
    ]) {
      expect(await reasonOf(codec.verify(state as string, ctx()))).toBe('malformed');
    }
    // A session field encrypted with the same keyring (another AAD context) is not a state.
    const sessionField = sealEnvelope(keyring, JSON.stringify(PAYLOAD), ['session', 's-1', 'metadata', 'x']);
    expect(await reasonOf(codec.verify(sessionField, ctx()))).toBe('tampered');
    // Sealed under the state's context, but not by mint: not a state.
    const junk = sealEnvelope(keyring, '{"v":1}', ['request-state', 'v1']);
    expect(await reasonOf(codec.verify(junk, ctx()))).toBe('malformed');
  });
});

describe('binding and expiry', () => {
  test('expires after ttlSeconds (600 by default), by the injected clock', async () => {
    const clock = new TestClock();
    const codec = createRequestStateCodec({ keyring: ring1, clock });
    const short = createRequestStateCodec({ keyring: ring1, clock, ttlSeconds: 60 });
    const [state, shortState] = [await codec.mint(PAYLOAD, ctx()), await short.mint(PAYLOAD, ctx())];
    clock.advance(59_999);
    expect(await short.verify(shortState, ctx())).toEqual(PAYLOAD);
    clock.advance(1);
    expect(await reasonOf(short.verify(shortState, ctx()))).toBe('expired');
    clock.advance(600_000 - 60_000 - 1);
    expect(await codec.verify(state, ctx())).toEqual(PAYLOAD);
    clock.advance(1);
    expect(await reasonOf(codec.verify(state, ctx()))).toBe('expired');
  });

  test('bound to the principal: another user, another client, or no authentication is foreign', async () => {
    const codec = createRequestStateCodec({ keyring: ring1 });
    const state = await codec.mint(PAYLOAD, ctx({ sub: 'alice' }));
    expect(await reasonOf(codec.verify(state, ctx({ sub: 'mallory' })))).toBe('foreign');
    expect(await reasonOf(codec.verify(state, ctx({ auth: false })))).toBe('foreign');
    expect(await reasonOf(codec.verify(state, ctx({ sub: '', clientId: 'alice' })))).toBe('foreign');
    // Same user through another OAuth client: the user is the principal.
    expect(await codec.verify(state, ctx({ sub: 'alice', clientId: 'other-app' }))).toEqual(PAYLOAD);
    // No `sub`: the OAuth client is the principal.
    const byClient = await codec.mint(PAYLOAD, ctx({ sub: '', clientId: 'app' }));
    expect(await codec.verify(byClient, ctx({ sub: '', clientId: 'app' }))).toEqual(PAYLOAD);
    expect(await reasonOf(codec.verify(byClient, ctx({ sub: '', clientId: 'other' })))).toBe('foreign');
    expect(await reasonOf(codec.verify(byClient, ctx({ sub: 'app', clientId: 'x' })))).toBe('foreign');
    // Unauthenticated states stay with unauthenticated requests.
    const anonymous = await codec.mint(PAYLOAD, ctx({ auth: false }));
    expect(await codec.verify(anonymous, ctx({ auth: false }))).toEqual(PAYLOAD);
    expect(await reasonOf(codec.verify(anonymous, ctx()))).toBe('foreign');
  });

  test('bound to the method and the name it acts on (Mcp-Name, plain or base64)', async () => {
    const codec = createRequestStateCodec({ keyring: ring1 });
    const state = await codec.mint(PAYLOAD, ctx({ method: 'tools/call', name: 'wizard' }));
    expect(await reasonOf(codec.verify(state, ctx({ name: 'delete_everything' })))).toBe('bind');
    expect(await reasonOf(codec.verify(state, ctx({ method: 'prompts/get' })))).toBe('bind');
    expect(await reasonOf(codec.verify(state, ctx({ name: null })))).toBe('bind');
    const encoded = `=?base64?${Buffer.from('wizard').toString('base64')}?=`;
    expect(await codec.verify(state, ctx({ name: ` ${encoded}\t` }))).toEqual(PAYLOAD);
    const resource = await codec.mint(PAYLOAD, ctx({ method: 'resources/read', name: 'file:///a.txt' }));
    expect(
      await reasonOf(codec.verify(resource, ctx({ method: 'resources/read', name: 'file:///b.txt' }))),
    ).toBe('bind');
  });

  test('principal and bind are options', async () => {
    const codec = createRequestStateCodec<unknown, Ctx & { user: string; args: string }>({
      keyring: ring1,
      principal: (c) => c.user,
      bind: (c) => `${c.mcpReq.method}:${c.args}`,
    });
    const at = (user: string, args: string, name = 'wizard') => ({ ...ctx({ name }), user, args });
    const state = await codec.mint(PAYLOAD, at('u1', 'a=1'));
    expect(await codec.verify(state, at('u1', 'a=1', 'another-tool'))).toEqual(PAYLOAD);
    expect(await reasonOf(codec.verify(state, at('u2', 'a=1')))).toBe('foreign');
    expect(await reasonOf(codec.verify(state, at('u1', 'a=2')))).toBe('bind');
  });

  test('refusals name the reason only: never the payload, principal, key or state', async () => {
    const clock = new TestClock();
    const claims = new ReferenceClaimStore({ namespace: `ns${Date.now()}`, clock });
    const codec = createRequestStateCodec({ keyring: ring1, clock, claims });
    const refusals: unknown[] = [];
    const collect = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        refusals.push(error);
      }
    };
    const state = await codec.mint(PAYLOAD, ctx());
    const later = await codec.mint(PAYLOAD, ctx());
    await collect(codec.verify(state, ctx({ sub: 'mallory' })));
    await collect(codec.verify(state, ctx({ name: 'other' })));
    await codec.verify(state, ctx());
    await collect(codec.verify(state, ctx()));
    await collect(
      codec.verify(`${state.slice(0, 30)}${state[30] === 'A' ? 'B' : 'A'}${state.slice(31)}`, ctx()),
    );
    await collect(codec.verify(`${state}!`, ctx()));
    await collect(
      createRequestStateCodec({ keyring: { activeKeyId: 'k2', keys: { k2: KEY_2 } } }).verify(state, ctx()),
    );
    clock.advance(600_000);
    await collect(codec.verify(later, ctx()));
    await collect(
      createRequestStateCodec({ keyring: ring1, claims: failingClaims() }).verify(
        await codec.mint(PAYLOAD, ctx()),
        ctx(),
      ),
    );
    expect(refusals.map((e) => (e as { reason: string }).reason).sort()).toEqual(
      [
        'bind',
        'expired',
        'foreign',
        'malformed',
        'replayed',
        'tampered',
        'unavailable',
        'unknown-key',
      ].sort(),
    );
    for (const error of refusals) {
      const text = `${(error as Error).message} ${JSON.stringify(error)} ${String((error as Error).stack)}`;
      for (const secret of [
        'payload-secret',
        'alice',
        'mallory',
        state.slice(20, 60),
        KEY_1.toString('base64'),
      ]) {
        expect(text).not.toContain(secret);
      }
    }
  });
});

function failingClaims(): ClaimStore {
  return {
    capabilities: {
      adapter: 'down',
      clock: 'backend',
      nativeTtl: true,
      sharedAcrossProcesses: true,
      ttlGranularityMs: 1,
    },
    async claim() {
      throw new SessionStoreError('BACKEND_UNAVAILABLE', 'claim store down');
    },
    async close() {},
  };
}

describe('at most once (claims)', () => {
  const namespace = () => `ns${randomBytes(6).toString('hex')}`;

  test('a state is accepted once across pods; every later use on any pod is replayed', async () => {
    const clock = new TestClock();
    const ns = namespace();
    // Two pods: each its own codec and claim store, on one shared claim namespace.
    const pods = [0, 1].map(() =>
      createRequestStateCodec({
        keyring: ring1,
        clock,
        claims: new ReferenceClaimStore({ namespace: ns, clock }),
      }),
    );
    const state = await pods[0]!.mint(PAYLOAD, ctx());
    expect(await pods[1]!.verify(state, ctx())).toEqual(PAYLOAD);
    expect(await reasonOf(pods[1]!.verify(state, ctx()))).toBe('replayed');
    expect(await reasonOf(pods[0]!.verify(state, ctx()))).toBe('replayed');
    // Concurrent uses of one fresh state: exactly one accepted.
    const next = await pods[0]!.mint(PAYLOAD, ctx());
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => reasonOf(pods[i % 2]!.verify(next, ctx()))),
    );
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'replayed')).toHaveLength(9);
    // Other states are unaffected.
    expect(await pods[1]!.verify(await pods[0]!.mint(PAYLOAD, ctx()), ctx())).toEqual(PAYLOAD);
  });

  test('the claim outlives the state: its remaining life plus the clock margin, at least 1 s', async () => {
    const clock = new TestClock();
    const calls: Array<{ key: string; ttlMs: number }> = [];
    const base = new ReferenceClaimStore({ namespace: namespace(), clock });
    const recording: ClaimStore = {
      capabilities: base.capabilities,
      claim: (key, ttlMs) => {
        calls.push({ key, ttlMs });
        return base.claim(key, ttlMs);
      },
      close: () => base.close(),
    };
    const codec = createRequestStateCodec({ keyring: ring1, clock, claims: recording, ttlSeconds: 60 });
    const state = await codec.mint(PAYLOAD, ctx());
    clock.advance(10_000);
    await codec.verify(state, ctx());
    const nearlyExpired = await codec.mint(PAYLOAD, ctx());
    clock.advance(59_900);
    await codec.verify(nearlyExpired, ctx());
    expect(calls).toEqual([
      { key: expect.stringMatching(/^rs:[A-Za-z0-9_-]{22}$/), ttlMs: 50_000 + REQUEST_STATE_CLAIM_MARGIN_MS },
      { key: expect.stringMatching(/^rs:[A-Za-z0-9_-]{22}$/), ttlMs: 1_000 + REQUEST_STATE_CLAIM_MARGIN_MS },
    ]);
    // A state that fails any other check never reaches the claim store (it cannot burn a claim).
    await reasonOf(codec.verify(await codec.mint(PAYLOAD, ctx()), ctx({ sub: 'mallory' })));
    await reasonOf(codec.verify('enc:v1:k1:AAAA', ctx()));
    expect(calls).toHaveLength(2);
    // Past its life plus the margin the claim is gone, but the state expired long before.
    clock.advance(REQUEST_STATE_CLAIM_MARGIN_MS + 1_000);
    expect(await reasonOf(codec.verify(state, ctx()))).toBe('expired');
  });

  test('a claim store outage refuses the state (unavailable, retryable), and it passes once the store answers', async () => {
    let down = true;
    const base = new ReferenceClaimStore({ namespace: namespace(), clock: new TestClock() });
    const flaky: ClaimStore = {
      capabilities: base.capabilities,
      claim: (key, ttlMs) =>
        down ? Promise.reject(new SessionStoreError('BACKEND_UNAVAILABLE', 'down')) : base.claim(key, ttlMs),
      close: () => base.close(),
    };
    const codec = createRequestStateCodec({ keyring: ring1, claims: flaky });
    const state = await codec.mint(PAYLOAD, ctx());
    let error: unknown;
    try {
      await codec.verify(state, ctx());
    } catch (err) {
      error = err;
    }
    expect(isRequestStateError(error, 'unavailable')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(true);
    expect(isSessionStoreError((error as Error).cause, 'BACKEND_UNAVAILABLE')).toBe(true);
    down = false;
    expect(await codec.verify(state, ctx())).toEqual(PAYLOAD);
    expect(await reasonOf(codec.verify(state, ctx()))).toBe('replayed');
    await base.close();
    expect(await reasonOf(codec.verify(await codec.mint(PAYLOAD, ctx()), ctx()))).toBe('unavailable');
  });
});
