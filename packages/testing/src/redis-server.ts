import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable } from './find-executable.js';
import { freePort } from './free-port.js';
import { OutputTail } from './output-tail.js';
import { registerTempDir, spawnTracked } from './process-cleanup.js';
import { pingRedis, RedisReplyError, sendRedisCommand } from './resp.js';
import { stopChild } from './stop-child.js';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 50;
// Only when we picked the port ourselves: another process may grab it right after freePort().
const PORT_ATTEMPTS = 3;
const REDIS_SERVER_INSTALL_HINT =
  'Install Redis, e.g. `apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS).';

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** TCP port to listen on (127.0.0.1 only). Default: a free port, retried if taken meanwhile. */
  port?: number | undefined;
  /** Extra `redis-server` arguments, appended after ours so they can override them. */
  args?: readonly string[] | undefined;
}

/** A running (or stopped, restartable) `redis-server` child process. */
export interface RedisServerHandle {
  /** Always `127.0.0.1`: the server binds to loopback only. */
  readonly host: string;
  /** The port; it stays the same across {@link RedisServerHandle.start} restarts. */
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, for clients. */
  readonly url: string;
  /** The server's temp working directory, or `undefined` once {@link RedisServerHandle.stop} removed it. */
  readonly dir: string | undefined;
  /** The server's pid, or `undefined` while it is not running. */
  readonly pid: number | undefined;
  /**
   * Shuts the server down (SIGTERM, SIGKILL if it has not exited after 5 s), waits for it to exit,
   * then removes its temp dir. Safe to call more than once.
   */
  stop(): Promise<void>;
  /** SIGKILLs the server and waits for it to exit, keeping its dir: simulates a crash in fault tests. */
  kill(): Promise<void>;
  /** Starts the server again on the same port after `kill()` or `stop()` and waits until it answers PING. */
  start(): Promise<void>;
}

class PortInUseError extends Error {}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  exit?: Exit;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describeExit(exit: Exit): string {
  if (exit.error) return `failed to spawn (${exit.error.message})`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

class RedisServer implements RedisServerHandle {
  readonly host = HOST;
  readonly url: string;
  private running: Running | undefined;
  private workDir: string | undefined;
  private forgetDir: (() => void) | undefined;
  private output = new OutputTail();
  // start/stop/kill run one at a time, so a test calling them concurrently gets a sane order.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly binary: string,
    readonly port: number,
    private readonly extraArgs: readonly string[],
  ) {
    this.url = `redis://${HOST}:${port}`;
  }

  get dir(): string | undefined {
    return this.workDir;
  }

  get pid(): number | undefined {
    return this.running?.child.pid;
  }

  start(): Promise<void> {
    return this.serialize(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.serialize(() => this.doStop());
  }

  kill(): Promise<void> {
    return this.serialize(() => this.terminate('SIGKILL'));
  }

  private serialize(task: () => Promise<void>): Promise<void> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => {});
    return result;
  }

  private async doStart(): Promise<void> {
    if (this.running) return;
    if (this.workDir === undefined) {
      const dir = await mkdtemp(join(tmpdir(), 'mcp-session-store-redis-'));
      this.workDir = dir;
      // Removed even if the test never calls stop(), or dies before it.
      this.forgetDir = registerTempDir(dir);
    }
    this.output = new OutputTail();
    const child = spawnTracked(this.binary, this.serverArgs(this.workDir), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.output.follow(child.stdout);
    this.output.follow(child.stderr);
    const running: Running = {
      child,
      exited: new Promise<Exit>((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
        child.once('error', (error) => resolve({ code: null, signal: null, error }));
      }),
    };
    void running.exited.then((exit) => {
      running.exit = exit;
      if (this.running === running) this.running = undefined;
    });
    this.running = running;
    try {
      await this.waitReady(running);
    } catch (error) {
      await this.terminate('SIGKILL');
      throw error;
    }
  }

  private serverArgs(dir: string): string[] {
    return [
      '--port',
      String(this.port),
      '--bind',
      HOST,
      // No RDB snapshots, no AOF: test data must not outlive the process or touch the disk.
      '--save',
      '',
      '--appendonly',
      'no',
      // Daemonizing would detach the server from us: we could neither wait for it nor kill it.
      '--daemonize',
      'no',
      '--dir',
      dir,
      ...this.extraArgs,
    ];
  }

  // Polls PING instead of sleeping: ready as soon as it is, and a bounded wait when it is not.
  private async waitReady(running: Running): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (running.exit) throw this.startupError(`redis-server ${describeExit(running.exit)}`, running.exit);
      if (await pingRedis(this, 500)) {
        await this.assertItIsOurs(running);
        return;
      }
      if (Date.now() >= deadline) {
        throw this.startupError(`redis-server did not answer PING within ${READY_TIMEOUT_MS} ms`);
      }
      await Promise.race([delay(POLL_INTERVAL_MS), running.exited]);
    }
  }

  // A PONG could come from another server that holds the port while ours fails to bind it.
  private async assertItIsOurs(running: Running): Promise<void> {
    let info: unknown;
    try {
      info = await sendRedisCommand(this, ['INFO', 'server']);
    } catch (error) {
      // INFO renamed or disabled through `args`: PING has to do.
      if (error instanceof RedisReplyError) return;
      throw error;
    }
    const pid = typeof info === 'string' ? /^process_id:(\d+)/m.exec(info)?.[1] : undefined;
    if (pid !== undefined && Number(pid) !== running.child.pid) {
      throw new PortInUseError(
        `Port ${this.port} is answered by another Redis (pid ${pid}), not the one we started`,
      );
    }
  }

  private startupError(message: string, exit?: Exit): Error {
    const output = this.output.toString();
    const text = `${message} (port ${this.port}, dir ${this.workDir}). Server output:\n${output}`;
    if (exit && /Address already in use/i.test(output)) return new PortInUseError(text);
    return new Error(text);
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const running = this.running;
    if (!running) return;
    await stopChild(running, signal);
    if (this.running === running) this.running = undefined;
  }

  private async doStop(): Promise<void> {
    await this.terminate('SIGTERM');
    const dir = this.workDir;
    if (dir === undefined) return;
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    this.forgetDir?.();
    this.workDir = undefined;
    this.forgetDir = undefined;
  }
}

/**
 * Starts a real `redis-server` (found on `PATH`) on 127.0.0.1, with no persistence and a fresh
 * temp `--dir`, and resolves once it answers PING.
 *
 * The process is killed when the test process exits (see {@link trackChildProcess}); still call
 * `stop()` (in `afterAll`) to free it and its dir early.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * afterAll(() => redis.stop());
 * const client = createClient({ url: redis.url });
 * ```
 * @param options - port and extra arguments.
 * @returns a handle to stop, kill and restart the server.
 * @throws Error when `redis-server` is not installed (the message says how to install it), or when
 * it does not answer PING within 10 s (the message includes its output).
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const binary = findExecutable('redis-server', REDIS_SERVER_INSTALL_HINT);
  const args = options.args ?? [];
  for (let attempt = 1; ; attempt++) {
    const server = new RedisServer(binary, options.port ?? (await freePort()), args);
    try {
      await server.start();
      return server;
    } catch (error) {
      await server.stop();
      const retry = options.port === undefined && error instanceof PortInUseError && attempt < PORT_ATTEMPTS;
      if (!retry) throw error;
    }
  }
}
