/**
 * Event ids are `<token>.<base64url(streamId)>.<seq>`: the token is random per session (so an id
 * never validates in another session), the middle part names the stream, and `seq` is the event's
 * per-session sequence number. They are only a pointer: an id resolves only if a stored event of
 * this session has that `seq`, the session's current token matches, and the stream stored with the
 * event is the one the id names.
 */
export interface ParsedEventId {
  token: string;
  streamId: string;
  seq: number;
}

// Canonical numbers only, so one event has exactly one id.
const SEQ = /^[1-9]\d{0,15}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function formatEventId(token: string, streamId: string, seq: number): string {
  return `${token}.${Buffer.from(streamId, 'utf8').toString('base64url')}.${seq}`;
}

/** The parts of an event id, or null for anything that is not one of ours. */
export function parseEventId(eventId: unknown): ParsedEventId | null {
  if (typeof eventId !== 'string' || eventId.length > 1024) return null;
  const parts = eventId.split('.');
  if (parts.length !== 3) return null;
  const [token, stream, seq] = parts as [string, string, string];
  if (!BASE64URL.test(token) || !BASE64URL.test(stream) || !SEQ.test(seq)) return null;
  const streamId = Buffer.from(stream, 'base64url').toString('utf8');
  // base64url decoding is lenient: only the canonical encoding of a stream id is accepted.
  if (Buffer.from(streamId, 'utf8').toString('base64url') !== stream) return null;
  const n = Number(seq);
  return Number.isSafeInteger(n) ? { token, streamId, seq: n } : null;
}
