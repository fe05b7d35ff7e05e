import type { PostgresNames } from './names.js';
import { SESSION_COLUMNS } from './record-codec.js';
import { NOW_MS } from './sql-clock.js';

/**
 * The statements of the session store. Only table names (validated, quoted) are spliced in; every
 * value is a bind parameter. Each is one round trip and atomic on its own.
 */
export interface SessionStatements {
  /** $1 id, $2 principal_json, $3 data, $4 ms to expiry. Returns the times, or no row if a live one exists. */
  create: string;
  /** $1 id. The live row, or none. */
  get: string;
  /**
   * The whole update in one statement: $1 id; the patch as JSON texts, SQL NULL for "unchanged":
   * $2 protocolVersion, $3 clientInfo, $4 clientCapabilities, $5 logLevel, $6 metadata to merge;
   * $7 unsetMetadata (text[] or null), $8 expectedVersion or null, $9 maxRecordBytes. Locks the live
   * row, merges the patch into its data, sizes the resulting record exactly as core does (the bytes
   * of its JSON), and writes it with version + 1 if the version matches and the size fits. Always one
   * row: `current_version` (null: no live row), `bytes`, `mergeable` (false: the stored data is not
   * a JSON object with object metadata; read it the long way) and the written row's columns (null:
   * nothing written). Data PostgreSQL's JSON functions refuse (a `\u0000` anywhere, text that is
   * not JSON) fails with a class 22 SQLSTATE, and nothing is written.
   */
  patch: string;
  /** $1 id, $2 data, $3 version read. Compare-and-set: no row if the version moved or the row expired. */
  update: string;
  /** $1 id, $2 idle TTL ms, $3 max lifetime ms or null. Only a live row is touched. */
  touch: string;
  /** $1 id. Deletes the row and the session's events; returns whether the row was live. */
  delete: string;
  /** $1 principal_json, $2 cursor id or null, $3 rows to fetch. Keyset page by id. */
  list: string;
  /**
   * $1 most rows per table. Removes expired sessions, expired event sessions with their events, and
   * expired bus payloads; returns how many rows of each kind.
   */
  sweep: string;
}

export function sessionStatements(n: PostgresNames): SessionStatements {
  return {
    // Inserts, or replaces a row that is expired (by the database clock). A live row is left as
    // it is and the statement returns nothing. Concurrent creates of one id queue on the row lock:
    // exactly one wins.
    create: `INSERT INTO ${n.sessions} AS s (id, principal_json, data, created_at, last_activity_at, expires_at, version)
SELECT $1, $2, $3, t.now_ms, t.now_ms, t.now_ms + $4::bigint, 1 FROM (SELECT ${NOW_MS} AS now_ms) t
ON CONFLICT (id) DO UPDATE SET principal_json = EXCLUDED.principal_json, data = EXCLUDED.data,
  created_at = EXCLUDED.created_at, last_activity_at = EXCLUDED.last_activity_at,
  expires_at = EXCLUDED.expires_at, version = 1
WHERE s.expires_at <= ${NOW_MS}
RETURNING created_at, expires_at`,
    get: `SELECT ${SESSION_COLUMNS} FROM ${n.sessions} WHERE id = $1 AND expires_at > ${NOW_MS}`,
    // `json` (not jsonb) keeps every value's text as written (JSON.stringify's), so the merged data
    // is byte for byte what core's applyPatch would give, key order aside. FOR UPDATE: a concurrent
    // update waits, then this one reads the row it wrote (READ COMMITTED), so no merge is lost.
    patch: `WITH cur AS (
  SELECT id, principal_json, data::json AS d, created_at, last_activity_at, expires_at, version
  FROM ${n.sessions} WHERE id = $1 AND expires_at > ${NOW_MS} FOR UPDATE
), merged AS (
  SELECT c.*, CASE WHEN json_typeof(c.d) = 'object' AND json_typeof(c.d->'metadata') = 'object' THEN
    '{"protocolVersion":' || coalesce($2::text, (c.d->'protocolVersion')::text)
    || ',"clientInfo":' || coalesce($3::text, (c.d->'clientInfo')::text)
    || ',"clientCapabilities":' || coalesce($4::text, (c.d->'clientCapabilities')::text)
    || ',"logLevel":' || coalesce($5::text, (c.d->'logLevel')::text)
    || ',"metadata":{' || coalesce((
      SELECT string_agg(to_json(m.key)::text || ':' || m.value, ',' ORDER BY m.ord)
      FROM (
        SELECT e.key, coalesce(p.value::text, e.value::text) AS value, e.ord
        FROM json_each(c.d->'metadata') WITH ORDINALITY e(key, value, ord)
        LEFT JOIN json_each($6::json) p ON p.key = e.key
        UNION ALL
        SELECT p.key, p.value::text, 9007199254740991 + p.ord
        FROM json_each($6::json) WITH ORDINALITY p(key, value, ord)
        WHERE NOT EXISTS (SELECT 1 FROM json_each(c.d->'metadata') x WHERE x.key = p.key)
      ) m WHERE m.key <> ALL (coalesce($7::text[], '{}'::text[]))), '') || '}}'
  END AS new_data
  FROM cur c
), sized AS (
  SELECT m.*, octet_length('{"id":' || to_json(m.id)::text || ',"principal":' || coalesce(m.principal_json, 'null')
    || ',' || substr(m.new_data, 2, length(m.new_data) - 2) || ',"createdAt":' || m.created_at
    || ',"lastActivityAt":' || m.last_activity_at || ',"expiresAt":' || m.expires_at
    || ',"version":' || (m.version + 1) || '}') AS bytes
  FROM merged m
), written AS (
  UPDATE ${n.sessions} s SET data = z.new_data, version = z.version + 1 FROM sized z
  WHERE s.id = z.id AND z.new_data IS NOT NULL AND ($8::bigint IS NULL OR z.version = $8::bigint)
    AND z.bytes <= $9::int
  RETURNING ${SESSION_COLUMNS.split(', ')
    .map((c) => `s.${c}`)
    .join(', ')}
)
SELECT z.version AS current_version, z.bytes, z.new_data IS NOT NULL AS mergeable, w.*
FROM (SELECT 1) one LEFT JOIN sized z ON true LEFT JOIN written w ON true`,
    update: `UPDATE ${n.sessions} SET data = $2, version = version + 1
WHERE id = $1 AND version = $3::bigint AND expires_at > ${NOW_MS}
RETURNING ${SESSION_COLUMNS}`,
    // The expiry slides by the idle TTL, capped at createdAt + max lifetime; an expired or absent
    // row is never touched, so a touch cannot resurrect a session.
    touch: `UPDATE ${n.sessions} SET last_activity_at = t.now_ms,
  expires_at = CASE WHEN $3::bigint IS NULL THEN t.now_ms + $2::bigint
    ELSE least(t.now_ms + $2::bigint, created_at + $3::bigint) END
FROM (SELECT ${NOW_MS} AS now_ms) t
WHERE id = $1 AND expires_at > t.now_ms`,
    // Events may belong to another store instance, so they are purged here explicitly.
    delete: `WITH gone AS (DELETE FROM ${n.sessions} WHERE id = $1 RETURNING expires_at > ${NOW_MS} AS live),
purged AS (DELETE FROM ${n.eventSessions} WHERE session_id = $1)
SELECT live FROM gone`,
    list: `SELECT ${SESSION_COLUMNS} FROM ${n.sessions}
WHERE principal_json = $1 AND expires_at > ${NOW_MS} AND ($2::text IS NULL OR id > $2::text)
ORDER BY id LIMIT $3::int`,
    // SKIP LOCKED: concurrent sweepers on several pods split the work instead of queueing.
    sweep: `WITH doomed_sessions AS (
  SELECT id FROM ${n.sessions} WHERE expires_at <= ${NOW_MS} ORDER BY expires_at LIMIT $1::int FOR UPDATE SKIP LOCKED
), sessions AS (
  DELETE FROM ${n.sessions} s USING doomed_sessions d WHERE s.id = d.id RETURNING 1
), doomed_events AS (
  SELECT session_id FROM ${n.eventSessions} WHERE expires_at <= ${NOW_MS} ORDER BY expires_at LIMIT $1::int FOR UPDATE SKIP LOCKED
), events AS (
  DELETE FROM ${n.events} e USING doomed_events d WHERE e.session_id = d.session_id RETURNING 1
), event_sessions AS (
  DELETE FROM ${n.eventSessions} e USING doomed_events d WHERE e.session_id = d.session_id RETURNING 1
), doomed_payloads AS (
  SELECT id FROM ${n.busPayloads} WHERE expires_at <= ${NOW_MS} ORDER BY expires_at LIMIT $1::int FOR UPDATE SKIP LOCKED
), payloads AS (
  DELETE FROM ${n.busPayloads} b USING doomed_payloads d WHERE b.id = d.id RETURNING 1
)
SELECT (SELECT count(*) FROM sessions)::int AS sessions,
  (SELECT count(*) FROM events)::int + (SELECT count(*) FROM event_sessions)::int AS events,
  (SELECT count(*) FROM payloads)::int AS payloads`,
  };
}
