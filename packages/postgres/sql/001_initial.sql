-- @mcp-session-store/postgres schema version 1 (initial).
-- For schema "public" and table prefix "mcp_"; migrate(pool, { schema, tablePrefix })
-- runs the same statements for other names, under an advisory lock. Idempotent.

BEGIN;

CREATE TABLE IF NOT EXISTS "public"."mcp_migrations" (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS "public"."mcp_sessions" (
  id text COLLATE "C" PRIMARY KEY,
  principal_json text COLLATE "C",
  data text NOT NULL,
  created_at bigint NOT NULL,
  last_activity_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  version bigint NOT NULL
);

CREATE INDEX IF NOT EXISTS "mcp_sessions_expires_at" ON "public"."mcp_sessions" (expires_at);

CREATE INDEX IF NOT EXISTS "mcp_sessions_principal" ON "public"."mcp_sessions" (principal_json, id) WHERE principal_json IS NOT NULL;

CREATE TABLE IF NOT EXISTS "public"."mcp_event_sessions" (
  session_id text COLLATE "C" PRIMARY KEY,
  token text NOT NULL,
  last_seq bigint NOT NULL,
  expires_at bigint NOT NULL
);

CREATE INDEX IF NOT EXISTS "mcp_event_sessions_expires_at" ON "public"."mcp_event_sessions" (expires_at);

CREATE TABLE IF NOT EXISTS "public"."mcp_events" (
  session_id text COLLATE "C" NOT NULL REFERENCES "public"."mcp_event_sessions" (session_id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  stream_id text NOT NULL,
  message text NOT NULL,
  PRIMARY KEY (session_id, seq)
);

CREATE INDEX IF NOT EXISTS "mcp_events_stream" ON "public"."mcp_events" (session_id, stream_id, seq);

CREATE TABLE IF NOT EXISTS "public"."mcp_bus_payloads" (
  id bigserial PRIMARY KEY,
  payload text NOT NULL,
  expires_at bigint NOT NULL
);

CREATE INDEX IF NOT EXISTS "mcp_bus_payloads_expires_at" ON "public"."mcp_bus_payloads" (expires_at);

INSERT INTO "public"."mcp_migrations" (version, name) VALUES (1, 'initial') ON CONFLICT (version) DO NOTHING;

COMMIT;
