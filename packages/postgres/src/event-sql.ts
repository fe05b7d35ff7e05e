import type { PostgresNames } from './names.js';
import { NOW_MS } from './sql-clock.js';

/** The statements of the event store (values are bind parameters; only table names are spliced). */
export interface EventStatements {
  /**
   * $1 session id, $2 new token (used if the session has none or its events expired), $3 stream id,
   * $4 message JSON, $5 TTL ms, $6 max events per stream, $7 NOTIFY channel, $8 NOTIFY payload.
   * Returns the session's token and the event's seq.
   */
  append: string;
  /** $1 session id, $2 seq, $3 token. The stored stream id of a live event of this session. */
  lookup: string;
  /**
   * $1 session id, $2 stream id, $3 max events per stream. Where a priming id resumes: the live
   * session's token (null if it holds no event) and how many events the stream holds, counted up
   * to the cap (a priming id of a stream at the cap is refused: its oldest events may be trimmed).
   */
  primingLookup: string;
  /** $1 session id, $2 stream id. The live session's token and the stream's last seq, or no row. */
  tail: string;
  /**
   * $1 session id, $2 stream id, $3 after seq, $4 token or null (any: a priming id's start, before
   * the session's token is known), $5 page size. Non-priming events, in order, with the token.
   */
  page: string;
  /** $1 session id. Removes the session's events (cascade). */
  purge: string;
}

export function eventStatements(n: PostgresNames): EventStatements {
  return {
    // One statement, one transaction. The upsert of the session row comes first and takes its row
    // lock, so appends to one session are serialized: `seq` order is commit order, which is what
    // lets a reader that saw seq N never miss a later-committed N-1. The NOTIFY is sent at commit.
    append: `WITH s AS (
  INSERT INTO ${n.eventSessions} AS t (session_id, token, last_seq, expires_at)
  VALUES ($1, $2, 1, ${NOW_MS} + $5::bigint)
  ON CONFLICT (session_id) DO UPDATE SET
    token = CASE WHEN t.expires_at <= ${NOW_MS} THEN EXCLUDED.token ELSE t.token END,
    last_seq = t.last_seq + 1,
    expires_at = EXCLUDED.expires_at
  RETURNING token, last_seq
), expired AS (
  -- Events of a session whose retention ran out are gone for good, even before the sweeper runs.
  DELETE FROM ${n.events} e WHERE e.session_id = $1
    AND EXISTS (SELECT 1 FROM ${n.eventSessions} x WHERE x.session_id = $1 AND x.expires_at <= ${NOW_MS})
), trimmed AS (
  -- Keep maxEventsPerStream per stream: the new event plus the newest (max - 1) before it.
  DELETE FROM ${n.events} e WHERE e.session_id = $1 AND e.stream_id = $3 AND e.seq <= (
    SELECT k.seq FROM ${n.events} k WHERE k.session_id = $1 AND k.stream_id = $3
    ORDER BY k.seq DESC OFFSET $6::int - 1 LIMIT 1)
), inserted AS (
  INSERT INTO ${n.events} (session_id, seq, stream_id, message) SELECT $1, s.last_seq, $3, $4 FROM s
)
SELECT s.token, s.last_seq, pg_notify($7, $8) FROM s`,
    lookup: `SELECT e.stream_id FROM ${n.events} e JOIN ${n.eventSessions} s ON s.session_id = e.session_id
WHERE e.session_id = $1 AND e.seq = $2::bigint AND s.token = $3 AND s.expires_at > ${NOW_MS}`,
    primingLookup: `SELECT s.token, (SELECT count(*) FROM (SELECT 1 FROM ${n.events} e
    WHERE e.session_id = $1 AND e.stream_id = $2 LIMIT $3::int) held)::int AS held
FROM ${n.eventSessions} s WHERE s.session_id = $1 AND s.expires_at > ${NOW_MS}`,
    tail: `SELECT s.token, e.seq FROM ${n.events} e JOIN ${n.eventSessions} s ON s.session_id = e.session_id
WHERE e.session_id = $1 AND e.stream_id = $2 AND s.expires_at > ${NOW_MS}
ORDER BY e.seq DESC LIMIT 1`,
    // Priming events ('{}', stored by older versions) are skipped here; the session must still be
    // live (with the same token, once known), so expired or re-created sessions never hand out old
    // events.
    page: `SELECT e.seq, e.message, s.token FROM ${n.events} e JOIN ${n.eventSessions} s ON s.session_id = e.session_id
WHERE e.session_id = $1 AND e.stream_id = $2 AND e.seq > $3::bigint AND e.message <> '{}'
  AND s.expires_at > ${NOW_MS} AND ($4::text IS NULL OR s.token = $4::text)
ORDER BY e.seq LIMIT $5::int`,
    purge: `DELETE FROM ${n.eventSessions} WHERE session_id = $1`,
  };
}
