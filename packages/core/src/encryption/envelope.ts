import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SessionStoreError } from '../errors.js';
import { KEY_ID_PATTERN, type Keyring } from './keyring.js';

/** Every envelope starts with this: the format (`enc`) and its version (`v1`). */
export const ENVELOPE_PREFIX = 'enc:v1:';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BODY_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * Why an encrypted value could not be read (`details.reason` of the `CORRUPT_RECORD` error):
 * not a well-formed envelope, written with a key id the keyring does not hold, failed
 * authentication (altered, moved, or a wrong key under that id), or found in clear where a
 * ciphertext was expected.
 */
export type EnvelopeFailure = 'malformed' | 'unknown-key' | 'unauthenticated' | 'unencrypted';

/**
 * The additional authenticated data: the format version, the key id (so the clear header cannot be
 * altered) and the caller's context (which session, which field). Not stored: a reader must
 * rebuild it, so a ciphertext moved to another session or field fails to open.
 */
function aad(keyId: string, context: readonly string[]): Buffer {
  return Buffer.from(JSON.stringify(['mcp-session-store', 'v1', keyId, ...context]), 'utf8');
}

function corrupt(
  reason: Exclude<EnvelopeFailure, 'unencrypted'>,
  keyId?: string,
  cause?: unknown,
): SessionStoreError {
  const messages: Record<Exclude<EnvelopeFailure, 'unencrypted'>, string> = {
    malformed: 'An encrypted value is not a well-formed envelope',
    'unknown-key': `An encrypted value was written with key "${keyId}", which is not in the keyring`,
    unauthenticated:
      'An encrypted value failed authentication: it was altered, moved from another session or field, or the key is wrong',
  };
  return new SessionStoreError('CORRUPT_RECORD', messages[reason], {
    cause,
    details: keyId === undefined ? { reason } : { reason, keyId },
  });
}

/**
 * True if `value` is a string in the envelope format (it may still fail to open).
 *
 * @example
 * ```ts
 * isEnvelope(storedRecord.metadata.apiToken); // true: the backend holds ciphertext
 * ```
 */
export function isEnvelope(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(ENVELOPE_PREFIX);
}

/**
 * The key id an envelope was written with, or undefined if `value` is not an envelope: tells which
 * records still need an old key during a rotation.
 *
 * @example
 * ```ts
 * envelopeKeyId('enc:v1:2025-07:5rT0…'); // '2025-07'
 * ```
 */
export function envelopeKeyId(value: unknown): string | undefined {
  if (!isEnvelope(value)) return undefined;
  const end = value.indexOf(':', ENVELOPE_PREFIX.length);
  if (end < 0) return undefined;
  const keyId = value.slice(ENVELOPE_PREFIX.length, end);
  return KEY_ID_PATTERN.test(keyId) ? keyId : undefined;
}

/**
 * Encrypts `plaintext` with the keyring's active key (AES-256-GCM, a fresh random 96-bit IV,
 * 128-bit tag) bound to `context`, into the string
 * `enc:v1:<keyId>:<base64url(iv | ciphertext | tag)>`. Opening needs the same `context`.
 *
 * Size: `ceil((n + 28) * 4 / 3) + 8 + keyId length` characters for `n` bytes of plaintext.
 *
 * @example
 * ```ts
 * const sealed = sealEnvelope(keyring, JSON.stringify(value), ['session', id, 'metadata', 'plan']);
 * // 'enc:v1:2025-07:5rT0…'
 * ```
 */
export function sealEnvelope(
  keyring: Keyring,
  plaintext: string | Uint8Array,
  context: readonly string[],
): string {
  const keyId = keyring.activeKeyId;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, keyring.key(keyId)!, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(keyId, context));
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const body = Buffer.concat([iv, cipher.update(data), cipher.final(), cipher.getAuthTag()]);
  return `${ENVELOPE_PREFIX}${keyId}:${body.toString('base64url')}`;
}

/**
 * Decrypts an envelope of {@link sealEnvelope} with whichever key of the keyring wrote it (old keys
 * keep working after rotation), checking it was sealed for `context`. Throws a `CORRUPT_RECORD`
 * {@link SessionStoreError} (`details.reason`: `malformed`, `unknown-key` or `unauthenticated`)
 * if it cannot; the message never holds the plaintext, the key or the context.
 *
 * @example
 * ```ts
 * const text = openEnvelope(keyring, sealed, ['session', id, 'metadata', 'plan']).toString('utf8');
 * ```
 */
export function openEnvelope(keyring: Keyring, envelope: string, context: readonly string[]): Buffer {
  if (!isEnvelope(envelope)) throw corrupt('malformed');
  const keyId = envelopeKeyId(envelope);
  if (keyId === undefined) throw corrupt('malformed');
  const encoded = envelope.slice(ENVELOPE_PREFIX.length + keyId.length + 1);
  if (!BODY_PATTERN.test(encoded)) throw corrupt('malformed', keyId);
  const body = Buffer.from(encoded, 'base64url');
  if (body.length < IV_BYTES + TAG_BYTES) throw corrupt('malformed', keyId);
  const key = keyring.key(keyId);
  if (key === undefined) throw corrupt('unknown-key', keyId);
  try {
    const decipher = createDecipheriv(ALGORITHM, key, body.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad(keyId, context));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch (cause) {
    throw corrupt('unauthenticated', keyId, cause);
  }
}
