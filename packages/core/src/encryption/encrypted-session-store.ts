import type { SessionStoreCapabilities } from '../contract/capabilities.js';
import type { NewSession, SessionPatch, SessionRecord } from '../contract/session-record.js';
import type { ListOptions, SessionPage, SessionStore, UpdateOptions } from '../contract/session-store.js';
import { isSessionStoreError, SessionStoreError } from '../errors.js';
import { type JsonObject, jsonByteLength } from '../json.js';
import { assertValidSessionId, redactSessionId } from '../session-id.js';
import { resolveStoreLimits } from '../store-kit/limits.js';
import {
  buildRecord,
  validateExpectedVersion,
  validateNewSession,
  validatePatch,
} from '../store-kit/records.js';
import { Keyring, type KeyringOptions } from './keyring.js';
import { SessionFieldCipher } from './session-fields.js';

/** Options of {@link encryptSessionStore}. */
export interface SessionStoreEncryptionOptions {
  /** The keys: a {@link Keyring} or its options (validated here, `INVALID_ARGUMENT` if wrong). */
  keyring: Keyring | KeyringOptions;
  /**
   * Largest record **in clear**, in bytes of its JSON text, enforced before encrypting with
   * `RECORD_TOO_LARGE`. Default `DEFAULT_MAX_RECORD_BYTES` (256 KiB). Give the inner store
   * `encryptedRecordBytes({ maxRecordBytes })`: encrypted records are larger.
   */
  maxRecordBytes?: number | undefined;
  /**
   * Receives a `CORRUPT_RECORD` for every record that cannot be decrypted (altered, moved, or
   * written with a key no longer in the keyring); `get` then returns null. Never a full session id.
   * Pass the same hook as to the inner store.
   */
  onError?: ((error: SessionStoreError) => void) | undefined;
  /**
   * Read values stored in clear as they are, instead of reporting them as corrupt: for turning
   * encryption on over a store that already holds sessions. New writes are always encrypted, and
   * {@link EncryptedSessionStore.reencrypt} encrypts what is left. Default false: a value in clear
   * where a ciphertext belongs is `CORRUPT_RECORD` (`details.reason: 'unencrypted'`).
   */
  readPlaintext?: boolean | undefined;
}

/** Options of {@link EncryptedSessionStore.reencrypt}. */
export interface ReencryptOptions {
  /** Re-reads and retries this many times when a concurrent update wins the race. Default 5. */
  maxAttempts?: number | undefined;
}

/**
 * A {@link SessionStore} that encrypts records at rest: what {@link encryptSessionStore} returns.
 */
export interface EncryptedSessionStore extends SessionStore {
  /**
   * Re-encrypts, with the active key, every field of the record written with an older key (or in
   * clear, with `readPlaintext`), by a compare-and-set `update`: the record's `version` goes up by
   * one. Resolves true if it rewrote the record, false if there was nothing to do, no live record,
   * or the record cannot be decrypted (reported through `onError`). Use it to retire a key before
   * records written with it expire on their own.
   *
   * @example
   * ```ts
   * // Retiring key k1: make k2 active (k1 still in the keyring), then rewrite what k1 sealed.
   * const store = encryptSessionStore(inner, { keyring: { activeKeyId: 'k2', keys: { k1, k2 } } });
   * for (let cursor: string | null = null; ; ) {
   *   const page = await store.list!('user-42', { cursor });
   *   for (const record of page.records) await store.reencrypt(record.id);
   *   if (!(cursor = page.nextCursor)) break;
   * }
   * // Once no record is left under k1 (or maxLifetimeMs has passed), drop k1 from the keyring.
   * ```
   */
  reencrypt(id: string, options?: ReencryptOptions): Promise<boolean>;
}

/** A plaintext record of the smallest size an update with `patch` can produce. */
function smallestResult(id: string, patch: SessionPatch): SessionRecord {
  const unset = new Set(patch.unsetMetadata ?? []);
  const metadata: JsonObject = {};
  for (const [key, value] of Object.entries(patch.metadata ?? {})) if (!unset.has(key)) metadata[key] = value;
  return {
    id,
    principal: null,
    protocolVersion: patch.protocolVersion ?? '',
    clientInfo: patch.clientInfo ?? { name: '', version: '' },
    clientCapabilities: patch.clientCapabilities ?? {},
    logLevel: null,
    metadata,
    createdAt: 0,
    lastActivityAt: 0,
    expiresAt: 0,
    version: 0,
  };
}

class EncryptingSessionStore implements EncryptedSessionStore {
  readonly capabilities: SessionStoreCapabilities;
  readonly list?: (principal: string, options?: ListOptions) => Promise<SessionPage>;
  private readonly cipher: SessionFieldCipher;
  private readonly maxRecordBytes: number;
  private readonly onError: ((error: SessionStoreError) => void) | undefined;

  constructor(
    private readonly inner: SessionStore,
    options: SessionStoreEncryptionOptions,
  ) {
    const keyring = Keyring.from(options.keyring);
    this.maxRecordBytes = resolveStoreLimits({ maxRecordBytes: options.maxRecordBytes }).maxRecordBytes;
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new SessionStoreError('INVALID_ARGUMENT', 'onError must be a function');
    }
    this.onError = options.onError;
    this.cipher = new SessionFieldCipher(keyring, options.readPlaintext === true);
    this.capabilities = inner.capabilities;
    const list = inner.list?.bind(inner);
    if (list) {
      this.list = async (principal, listOptions) => {
        const page = await list(principal, listOptions);
        const records: SessionRecord[] = [];
        for (const record of page.records) {
          const plain = this.decrypt(record);
          if (plain) records.push(plain);
        }
        return { records, nextCursor: page.nextCursor };
      };
    }
  }

  /** The record in clear, or null (reported through `onError`) if it cannot be decrypted. */
  private decrypt(record: SessionRecord): SessionRecord | null {
    try {
      return this.cipher.decryptRecord(record);
    } catch (error) {
      if (!isSessionStoreError(error)) throw error;
      this.onError?.(error);
      return null;
    }
  }

  async create(session: NewSession): Promise<SessionRecord> {
    // Validate and size-check the plaintext first: the same errors as a store without encryption.
    validateNewSession(session);
    buildRecord(session, Date.now(), {
      idleTtlMs: 1,
      maxLifetimeMs: null,
      maxRecordBytes: this.maxRecordBytes,
    });
    const stored = await this.inner.create(this.cipher.encryptNewSession(session));
    const plain = this.decrypt(stored);
    if (!plain) throw new SessionStoreError('CORRUPT_RECORD', 'The created record could not be decrypted');
    return plain;
  }

  async get(id: string): Promise<SessionRecord | null> {
    const stored = await this.inner.get(id);
    return stored === null ? null : this.decrypt(stored);
  }

  async update(id: string, patch: SessionPatch, options?: UpdateOptions): Promise<SessionRecord> {
    assertValidSessionId(id);
    validatePatch(patch);
    validateExpectedVersion(options?.expectedVersion);
    // What the patch itself puts in the record is a lower bound of the result's size.
    const bytes = jsonByteLength(smallestResult(id, patch));
    if (bytes > this.maxRecordBytes) {
      throw new SessionStoreError(
        'RECORD_TOO_LARGE',
        `Session record would be at least ${bytes} bytes; the limit is ${this.maxRecordBytes}`,
        { details: { bytes, maxRecordBytes: this.maxRecordBytes } },
      );
    }
    const stored = await this.inner.update(id, this.cipher.encryptPatch(id, patch), options);
    const plain = this.decrypt(stored);
    // Fields the patch did not replace are still unreadable: the record reads as absent, as a
    // corrupt record does in a store without encryption.
    if (!plain) {
      throw new SessionStoreError('SESSION_NOT_FOUND', `Session ${redactSessionId(id)} cannot be decrypted`, {
        details: { sessionId: redactSessionId(id) },
      });
    }
    return plain;
  }

  touch(id: string): Promise<boolean> {
    return this.inner.touch(id);
  }

  delete(id: string): Promise<boolean> {
    return this.inner.delete(id);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async reencrypt(id: string, options: ReencryptOptions = {}): Promise<boolean> {
    assertValidSessionId(id);
    const maxAttempts = options.maxAttempts ?? 5;
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
      throw new SessionStoreError('INVALID_ARGUMENT', 'maxAttempts must be a positive integer');
    }
    for (let attempt = 1; ; attempt++) {
      const stored = await this.inner.get(id);
      if (stored === null) return false;
      const plain = this.decrypt(stored);
      if (plain === null) return false;
      const patch = this.cipher.reencryptionPatch(stored, plain);
      if (patch === null) return false;
      try {
        await this.inner.update(id, patch, { expectedVersion: stored.version });
        return true;
      } catch (error) {
        if (isSessionStoreError(error, 'SESSION_NOT_FOUND')) return false;
        if (!isSessionStoreError(error, 'SESSION_CONFLICT') || attempt >= maxAttempts) throw error;
      }
    }
  }
}

/**
 * Wraps any {@link SessionStore} so records are encrypted at rest (AES-256-GCM), whatever the
 * backend: the adapter stores ciphertext and needs no change. Each value is bound to its session id
 * and field, so a ciphertext copied to another session or field does not decrypt.
 *
 * Encrypted: `clientInfo`, `clientCapabilities`, and each top-level `metadata` value (one envelope
 * per key, so `update` still merges by key and `unsetMetadata` still removes keys in the backend).
 * In clear, because stores must read them: the id, `principal` (the listing index), the times,
 * `version`, `protocolVersion`, `logLevel`, and metadata **key names**.
 *
 * Input is validated, and the plaintext size checked, before encrypting: the same error codes as
 * the inner store. A record that cannot be decrypted reads as absent: `get` returns null, `list`
 * leaves it out, `update` throws `SESSION_NOT_FOUND`, and `onError` gets `CORRUPT_RECORD`. (An
 * `update` whose own fields are fine reaches the backend before a field it did not touch is found
 * undecryptable: the write is applied, its `version` goes up, and the call still throws.)
 * Capabilities are the inner store's; `list` exists when the inner store has it. Adapter extras
 * that are not part of {@link SessionStore} (e.g. PostgreSQL's `sweepExpired()`) are not forwarded:
 * call them on the inner store.
 *
 * @example
 * ```ts
 * import { createKeyring, encryptedRecordBytes, encryptSessionStore } from '@mcp-session-store/core';
 *
 * const keyring = createKeyring({ activeKeyId: 'k1', keys: { k1: process.env.SESSION_KEY! } });
 * const store = encryptSessionStore(
 *   new RedisSessionStore({ redis, maxRecordBytes: encryptedRecordBytes(), onError }),
 *   { keyring, onError },
 * );
 * await store.create({ id, protocolVersion: '2025-11-25', clientInfo, metadata: { apiToken: 's3cr3t' } });
 * (await store.get(id))?.metadata.apiToken; // 's3cr3t'; Redis holds only 'enc:v1:k1:…'
 * ```
 */
export function encryptSessionStore(
  store: SessionStore,
  options: SessionStoreEncryptionOptions,
): EncryptedSessionStore {
  if (typeof store !== 'object' || store === null || typeof store.get !== 'function') {
    throw new SessionStoreError('INVALID_ARGUMENT', 'encryptSessionStore needs a SessionStore');
  }
  if (typeof options !== 'object' || options === null) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'encryptSessionStore needs options with a keyring');
  }
  return new EncryptingSessionStore(store, options);
}
