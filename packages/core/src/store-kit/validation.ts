import type { ListOptions } from '../contract/session-store.js';
import { SessionStoreError } from '../errors.js';
import { findNonJson } from '../json.js';

const CHANNEL_PATTERN = /^[\x21-\x7e]{1,256}$/;

/** Throws `INVALID_ARGUMENT` unless `channel` is 1-256 visible ASCII characters. */
export function assertValidChannel(channel: unknown): asserts channel is string {
  if (typeof channel !== 'string' || !CHANNEL_PATTERN.test(channel)) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'Channel must be 1-256 visible ASCII characters');
  }
}

/**
 * Checks a bus payload before it is sent: `INVALID_ARGUMENT` if it is not JSON, `PAYLOAD_TOO_LARGE`
 * if its JSON text exceeds `maxBytes`. Returns the JSON text, ready to send.
 */
export function assertBusPayload(payload: unknown, maxBytes: number): string {
  const bad = findNonJson(payload, 'payload');
  if (bad) throw new SessionStoreError('INVALID_ARGUMENT', `${bad} is not JSON`);
  const text = JSON.stringify(payload);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    throw new SessionStoreError('PAYLOAD_TOO_LARGE', `Payload is ${bytes} bytes; the limit is ${maxBytes}`, {
      details: { bytes, maxBytes },
    });
  }
  return text;
}

/** Validated list options: `limit` 1-1000 (default 100), `cursor` a string or null. */
export function validateListOptions(options: ListOptions = {}): { limit: number; cursor: string | null } {
  const limit = options.limit ?? 100;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'limit must be an integer from 1 to 1000');
  }
  const cursor = options.cursor ?? null;
  if (cursor !== null && (typeof cursor !== 'string' || cursor.length > 4096)) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'cursor must be a string from a previous page');
  }
  return { limit, cursor };
}

/** `CLOSED` error for a component that was closed. */
export function closedError(what: string): SessionStoreError {
  return new SessionStoreError('CLOSED', `${what} is closed`);
}

/**
 * The JSON text an event store keeps for a message. Messages are what the SDK sends, which may hold
 * object properties set to `undefined` (JSON drops them, as the SDK's own transport does); only
 * what JSON cannot encode at all (a cycle, a BigInt) or a non-object is refused with
 * `INVALID_ARGUMENT`.
 */
export function encodeStoredMessage(message: unknown): string {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'An event message must be a JSON object');
  }
  try {
    return JSON.stringify(message);
  } catch (cause) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'An event message could not be encoded as JSON', {
      cause,
    });
  }
}
