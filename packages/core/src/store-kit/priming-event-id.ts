import { createHash, timingSafeEqual } from 'node:crypto';
import { SessionStoreError } from '../errors.js';

/**
 * How every priming event id starts. `~` is not a base64url character, so an adapter whose own
 * event ids start with a base64url character (all of ours) never confuses the two.
 */
export const PRIMING_EVENT_ID_PREFIX = '~p.';

/** Longest string looked at as a priming event id (a 512-character stream id fits well within). */
const MAX_PRIMING_EVENT_ID_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** 22 base64url characters (132 bits) binding a priming id to its session and stream. */
function bindingTag(sessionId: string, streamId: string): string {
  return createHash('sha256')
    .update('mcp-session-store priming event\0')
    .update(sessionId)
    .update('\0')
    .update(streamId)
    .digest('base64url')
    .slice(0, 22);
}

/**
 * The event id of the SDK's priming event (`storeEvent(streamId, {})`) on `streamId` of
 * `sessionId`, computed without any backend call: a priming event carries no message, so it is
 * never stored; its id only has to say "the start of this stream". It depends on nothing but the
 * session and stream ids, so every process derives the same one, and it is bound to the session
 * (a SHA-256 of both ids), so another session's priming id is recognisably not this session's.
 * Session ids never appear in it.
 *
 * An adapter returns it from `storeEvent` for a message whose JSON is `{}`, after its usual checks
 * of the stream id (and `CLOSED`), and reads it back with {@link parsePrimingEventId}: resuming from
 * it sends the stream's events from the first. Its own stored event ids must never start with
 * {@link PRIMING_EVENT_ID_PREFIX}.
 *
 * @example
 * ```ts
 * async storeEvent(streamId, message) {
 *   this.assertOpen();
 *   assertMyStreamId(streamId);
 *   const text = encodeStoredMessage(message);
 *   if (text === '{}') return primingEventId(this.sessionId, streamId); // no backend call
 *   return this.append(streamId, text);
 * }
 * ```
 */
export function primingEventId(sessionId: string, streamId: string): string {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'streamId must be a non-empty string');
  }
  const stream = Buffer.from(streamId, 'utf8').toString('base64url');
  return `${PRIMING_EVENT_ID_PREFIX}${bindingTag(sessionId, streamId)}.${stream}`;
}

/**
 * Whether `eventId` has the shape of a priming event id (of any session: check it with
 * {@link parsePrimingEventId}). An adapter sends such ids to `parsePrimingEventId` and never to
 * its own lookup.
 *
 * @example
 * ```ts
 * if (isPrimingEventId(eventId)) return this.fromStreamStart(parsePrimingEventId(sessionId, eventId));
 * ```
 */
export function isPrimingEventId(eventId: unknown): eventId is string {
  return typeof eventId === 'string' && eventId.startsWith(PRIMING_EVENT_ID_PREFIX);
}

/**
 * The stream id of a priming event id of `sessionId` (one {@link primingEventId} gave for this
 * session), or undefined for anything else: another session's priming id, a tampered or malformed
 * one, or no priming id at all. Needs no backend call. What the adapter then does is the contract's
 * "from the start of the stream": `getStreamIdForEventId` gives this stream id, `replayEventsAfter`
 * and `follow` send every stored event of that stream from its first (none if it holds none yet),
 * unless the stream holds `maxEventsPerStream` events or more (some may have been trimmed), in
 * which case the id is refused like a trimmed one.
 *
 * @example
 * ```ts
 * const streamId = parsePrimingEventId(sessionId, lastEventId);
 * if (streamId === undefined) throw new SessionStoreError('EVENT_NOT_FOUND', 'Unknown event id for this session');
 * ```
 */
export function parsePrimingEventId(sessionId: string, eventId: unknown): string | undefined {
  if (!isPrimingEventId(eventId) || eventId.length > MAX_PRIMING_EVENT_ID_LENGTH) return undefined;
  const parts = eventId.slice(PRIMING_EVENT_ID_PREFIX.length).split('.');
  if (parts.length !== 2) return undefined;
  const [tag, stream] = parts as [string, string];
  if (!BASE64URL.test(tag) || !BASE64URL.test(stream)) return undefined;
  const streamId = Buffer.from(stream, 'base64url').toString('utf8');
  // Only the canonical encoding: one stream, one priming id.
  if (Buffer.from(streamId, 'utf8').toString('base64url') !== stream) return undefined;
  const expected = Buffer.from(bindingTag(sessionId, streamId));
  const given = Buffer.from(tag);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return streamId;
}
