// The keyring every process of one demo server seals its 2026-07-28 `requestState` with, kept in a
// file: JSON `{ "activeKeyId": "...", "keys": { "<id>": "<base64 of 32 bytes>", ... } }`, the shape
// of core's `KeyringOptions`. The demo writes one per cluster (cluster.ts, conformance.ts) and gives
// its path to every process in DEMO_KEYRING_FILE, as a Kubernetes Secret mounted as a file is given
// to every pod. Rotation is rewriting the file: Kubernetes replaces a mounted Secret atomically (a
// symlink swap), and `writeKeyringFile` does the same (a new file renamed over the old), so a
// process never reads half a file. No SDK import: the parent process that starts the pods loads none.
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The environment variable holding the keyring file's path. */
export const KEYRING_FILE_ENV = 'DEMO_KEYRING_FILE';

/** What the file holds: core's `KeyringOptions` with base64 keys. */
export interface KeyringFileContents {
  activeKeyId: string;
  keys: Record<string, string>;
}

/** A fresh AES-256 key, base64 (what `openssl rand -base64 32` prints). */
export const newKey = (): string => randomBytes(32).toString('base64');

/** A keyring of one fresh key, `key-1`. */
export const newKeyring = (): KeyringFileContents => ({ activeKeyId: 'key-1', keys: { 'key-1': newKey() } });

/**
 * Parses the file's text. Throws an Error naming `source` when it is not JSON of the right shape;
 * the keys themselves are checked by core's keyring (32 bytes of base64), which never echoes them.
 */
export function parseKeyring(text: string, source: string): KeyringFileContents {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(
      `${source} is not JSON: expected { "activeKeyId": "...", "keys": { "<id>": "<base64>" } }`,
    );
  }
  const candidate = parsed as Partial<KeyringFileContents> | null;
  const keys = candidate?.keys;
  if (
    typeof candidate?.activeKeyId !== 'string' ||
    typeof keys !== 'object' ||
    keys === null ||
    Array.isArray(keys) ||
    !Object.values(keys).every((k) => typeof k === 'string')
  ) {
    throw new Error(`${source} must hold { "activeKeyId": "...", "keys": { "<id>": "<base64>" } }`);
  }
  return { activeKeyId: candidate.activeKeyId, keys: { ...keys } };
}

/** Reads and parses the keyring file at `path`. */
export async function readKeyringFile(path: string): Promise<KeyringFileContents> {
  return parseKeyring(await readFile(path, 'utf8'), `${KEYRING_FILE_ENV} (${path})`);
}

/**
 * Replaces the file at `path` with `keyring`, atomically: written beside it, readable by its owner
 * only, then renamed over it. A reader sees the old file or the new one, never a mix.
 */
export async function writeKeyringFile(path: string, keyring: KeyringFileContents): Promise<void> {
  const temporary = join(dirname(path), `.keyring-${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temporary, `${JSON.stringify(keyring, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/**
 * The steps of a key rotation that never refuses a round in flight, on pods that may read the new
 * file at different moments: (1) `add`: a new key is listed, not yet used to seal, so every pod can
 * open what any pod will seal with it; (2) `activate`: new states are sealed under it, the old key
 * still opens the states sealed before; (3) `drop`: the old key goes, once the states sealed under
 * it have expired (the codec's TTL, 600 s by default).
 */
export const ROTATION_STEPS = ['add', 'activate', 'drop'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/**
 * The keyring after one rotation step: `add` lists a fresh key under the next free id `key-N`;
 * `activate` makes the newest key (highest N) active; `drop` removes every key but the active one.
 * Throws an Error when the step has nothing to do (e.g. `activate` with no newer key).
 */
export function rotateKeyring(keyring: KeyringFileContents, step: RotationStep): KeyringFileContents {
  const ids = Object.keys(keyring.keys);
  const number = (id: string) => Number(/^key-(\d+)$/.exec(id)?.[1] ?? 0);
  const newest = ids.reduce((a, b) => (number(b) > number(a) ? b : a));
  if (step === 'add') {
    const id = `key-${Math.max(0, ...ids.map(number)) + 1}`;
    return { activeKeyId: keyring.activeKeyId, keys: { ...keyring.keys, [id]: newKey() } };
  }
  if (step === 'activate') {
    if (newest === keyring.activeKeyId) throw new Error(`${newest} is already the active key: add one first`);
    return { activeKeyId: newest, keys: { ...keyring.keys } };
  }
  if (ids.length === 1) throw new Error(`only the active key ${keyring.activeKeyId} is left`);
  const active = keyring.keys[keyring.activeKeyId];
  if (active === undefined) throw new Error(`the active key ${keyring.activeKeyId} is not listed`);
  return { activeKeyId: keyring.activeKeyId, keys: { [keyring.activeKeyId]: active } };
}
