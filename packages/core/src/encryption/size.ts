import { DEFAULT_MAX_RECORD_BYTES } from '../contract/session-store.js';
import { SessionStoreError } from '../errors.js';

/**
 * Most bytes one encrypted value adds beyond a third of its plaintext: the `enc:v1:<keyId>:`
 * header (key id up to 32 characters), the 12-byte IV and 16-byte tag in base64url, JSON quotes,
 * and the `$enc` property and empty placeholders of `clientInfo`. (The exact figure is at most 110.)
 */
export const ENCRYPTED_VALUE_OVERHEAD_BYTES = 128;

/** Options of {@link encryptedRecordBytes}. */
export interface EncryptedRecordBytesOptions {
  /** The plaintext limit the encrypting wrapper enforces. Default {@link DEFAULT_MAX_RECORD_BYTES}. */
  maxRecordBytes?: number | undefined;
  /** The most top-level metadata keys a record of your application holds. Default 64. */
  maxMetadataKeys?: number | undefined;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SessionStoreError(
      'INVALID_ARGUMENT',
      `${name} must be a positive integer, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * The `maxRecordBytes` to give the store **inside** {@link encryptSessionStore}, so that every
 * record within the wrapper's plaintext limit fits once encrypted. Base64 makes each encrypted value
 * 4/3 of its plaintext, plus a fixed {@link ENCRYPTED_VALUE_OVERHEAD_BYTES} per value (each
 * metadata key, `clientInfo`, `clientCapabilities`): the bound is
 * `maxRecordBytes + ceil(maxRecordBytes / 3) + 128 × (maxMetadataKeys + 2)`.
 *
 * @example
 * ```ts
 * const maxRecordBytes = 64 * 1024;
 * const store = encryptSessionStore(
 *   new RedisSessionStore({ redis, maxRecordBytes: encryptedRecordBytes({ maxRecordBytes }) }),
 *   { keyring, maxRecordBytes },
 * );
 * ```
 */
export function encryptedRecordBytes(options: EncryptedRecordBytesOptions = {}): number {
  const plain = positiveInteger('maxRecordBytes', options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
  const keys = options.maxMetadataKeys ?? 64;
  if (!Number.isSafeInteger(keys) || keys < 0) {
    throw new SessionStoreError(
      'INVALID_ARGUMENT',
      `maxMetadataKeys must be a non-negative integer, got ${String(keys)}`,
    );
  }
  return plain + Math.ceil(plain / 3) + ENCRYPTED_VALUE_OVERHEAD_BYTES * (keys + 2);
}
