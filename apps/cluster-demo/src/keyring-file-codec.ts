// A pod's `requestState` codec (core's `createRequestStateCodec`) over the keyring file the pod was
// given (keyring-file.ts), rebuilt when the file changes: key rotation on live pods, no restart, no
// round in flight refused. Each mint and verify first checks the file's identity (inode, size,
// modification time: one stat call); when it differs from the last one read, the file is read
// again and the codec rebuilt with the new keyring (the claim store, and so at-most-once use,
// stays the same). No timer: a pod that mints or verifies nothing reads nothing.
import { stat } from 'node:fs/promises';
import {
  type ClaimStore,
  createRequestStateCodec,
  type RequestStateCodec,
  type RequestStateContext,
} from '@mcp-session-store/core';
import { KEYRING_FILE_ENV, type KeyringFileContents, newKeyring, readKeyringFile } from './keyring-file.js';

export interface KeyringFileCodecOptions {
  /** The keyring file (DEMO_KEYRING_FILE). */
  path: string;
  /** At-most-once use across pods (the backend's claim store). */
  claims?: ClaimStore | undefined;
  /** Called with the key ids after each reload that took effect (never with the keys). */
  onReload?: ((keyring: { activeKeyId: string; keyIds: string[] }) => void) | undefined;
  /**
   * Called when a changed file cannot be used (gone, not JSON, a bad key): the pod keeps the
   * keyring it had until the file changes again.
   */
  onError?: ((error: Error) => void) | undefined;
}

interface Loaded<T> {
  /** The file's identity when it was read. */
  identity: string;
  keyring: KeyringFileContents;
  codec: RequestStateCodec<T>;
}

async function identityOf(path: string): Promise<string> {
  const { ino, size, mtimeMs } = await stat(path);
  return `${ino}:${size}:${mtimeMs}`;
}

/**
 * The codec of the keyring in `path`, following the file as it changes. Rejects at once (no pod
 * starts) when the file is missing or invalid at start-up; later, a bad file keeps the last good
 * keyring (reported through `onError`).
 */
export async function createKeyringFileCodec<T>(
  options: KeyringFileCodecOptions,
): Promise<RequestStateCodec<T>> {
  const { path, claims } = options;
  const build = async (): Promise<Loaded<T>> => {
    const identity = await identityOf(path);
    const keyring: KeyringFileContents = await readKeyringFile(path);
    return { identity, keyring, codec: createRequestStateCodec<T>({ keyring, claims }) };
  };
  let loaded = await build();
  let reloading: Promise<void> | undefined;
  let failedIdentity: string | undefined;

  const current = async (): Promise<RequestStateCodec<T>> => {
    let identity: string;
    try {
      identity = await identityOf(path);
    } catch (error) {
      // The file is gone (a Secret being replaced, or deleted): keep the last keyring.
      if (failedIdentity !== 'missing') options.onError?.(error as Error);
      failedIdentity = 'missing';
      return loaded.codec;
    }
    if (identity === loaded.identity || identity === failedIdentity) return loaded.codec;
    reloading ??= build()
      .then(
        (next) => {
          loaded = next;
          failedIdentity = undefined;
          const { activeKeyId, keys } = next.keyring;
          options.onReload?.({ activeKeyId, keyIds: Object.keys(keys).sort() });
        },
        (error: unknown) => {
          failedIdentity = identity;
          options.onError?.(error as Error);
        },
      )
      .finally(() => {
        reloading = undefined;
      });
    await reloading;
    return loaded.codec;
  };

  return {
    mint: async (payload, ctx) => (await current()).mint(payload, ctx),
    verify: async (state, ctx: RequestStateContext) => (await current()).verify(state, ctx),
  };
}

/**
 * A pod's codec from its environment: the keyring file named by DEMO_KEYRING_FILE, followed as it
 * changes; without it, one random key of its own, which is only right when the pod is alone.
 */
export async function requestStateCodecFromEnv<T>(
  env: NodeJS.ProcessEnv,
  options: Omit<KeyringFileCodecOptions, 'path'>,
): Promise<RequestStateCodec<T>> {
  const path = env[KEYRING_FILE_ENV];
  if (!path) return createRequestStateCodec<T>({ keyring: newKeyring(), claims: options.claims });
  return createKeyringFileCodec<T>({ ...options, path });
}
