// State handles: the suite on core's reference store, in clear and through encryptSessionStore
// (values encrypted at rest, handles still working across instances), and proof that the suite
// fails on stores that break what handles rely on. The adapters run the suite on their real
// backends (packages/*/test/conformance.test.ts).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  type AdapterFactory,
  ConformanceRunner,
  stateHandleSuite,
  suiteContext,
} from '../src/conformance/index.js';
import {
  createKeyring,
  createStateHandles,
  encryptedRecordBytes,
  encryptSessionStore,
  isEnvelope,
  type SessionStore,
  type SessionStoreError,
  STATE_HANDLE_RECORD_MARKER,
} from '../src/index.js';
import * as v2 from '../src/v2/index.js';
import { BROKEN_STORES } from './fixtures/broken-stores.mjs';
import { ReferenceSessionStore, referenceFactory } from './fixtures/reference-store.mjs';

const SECRET = `MARKER-${randomBytes(6).toString('hex')}`;
const keyring = createKeyring({ activeKeyId: 'k1', keys: { k1: randomBytes(32) } });

stateHandleSuite({ describe, it }, referenceFactory(), { name: 'reference store: state handles' });

// The whole suite through the encryption wrapper (the inner store sized for ciphertext).
const encryptedReference: AdapterFactory = async (ctx) => {
  const inner = await referenceFactory()({
    ...ctx,
    maxRecordBytes: encryptedRecordBytes({ maxRecordBytes: ctx.maxRecordBytes }),
  });
  return {
    ...inner,
    sessionStore: encryptSessionStore(inner.sessionStore!, {
      keyring,
      maxRecordBytes: ctx.maxRecordBytes,
      onError: ctx.onError,
    }),
  };
};
stateHandleSuite({ describe, it }, encryptedReference, { name: 'encrypted reference store: state handles' });

describe('state handles over encryptSessionStore', () => {
  test('the value is ciphertext at rest; two instances read and update it; another key cannot', async () => {
    const reported: SessionStoreError[] = [];
    const ctx = suiteContext({
      maxRecordBytes: encryptedRecordBytes(),
      onError: (error) => reported.push(error),
    });
    const reference = () => new ReferenceSessionStore(ctx) as unknown as SessionStore;
    const raw = reference();
    const pod = () =>
      createStateHandles<{ token: string; n: number }>({
        store: encryptSessionStore(reference(), { keyring }),
        prefix: 'vault',
        clock: ctx.clock,
      });
    const [a, b] = [pod(), pod()];

    const created = await a.create('alice', { token: SECRET, n: 1 });
    const stored = await raw.get(created.handle);
    expect(stored?.principal).toBe('alice');
    expect(stored?.protocolVersion).toBe(STATE_HANDLE_RECORD_MARKER);
    expect(isEnvelope(stored?.metadata.value)).toBe(true);
    expect(JSON.stringify(stored)).not.toContain(SECRET);

    expect((await b.get(created.handle, 'alice'))?.value).toEqual({ token: SECRET, n: 1 });
    expect(await b.get(created.handle, 'mallory')).toBeNull();
    const updated = await b.updateWithRetry(created.handle, 'alice', (v) => ({ ...v, n: v.n + 1 }));
    expect(updated).toMatchObject({ value: { token: SECRET, n: 2 }, version: 2 });
    expect((await a.get(created.handle, 'alice'))?.value.n).toBe(2);
    expect(JSON.stringify(await raw.get(created.handle))).not.toContain(SECRET);

    // A pod with another key reads nothing (and reports it), never the ciphertext as a value.
    const wrongKey = createStateHandles({
      store: encryptSessionStore(reference(), {
        keyring: createKeyring({ activeKeyId: 'k9', keys: { k9: randomBytes(32) } }),
        onError: (error) => reported.push(error),
      }),
      prefix: 'vault',
    });
    expect(await wrongKey.get(created.handle, 'alice')).toBeNull();
    expect(reported.map((e) => e.code)).toContain('CORRUPT_RECORD');
    expect(JSON.stringify(reported.map((e) => [e.message, e.details]))).not.toContain(created.handle);
  });
});

test('createStateHandles is exported from the main entry and from /v2 alike', () => {
  expect(v2.createStateHandles).toBe(createStateHandles);
  expect(v2.STATE_HANDLE_RECORD_MARKER).toBe(STATE_HANDLE_RECORD_MARKER);
});

// The suite is only worth something if it fails on stores that break what handles rely on.
async function handleFailures(wrap?: (store: SessionStore) => SessionStore): Promise<string[]> {
  const runner = new ConformanceRunner();
  stateHandleSuite(runner.api, referenceFactory(wrap));
  const results = await runner.run();
  expect(results.length).toBeGreaterThan(15);
  return results.filter((r) => !r.passed).map((r) => r.name);
}

test.each([
  ['update-ignores-version', 'exactly one wins'],
  ['update-ignores-version', 'concurrent increments from several pods add up exactly'],
  ['get-returns-expired', 'a handle expires after the idle TTL'],
])('the suite fails on a store whose %s (caught by "%s")', async (name, caughtBy) => {
  const Broken = BROKEN_STORES[name]!;
  const failures = await handleFailures((store) => new Broken(store));
  expect(failures.some((f) => f.includes(caughtBy))).toBe(true);
});

test('the reference store passes every state handle test', async () => {
  expect(await handleFailures()).toEqual([]);
});

test('the CLI runs the state handle suite: `--suite handles`, and under `all` with a session store', () => {
  const cli = join(__dirname, '..', 'dist', 'cli.js');
  const reference = join(__dirname, 'fixtures', 'cli', 'reference.mjs');
  const only = spawnSync(process.execPath, [cli, reference, '--suite', 'handles'], { encoding: 'utf8' });
  expect(only.status).toBe(0);
  expect(only.stdout).toContain('(handles)');
  expect(only.stdout).toContain('✔ State handle conformance › update › compare-and-set');
  expect(only.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  const broken = join(__dirname, 'fixtures', 'cli', 'update-ignores-version.mjs');
  const failing = spawnSync(process.execPath, [cli, broken, '--suite', 'handles'], { encoding: 'utf8' });
  expect(failing.status).toBe(1);
  expect(failing.stdout).toContain('✖ State handle conformance › update › compare-and-set');
});
