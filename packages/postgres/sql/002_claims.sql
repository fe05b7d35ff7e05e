-- @mcp-session-store/postgres schema version 2 (claims).
-- For schema "public" and table prefix "mcp_"; migrate(pool, { schema, tablePrefix })
-- runs the same statements for other names, under an advisory lock. Idempotent.

BEGIN;

CREATE TABLE IF NOT EXISTS "public"."mcp_migrations" (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS "public"."mcp_claims" (
  key text COLLATE "C" PRIMARY KEY,
  expires_at bigint NOT NULL
);

CREATE INDEX IF NOT EXISTS "mcp_claims_expires_at" ON "public"."mcp_claims" (expires_at);

INSERT INTO "public"."mcp_migrations" (version, name) VALUES (2, 'claims') ON CONFLICT (version) DO NOTHING;

COMMIT;
