import type { ClientInfo, NewSession, SessionPatch, SessionRecord } from '../contract/session-record.js';
import { isSessionStoreError, SessionStoreError } from '../errors.js';
import { isPlainObject, type JsonObject, type JsonValue } from '../json.js';
import { redactSessionId } from '../session-id.js';
import { type EnvelopeFailure, envelopeKeyId, isEnvelope, openEnvelope, sealEnvelope } from './envelope.js';
import type { Keyring } from './keyring.js';

/**
 * The property that holds the envelope of an encrypted object field: `clientInfo` is stored as
 * `{ name: '', version: '', $enc: 'enc:v1:…' }` (so it keeps the shape stores validate) and
 * `clientCapabilities` as `{ $enc: 'enc:v1:…' }`.
 */
export const ENCRYPTED_FIELD_KEY = '$enc';

/** The record fields that are encrypted. */
export type EncryptedField = 'clientInfo' | 'clientCapabilities' | 'metadata';

const contextOf = (id: string, field: EncryptedField, key?: string): string[] =>
  key === undefined ? ['session', id, field] : ['session', id, field, key];

/** Thrown by {@link SessionFieldCipher.decryptRecord}: which field failed, and why. */
function undecryptable(id: string, field: EncryptedField, cause: unknown): SessionStoreError {
  const inner = isSessionStoreError(cause) ? cause.details : {};
  const reason = (inner.reason as EnvelopeFailure | undefined) ?? 'malformed';
  return new SessionStoreError(
    'CORRUPT_RECORD',
    `Stored session ${redactSessionId(id)} could not be decrypted (${field}: ${reason})`,
    {
      cause,
      details: {
        sessionId: redactSessionId(id),
        field,
        reason,
        ...(inner.keyId !== undefined && { keyId: inner.keyId }),
      },
    },
  );
}

function unencrypted(): SessionStoreError {
  return new SessionStoreError('CORRUPT_RECORD', 'A value that should be encrypted is in clear', {
    details: { reason: 'unencrypted' satisfies EnvelopeFailure },
  });
}

/**
 * Encrypts and decrypts the sensitive fields of session records, each value bound to its session
 * id and field (and metadata key). Internal to {@link encryptSessionStore}.
 */
export class SessionFieldCipher {
  constructor(
    private readonly keyring: Keyring,
    private readonly readPlaintext: boolean,
  ) {}

  private seal(value: JsonValue, context: string[]): string {
    return sealEnvelope(this.keyring, JSON.stringify(value), context);
  }

  private open(envelope: string, context: string[]): JsonValue {
    const text = openEnvelope(this.keyring, envelope, context).toString('utf8');
    try {
      return JSON.parse(text) as JsonValue;
    } catch (cause) {
      throw new SessionStoreError('CORRUPT_RECORD', 'A decrypted value is not JSON', {
        cause,
        details: { reason: 'malformed' satisfies EnvelopeFailure },
      });
    }
  }

  /** `clientInfo` as stored: placeholders for the strings stores check, the envelope beside them. */
  encryptClientInfo(id: string, clientInfo: ClientInfo): ClientInfo {
    return {
      name: '',
      version: '',
      [ENCRYPTED_FIELD_KEY]: this.seal(clientInfo, contextOf(id, 'clientInfo')),
    };
  }

  encryptCapabilities(id: string, capabilities: JsonObject): JsonObject {
    return { [ENCRYPTED_FIELD_KEY]: this.seal(capabilities, contextOf(id, 'clientCapabilities')) };
  }

  /** Each top-level value sealed on its own, so the backend still merges and removes by key. */
  encryptMetadata(id: string, metadata: JsonObject): JsonObject {
    const sealed: JsonObject = {};
    for (const [key, value] of Object.entries(metadata)) {
      // `undefined` cannot be here: the input was validated as JSON.
      sealed[key] = this.seal(value, contextOf(id, 'metadata', key));
    }
    return sealed;
  }

  /** A validated new session with its sensitive fields encrypted. */
  encryptNewSession(input: NewSession): NewSession {
    return {
      ...input,
      clientInfo: this.encryptClientInfo(input.id, input.clientInfo),
      clientCapabilities: this.encryptCapabilities(input.id, input.clientCapabilities ?? {}),
      metadata: this.encryptMetadata(input.id, input.metadata ?? {}),
    };
  }

  /** A validated patch with its sensitive fields encrypted; `unsetMetadata` is unchanged. */
  encryptPatch(id: string, patch: SessionPatch): SessionPatch {
    return {
      ...patch,
      ...(patch.clientInfo !== undefined && { clientInfo: this.encryptClientInfo(id, patch.clientInfo) }),
      ...(patch.clientCapabilities !== undefined && {
        clientCapabilities: this.encryptCapabilities(id, patch.clientCapabilities),
      }),
      ...(patch.metadata !== undefined && { metadata: this.encryptMetadata(id, patch.metadata) }),
    };
  }

  private openObject(id: string, field: 'clientInfo' | 'clientCapabilities', stored: JsonObject): JsonObject {
    const envelope = stored[ENCRYPTED_FIELD_KEY];
    if (typeof envelope !== 'string') {
      if (this.readPlaintext) return stored;
      throw unencrypted();
    }
    const value = this.open(envelope, contextOf(id, field));
    if (!isPlainObject(value)) throw new SessionStoreError('CORRUPT_RECORD', 'not an object');
    if (field === 'clientInfo' && (typeof value.name !== 'string' || typeof value.version !== 'string')) {
      throw new SessionStoreError('CORRUPT_RECORD', 'clientInfo lacks a name or version');
    }
    return value as JsonObject;
  }

  /**
   * The record in clear. Throws `CORRUPT_RECORD` (redacted id; `details.field`, `details.reason`,
   * `details.keyId`) if a field cannot be decrypted.
   */
  decryptRecord(record: SessionRecord): SessionRecord {
    const id = record.id;
    let field: EncryptedField = 'clientInfo';
    try {
      const clientInfo = this.openObject(id, 'clientInfo', record.clientInfo) as ClientInfo;
      field = 'clientCapabilities';
      const clientCapabilities = this.openObject(id, 'clientCapabilities', record.clientCapabilities);
      field = 'metadata';
      const metadata: JsonObject = {};
      for (const [key, value] of Object.entries(record.metadata)) {
        if (isEnvelope(value)) metadata[key] = this.open(value, contextOf(id, 'metadata', key));
        else if (this.readPlaintext) metadata[key] = value;
        else throw unencrypted();
      }
      return { ...record, clientInfo, clientCapabilities, metadata };
    } catch (cause) {
      throw undecryptable(id, field, cause);
    }
  }

  /**
   * The patch that re-encrypts, with the active key, every field of `stored` written with another
   * key (or in clear), given the decrypted record `plain`; null when nothing needs it.
   */
  reencryptionPatch(stored: SessionRecord, plain: SessionRecord): SessionPatch | null {
    const stale = (value: unknown) => envelopeKeyId(value) !== this.keyring.activeKeyId;
    const id = stored.id;
    const patch: SessionPatch = {};
    if (stale(stored.clientInfo[ENCRYPTED_FIELD_KEY])) {
      patch.clientInfo = this.encryptClientInfo(id, plain.clientInfo);
    }
    if (stale(stored.clientCapabilities[ENCRYPTED_FIELD_KEY])) {
      patch.clientCapabilities = this.encryptCapabilities(id, plain.clientCapabilities);
    }
    const metadata: JsonObject = {};
    for (const [key, value] of Object.entries(stored.metadata)) {
      if (stale(value))
        metadata[key] = this.seal(plain.metadata[key] as JsonValue, contextOf(id, 'metadata', key));
    }
    if (Object.keys(metadata).length > 0) patch.metadata = metadata;
    return Object.keys(patch).length > 0 ? patch : null;
  }
}
