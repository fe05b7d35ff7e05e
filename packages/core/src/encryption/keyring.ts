import { createSecretKey, type KeyObject } from 'node:crypto';
import { SessionStoreError } from '../errors.js';

/** Bytes of an AES-256 key. */
export const ENCRYPTION_KEY_BYTES = 32;

/**
 * What a key id may look like: 1-32 characters of `[A-Za-z0-9_-]`. It is stored in clear in every
 * ciphertext (so a reader knows which key to use), hence short and free of the envelope's `:`.
 */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * One key: 32 raw bytes, or their base64 (standard or base64url, padding optional, surrounding
 * whitespace ignored): the output of `openssl rand -base64 32`.
 */
export type EncryptionKeyMaterial = Uint8Array | string;

/**
 * The keys of {@link encryptSessionStore} and {@link encryptEventStore}: every key that may still
 * be needed to read, by key id, and the one new values are written with.
 *
 * @example
 * ```ts
 * const keyring: KeyringOptions = {
 *   activeKeyId: '2025-07',
 *   keys: {
 *     '2025-07': process.env.SESSION_KEY_2025_07!, // written and read
 *     '2025-01': process.env.SESSION_KEY_2025_01!, // read only, until its records are gone
 *   },
 * };
 * ```
 */
export interface KeyringOptions {
  /** The key id new values are encrypted with. Must be one of `keys`. */
  activeKeyId: string;
  /** Every key by its id (see {@link KEY_ID_PATTERN}). Old keys stay here for as long as data written with them lives. */
  keys: Readonly<Record<string, EncryptionKeyMaterial>>;
}

function invalid(message: string, details: Record<string, unknown> = {}): SessionStoreError {
  return new SessionStoreError('INVALID_ARGUMENT', message, { details });
}

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;

/** The 32 key bytes of `material`, as a copy we own. Never puts key material in an error. */
function keyBytes(keyId: string, material: unknown): Buffer {
  let bytes: Buffer;
  if (typeof material === 'string') {
    const text = material.trim();
    if (!BASE64_PATTERN.test(text)) {
      throw invalid(`Key "${keyId}" is not base64 (generate one with: openssl rand -base64 32)`, { keyId });
    }
    bytes = Buffer.from(text, 'base64');
  } else if (material instanceof Uint8Array) {
    bytes = Buffer.from(material);
  } else {
    throw invalid(`Key "${keyId}" must be a Uint8Array or a base64 string`, { keyId });
  }
  if (bytes.length !== ENCRYPTION_KEY_BYTES) {
    const length = bytes.length;
    bytes.fill(0);
    throw invalid(
      `Key "${keyId}" is ${length} bytes; AES-256 needs exactly ${ENCRYPTION_KEY_BYTES} (openssl rand -base64 32)`,
      { keyId, bytes: length },
    );
  }
  if (bytes.every((b) => b === bytes[0])) {
    bytes.fill(0);
    throw invalid(`Key "${keyId}" has every byte equal: a placeholder, not a random key`, { keyId });
  }
  return bytes;
}

/** A keyring built by another copy of this package (ESM and CJS both loaded): already validated. */
function isKeyringLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || 'keys' in value) return false;
  const candidate = value as Partial<Keyring>;
  return (
    typeof candidate.activeKeyId === 'string' &&
    Array.isArray(candidate.keyIds) &&
    typeof candidate.key === 'function' &&
    typeof candidate.has === 'function' &&
    candidate.has(candidate.activeKeyId)
  );
}

/**
 * A validated set of AES-256 keys. Built once at start-up ({@link createKeyring}); every problem
 * is an `INVALID_ARGUMENT` {@link SessionStoreError} there, never at the first request. Key bytes
 * are held as `KeyObject`s in a private field: they never show in `console.log`, `JSON.stringify`
 * or an error.
 *
 * @example
 * ```ts
 * const keyring = createKeyring({ activeKeyId: 'k2', keys: { k1: oldKeyBase64, k2: newKeyBase64 } });
 * keyring.activeKeyId; // 'k2'
 * keyring.keyIds;      // ['k1', 'k2']
 * ```
 */
export class Keyring {
  /** The key id new values are encrypted with. */
  readonly activeKeyId: string;
  /** Every key id of this keyring, sorted. */
  readonly keyIds: readonly string[];
  readonly #keys: ReadonlyMap<string, KeyObject>;

  private constructor(activeKeyId: string, keys: ReadonlyMap<string, KeyObject>) {
    this.activeKeyId = activeKeyId;
    this.keyIds = Object.freeze([...keys.keys()].sort());
    this.#keys = keys;
    Object.freeze(this);
  }

  /**
   * Validates `options` and builds a keyring; a {@link Keyring} is returned as is.
   * `INVALID_ARGUMENT` if a key id is malformed, a key is not 32 bytes (or not base64), there is no
   * key, or `activeKeyId` names no key.
   */
  static from(options: KeyringOptions | Keyring): Keyring {
    if (options instanceof Keyring || isKeyringLike(options)) return options as Keyring;
    if (typeof options !== 'object' || options === null) {
      throw invalid('keyring must be an object { activeKeyId, keys }');
    }
    const { activeKeyId, keys } = options;
    if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) {
      throw invalid('keyring.keys must be an object mapping key ids to keys');
    }
    const entries = Object.entries(keys);
    if (entries.length === 0) throw invalid('keyring.keys must hold at least one key');
    const built = new Map<string, KeyObject>();
    for (const [keyId, material] of entries) {
      // A malformed id is not echoed: it might be a key pasted into the wrong place.
      if (!KEY_ID_PATTERN.test(keyId)) {
        throw invalid(`Every key id must match ${KEY_ID_PATTERN.source}`);
      }
      const bytes = keyBytes(keyId, material);
      built.set(keyId, createSecretKey(bytes));
      bytes.fill(0);
    }
    if (typeof activeKeyId !== 'string' || !built.has(activeKeyId)) {
      throw invalid('keyring.activeKeyId must be the id of one of keyring.keys', {
        keyIds: [...built.keys()].sort(),
      });
    }
    return new Keyring(activeKeyId, built);
  }

  /** True if this keyring holds a key with id `keyId`. */
  has(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /**
   * The key with id `keyId`, or undefined. For the envelope functions of this package; a
   * `KeyObject` never reveals its bytes unless exported on purpose.
   */
  key(keyId: string): KeyObject | undefined {
    return this.#keys.get(keyId);
  }

  /** What `JSON.stringify` shows: the key ids, never the keys. */
  toJSON(): { activeKeyId: string; keyIds: readonly string[] } {
    return { activeKeyId: this.activeKeyId, keyIds: this.keyIds };
  }
}

/**
 * Validates keyring options once, at start-up. Share the result between the session store and
 * event store wrappers.
 *
 * @example
 * ```ts
 * // openssl rand -base64 32  ->  SESSION_KEY_2025_07
 * const keyring = createKeyring({
 *   activeKeyId: '2025-07',
 *   keys: { '2025-07': process.env.SESSION_KEY_2025_07! },
 * });
 * ```
 */
export function createKeyring(options: KeyringOptions): Keyring {
  return Keyring.from(options);
}
