import type { EventStoreCapabilities } from '../contract/capabilities.js';
import {
  type EventStoreFactory,
  isPrimingEvent,
  type SendEvent,
  type SessionEventStore,
  type StoredMessage,
} from '../contract/event-store.js';
import { isSessionStoreError, SessionStoreError } from '../errors.js';
import { isPlainObject } from '../json.js';
import { redactSessionId } from '../session-id.js';
import { parsePrimingEventId } from '../store-kit/priming-event-id.js';
import { encodeStoredMessage } from '../store-kit/validation.js';
import { type EnvelopeFailure, isEnvelope, openEnvelope, sealEnvelope } from './envelope.js';
import { Keyring, type KeyringOptions } from './keyring.js';
import { ENCRYPTED_FIELD_KEY } from './session-fields.js';

/** Options of {@link encryptEventStore}. */
export interface EventStoreEncryptionOptions {
  /** The keys: a {@link Keyring} or its options (validated here, `INVALID_ARGUMENT` if wrong). */
  keyring: Keyring | KeyringOptions;
  /**
   * Receives a `CORRUPT_RECORD` for every event that cannot be decrypted during a replay or a
   * follow (which then fails: the replay rejects, the follow stops and reports to its own
   * `onError`). Never a full session id.
   */
  onError?: ((error: SessionStoreError) => void) | undefined;
  /**
   * Replay messages stored in clear as they are (events written before encryption was turned on)
   * instead of failing. Default false.
   */
  readPlaintext?: boolean | undefined;
}

/** The SDK's priming event, passed on as is: the store recognises it, stores nothing, never replays it. */
const PRIMING_TEXT = '{}';

const contextOf = (sessionId: string, streamId: string | undefined): string[] => [
  'event',
  sessionId,
  String(streamId),
];

class EncryptingSessionEventStore implements SessionEventStore {
  readonly sessionId: string;

  constructor(
    private readonly inner: SessionEventStore,
    private readonly keyring: Keyring,
    private readonly readPlaintext: boolean,
    private readonly onError: ((error: SessionStoreError) => void) | undefined,
  ) {
    this.sessionId = inner.sessionId;
  }

  async storeEvent(streamId: string, message: StoredMessage): Promise<string> {
    // The same validation (and the same INVALID_ARGUMENT) as a store without encryption.
    const text = encodeStoredMessage(message);
    if (text === PRIMING_TEXT) return this.inner.storeEvent(streamId, {});
    const envelope = sealEnvelope(this.keyring, text, contextOf(this.sessionId, streamId));
    return this.inner.storeEvent(streamId, { [ENCRYPTED_FIELD_KEY]: envelope });
  }

  tailEventId(streamId: string): Promise<string> {
    return this.inner.tailEventId(streamId);
  }

  getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.inner.getStreamIdForEventId(eventId);
  }

  /** The message in clear; throws (and reports) `CORRUPT_RECORD` if it cannot be decrypted. */
  private decrypt(streamId: string | undefined, message: StoredMessage): StoredMessage {
    const envelope = message[ENCRYPTED_FIELD_KEY];
    if (isPrimingEvent(message)) return message; // stored in clear
    try {
      if (!isEnvelope(envelope) || Object.keys(message).length !== 1) {
        if (this.readPlaintext) return message;
        throw new SessionStoreError('CORRUPT_RECORD', 'unencrypted', {
          details: { reason: 'unencrypted' satisfies EnvelopeFailure },
        });
      }
      const text = openEnvelope(this.keyring, envelope, contextOf(this.sessionId, streamId)).toString('utf8');
      const value: unknown = JSON.parse(text);
      if (!isPlainObject(value)) throw new SessionStoreError('CORRUPT_RECORD', 'not an object');
      return value;
    } catch (cause) {
      const details = isSessionStoreError(cause) ? cause.details : {};
      const reason = (details.reason as EnvelopeFailure | undefined) ?? 'malformed';
      const error = new SessionStoreError(
        'CORRUPT_RECORD',
        `An event of session ${redactSessionId(this.sessionId)} could not be decrypted (${reason})`,
        {
          cause,
          details: {
            sessionId: redactSessionId(this.sessionId),
            reason,
            ...(details.keyId !== undefined && { keyId: details.keyId }),
          },
        },
      );
      this.onError?.(error);
      throw error;
    }
  }

  /**
   * The stream of `lastEventId`, looked up first because each message is bound to its stream and
   * replay sends events before it says which stream they are of: one more backend read per resume,
   * none for a priming id (it names its stream).
   */
  private async decryptingSend(lastEventId: string, send: SendEvent): Promise<SendEvent> {
    const streamId =
      parsePrimingEventId(this.sessionId, lastEventId) ??
      (await this.inner.getStreamIdForEventId(lastEventId));
    return (eventId, message) => send(eventId, this.decrypt(streamId, message));
  }

  async replayEventsAfter(lastEventId: string, options: { send: SendEvent }): Promise<string> {
    const send = await this.decryptingSend(lastEventId, options.send);
    return this.inner.replayEventsAfter(lastEventId, { ...options, send });
  }

  async follow(
    lastEventId: string,
    options: { send: SendEvent; signal: AbortSignal; onError?: (error: unknown) => void },
  ): Promise<string> {
    const send = await this.decryptingSend(lastEventId, options.send);
    return this.inner.follow(lastEventId, { ...options, send });
  }
}

class EncryptingEventStoreFactory implements EventStoreFactory {
  readonly capabilities: EventStoreCapabilities;
  private readonly keyring: Keyring;
  private readonly readPlaintext: boolean;
  private readonly onError: ((error: SessionStoreError) => void) | undefined;

  constructor(
    private readonly inner: EventStoreFactory,
    options: EventStoreEncryptionOptions,
  ) {
    this.keyring = Keyring.from(options.keyring);
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new SessionStoreError('INVALID_ARGUMENT', 'onError must be a function');
    }
    this.onError = options.onError;
    this.readPlaintext = options.readPlaintext === true;
    this.capabilities = inner.capabilities;
  }

  forSession(sessionId: string): SessionEventStore {
    const inner = this.inner.forSession(sessionId); // validates the id
    return new EncryptingSessionEventStore(inner, this.keyring, this.readPlaintext, this.onError);
  }

  purgeSession(sessionId: string): Promise<void> {
    return this.inner.purgeSession(sessionId);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * Wraps any {@link EventStoreFactory} so stored messages are encrypted at rest (AES-256-GCM): each
 * message is stored as `{ "$enc": "enc:v1:<keyId>:…" }`, bound to its session id and stream id, and
 * decrypted on replay and follow. The SDK's priming event `{}` reaches the inner store as `{}`, so
 * it still costs no backend call and its id still resumes the stream from its start. Event ids,
 * stream ids and timing stay in clear.
 *
 * Each `replayEventsAfter` and `follow` from a stored event's id makes one more backend read (the
 * stream of that id) before the inner call; from a priming id, none. A message is 4/3 of its JSON
 * size plus at most 90 bytes once encrypted: an event near the backend's own limit (DynamoDB:
 * 380 KiB) may no longer fit (`PAYLOAD_TOO_LARGE`).
 *
 * @example
 * ```ts
 * const keyring = createKeyring({ activeKeyId: 'k1', keys: { k1: process.env.SESSION_KEY! } });
 * const eventStore = encryptEventStore(new RedisEventStore({ redis }), { keyring, onError });
 * const transport = new StreamableHTTPServerTransport({
 *   sessionIdGenerator: () => id,
 *   eventStore: eventStore.forSession(id),
 * });
 * ```
 */
export function encryptEventStore(
  factory: EventStoreFactory,
  options: EventStoreEncryptionOptions,
): EventStoreFactory {
  if (typeof factory !== 'object' || factory === null || typeof factory.forSession !== 'function') {
    throw new SessionStoreError('INVALID_ARGUMENT', 'encryptEventStore needs an EventStoreFactory');
  }
  if (typeof options !== 'object' || options === null) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'encryptEventStore needs options with a keyring');
  }
  return new EncryptingEventStoreFactory(factory, options);
}
