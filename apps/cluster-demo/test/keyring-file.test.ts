// The keyring file the pods seal `requestState` with, and key rotation on live pods: each pod's
// codec follows the file, so a state sealed under the old key before the rotation still opens on
// another pod after it, new states are sealed under the new key, and once the old key is dropped
// its states are refused. A file that cannot be used leaves the pod on the keyring it had.
import { stat } from 'node:fs/promises';
import { envelopeKeyId, isRequestStateError } from '@mcp-session-store/core';
import {
  KEYRING_FILE_ENV,
  newKeyring,
  parseKeyring,
  readKeyringFile,
  rotateKeyring,
  writeKeyringFile,
} from '../src/keyring-file.js';
import { createKeyringFileCodec, requestStateCodecFromEnv } from '../src/keyring-file-codec.js';
import { createTemporaryKeyringFile, type TemporaryKeyringFile } from '../src/keyring-temp-file.js';

const ctx = { mcpReq: { method: 'tools/call' } };

let file: TemporaryKeyringFile;
beforeEach(async () => {
  file = await createTemporaryKeyringFile();
});
afterEach(async () => {
  await file.remove();
});

const rotate = async (step: 'add' | 'activate' | 'drop') =>
  writeKeyringFile(file.path, rotateKeyring(await readKeyringFile(file.path), step));

test('a new keyring file holds one fresh key, readable by its owner only', async () => {
  const keyring = await readKeyringFile(file.path);
  expect(keyring.activeKeyId).toBe('key-1');
  expect(Buffer.from(keyring.keys['key-1']!, 'base64')).toHaveLength(32);
  expect((await stat(file.path)).mode & 0o777).toBe(0o600);
  expect((await readKeyringFile(file.path)).keys['key-1']).not.toBe(newKeyring().keys['key-1']);
});

test('rotation steps: add a listed key, activate it, drop the old one', () => {
  const start = newKeyring();
  const added = rotateKeyring(start, 'add');
  expect(added.activeKeyId).toBe('key-1');
  expect(Object.keys(added.keys)).toEqual(['key-1', 'key-2']);
  expect(added.keys['key-1']).toBe(start.keys['key-1']);
  const activated = rotateKeyring(added, 'activate');
  expect(activated).toEqual({ activeKeyId: 'key-2', keys: added.keys });
  const dropped = rotateKeyring(activated, 'drop');
  expect(dropped).toEqual({ activeKeyId: 'key-2', keys: { 'key-2': added.keys['key-2'] } });
  expect(Object.keys(rotateKeyring(dropped, 'add').keys)).toEqual(['key-2', 'key-3']);
  expect(() => rotateKeyring(start, 'activate')).toThrow('key-1 is already the active key: add one first');
  expect(() => rotateKeyring(start, 'drop')).toThrow('only the active key key-1 is left');
});

test('a file that is not a keyring is refused, naming the variable and never quoting the file', () => {
  expect(() => parseKeyring('secret-material', 'DEMO_KEYRING_FILE (/k)')).toThrow(
    'DEMO_KEYRING_FILE (/k) is not JSON',
  );
  expect(() => parseKeyring('secret-material', 'f')).not.toThrow(/secret-material/);
  for (const bad of [
    'null',
    '[]',
    '{"activeKeyId":"k"}',
    '{"activeKeyId":1,"keys":{}}',
    '{"activeKeyId":"k","keys":{"k":1}}',
  ]) {
    expect(() => parseKeyring(bad, 'f')).toThrow('f must hold { "activeKeyId": "...", "keys"');
  }
});

test('two pods on one file: rotated mid-round, the old state opens on the other pod, new states use the new key, the dropped key is refused', async () => {
  const reloads: string[] = [];
  const podA = await createKeyringFileCodec<{ step: number }>({ path: file.path });
  const podB = await createKeyringFileCodec<{ step: number }>({
    path: file.path,
    onReload: ({ activeKeyId, keyIds }) => void reloads.push(`${activeKeyId} of ${keyIds.join(',')}`),
  });
  const beforeRotation = await podA.mint({ step: 1 }, ctx);
  const spare = await podA.mint({ step: 1 }, ctx); // never presented until key-1 is gone
  expect(envelopeKeyId(beforeRotation)).toBe('key-1');

  await rotate('add');
  await rotate('activate');
  // Minted on A before the rotation, verified on B after it: key-1 is still listed.
  await expect(podB.verify(beforeRotation, ctx)).resolves.toEqual({ step: 1 });
  expect(reloads).toEqual(['key-2 of key-1,key-2']);
  // The next round is sealed under key-2, on either pod.
  expect(envelopeKeyId(await podB.mint({ step: 2 }, ctx))).toBe('key-2');
  const afterRotation = await podA.mint({ step: 2 }, ctx);
  expect(envelopeKeyId(afterRotation)).toBe('key-2');

  await rotate('drop');
  await expect(podB.verify(afterRotation, ctx)).resolves.toEqual({ step: 2 });
  const refused = await podA.verify(spare, ctx).catch((error: unknown) => error);
  expect(isRequestStateError(refused, 'unknown-key')).toBe(true);
  expect(reloads).toEqual(['key-2 of key-1,key-2', 'key-2 of key-2']);
});

test('a changed file that cannot be used keeps the last keyring, reported; a good file is taken up again', async () => {
  const errors: string[] = [];
  const pod = await createKeyringFileCodec<number>({
    path: file.path,
    onError: (error) => void errors.push(error.message),
  });
  const state = await pod.mint(1, ctx);
  await writeKeyringFile(file.path, { activeKeyId: 'key-9', keys: { 'key-9': 'not a key' } });
  await expect(pod.verify(state, ctx)).resolves.toBe(1);
  expect(errors).toEqual(['Key "key-9" is not base64 (generate one with: openssl rand -base64 32)']);
  // The same bad file is not read, nor reported, again.
  expect(envelopeKeyId(await pod.mint(2, ctx))).toBe('key-1');
  expect(errors).toHaveLength(1);

  await writeKeyringFile(file.path, rotateKeyring(newKeyring(), 'add'));
  expect(envelopeKeyId(await pod.mint(3, ctx))).toBe('key-1');
  await expect(pod.verify(state, ctx)).rejects.toThrow('failed authentication');
});

test('a pod does not start on a missing or invalid keyring file', async () => {
  await expect(createKeyringFileCodec({ path: `${file.path}.missing` })).rejects.toThrow('ENOENT');
  await writeKeyringFile(file.path, { activeKeyId: 'key-2', keys: newKeyring().keys });
  await expect(createKeyringFileCodec({ path: file.path })).rejects.toThrow(
    'keyring.activeKeyId must be the id of one of keyring.keys',
  );
});

test('DEMO_KEYRING_FILE names the file; without it a pod seals with a random key of its own', async () => {
  const fromFile = await requestStateCodecFromEnv<number>({ [KEYRING_FILE_ENV]: file.path }, {});
  const other = await createKeyringFileCodec<number>({ path: file.path });
  await expect(other.verify(await fromFile.mint(7, ctx), ctx)).resolves.toBe(7);
  const alone = await requestStateCodecFromEnv<number>({}, {});
  await expect(other.verify(await alone.mint(7, ctx), ctx)).rejects.toThrow('failed authentication');
});
