/**
 * Event ids are `<token>.<base64url(streamId)>.<seq>`: the token is random per stream of a session
 * (so an id never validates in another session, nor after the stream expired and restarted), the
 * middle part says which stream to read, and `seq` is the event's place in that stream. They are
 * only a pointer: the stream id a lookup returns is the one stored with the event, and the token
 * must match the stored one.
 */
export interface ParsedEventId {
  token: string;
  streamId: string;
  seq: number;
}

const TOKEN = /^[A-Za-z0-9_-]{16}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
// Canonical decimal only: "05" must not resolve like "5".
const SEQ = /^[1-9]\d{0,14}$/;

export function formatEventId(token: string, streamId: string, seq: number): string {
  return `${token}.${Buffer.from(streamId, 'utf8').toString('base64url')}.${seq}`;
}

/** The parts of an event id, or null for anything that is not one of ours. */
export function parseEventId(eventId: unknown): ParsedEventId | null {
  if (typeof eventId !== 'string' || eventId.length > 4096) return null;
  const parts = eventId.split('.');
  if (parts.length !== 3) return null;
  const [token, stream, seq] = parts as [string, string, string];
  if (!TOKEN.test(token) || !BASE64URL.test(stream) || !SEQ.test(seq)) return null;
  const streamId = Buffer.from(stream, 'base64url').toString('utf8');
  // Non-canonical base64url (trailing bits) would decode to the same stream: refuse it.
  if (Buffer.from(streamId, 'utf8').toString('base64url') !== stream) return null;
  return { token, streamId, seq: Number(seq) };
}

/** A sequence number as a sort-key segment: zero-padded so string order is number order. */
export function padSeq(seq: number, width = 16): string {
  return String(seq).padStart(width, '0');
}
