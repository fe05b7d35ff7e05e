import type { ChildProcess } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { freePorts } from './free-port.js';
import { OutputTail } from './output-tail.js';
import { spawnTracked } from './process-cleanup.js';
import {
  type BalancerHandle,
  type BalancerOptions,
  startRoundRobinBalancer,
} from './round-robin-balancer.js';
import { STOP_GRACE_MS, stopChild } from './stop-child.js';

const HOST = '127.0.0.1';
const DEFAULT_PODS = 3;
const DEFAULT_READY_TIMEOUT_MS = 20_000;
const POLL_INTERVAL_MS = 50;
// One probe must not eat the whole deadline when a pod accepts connections but hangs.
const PROBE_TIMEOUT_MS = 1_000;
// Bounds the wait for a dead pod's last output: a grandchild holding its pipes open would delay
// 'close' forever.
const OUTPUT_DRAIN_MS = 500;

/** Options of {@link startPodCluster}. */
export interface PodClusterOptions {
  /**
   * Command line of one pod, program first, run without a shell, e.g.
   * `[process.execPath, '--import', 'tsx', '/abs/path/pod.ts']`. The pod must listen on
   * `127.0.0.1:$PORT` and answer `GET /healthz` with 200 once it is ready.
   */
  readonly command: readonly string[];
  /** How many pods to start, at least 1. Default 3. */
  readonly pods?: number | undefined;
  /** Extra environment for every pod, on top of this process's; `PORT` and `POD_NAME` win over it. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** How long each pod may take to answer `/healthz` with 200, per start. Default 20000. */
  readonly readyTimeoutMs?: number | undefined;
  /** Port of the balancer on 127.0.0.1. Default: any free port. */
  readonly balancerPort?: number | undefined;
  /** The balancer's affinity (see {@link BalancerOptions.affinity}). Default `'none'`: round robin. */
  readonly affinity?: 'none' | 'session' | undefined;
  /**
   * Runs the cluster as Kubernetes does a rolling restart: the balancer probes each pod's `path`
   * (default `/readyz`) every `intervalMs` (default 100) and sends it requests only while it
   * answers 200, and {@link PodClusterHandle.restart} and `stop()` SIGTERM a pod while it is still
   * in the balancer: its own failing probe takes it out. Without it (the default), a pod is taken
   * out of the balancer before it gets any signal.
   */
  readonly readiness?: { path?: string | undefined; intervalMs?: number | undefined } | undefined;
  /**
   * How long a SIGTERMed pod may take to exit before it is SIGKILLed (Kubernetes'
   * `terminationGracePeriodSeconds`). Default 5000.
   */
  readonly terminationGraceMs?: number | undefined;
}

/** One pod of a {@link PodClusterHandle}. */
export interface PodHandle {
  /** `pod-<index>`, also given to the pod as `POD_NAME`. */
  readonly name: string;
  /** The pod's own port on 127.0.0.1 (its `PORT`); it stays the same across restarts. */
  readonly port: number;
  /** `http://127.0.0.1:<port>`: reaches this pod directly, bypassing the balancer. */
  readonly url: string;
  /** The pod's pid, or `undefined` while it is not running. */
  readonly pid: number | undefined;
  /**
   * How its last process ended: `{ code: 0, signal: null }` for a pod that drained and exited by
   * itself; `signal: 'SIGKILL'` for one killed, or that outlived `terminationGraceMs`.
   */
  readonly lastExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

/** Several copies of one HTTP server behind a round-robin balancer, for multi-instance tests. */
export interface PodClusterHandle {
  /** The balancer's base URL, `http://127.0.0.1:<port>`: round robin over the live pods, no affinity. */
  readonly url: string;
  /** The balancer itself: what it counted (`stats`), which pods it routes to now (`routable()`). */
  readonly balancer: BalancerHandle;
  /** The pods, in index order. */
  readonly pods: readonly PodHandle[];
  /**
   * SIGKILLs pod `index` (a crash, no graceful shutdown) and waits for it to exit. The balancer
   * stops sending it requests before the signal; requests it was already serving fail.
   */
  kill(index: number): Promise<void>;
  /**
   * Starts pod `index` again on the same port (after {@link PodClusterHandle.kill}; a running pod is
   * SIGTERMed first, and waited for), waits until it is ready, then puts it back in the balancer;
   * with `readiness`, resolves once the balancer's probe sends it requests again.
   */
  restart(index: number): Promise<void>;
  /** The end of what pod `index` printed (stdout and stderr) since it last started, for error messages. */
  output(index: number): string;
  /** SIGTERMs every pod (SIGKILL after `terminationGraceMs`), waits for them to exit and stops the balancer. Safe to call twice. */
  stop(): Promise<void>;
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  // After 'exit', until the pipes are read to the end: the output is complete only then.
  readonly closed: Promise<void>;
  exit?: Exit;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describeExit(exit: Exit): string {
  if (exit.error) return `failed to spawn (${exit.error.message})`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

// Never throws: refused connections, timeouts and non-200 answers all mean "not ready".
function isHealthy(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    // No agent: a kept-alive socket would outlive the probe and keep Jest from exiting.
    const request = httpGet(
      { host: HOST, port, path: '/healthz', agent: false, timeout: timeoutMs },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/** How a pod is taken out of the balancer (see `PodClusterOptions.readiness`). */
interface PodLifecycle {
  /** The balancer probes readiness: a SIGTERMed pod stays in its list until it exits. */
  readonly probed: boolean;
  readonly terminationGraceMs: number;
  readonly readyTimeoutMs: number;
  /** Resolves once the balancer sends requests to `url` (immediately without readiness probes). */
  routable(url: string): Promise<void>;
}

class Pod implements PodHandle {
  readonly url: string;
  /** Ready and not being killed: the balancer may send it requests. */
  serving = false;
  lastExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private running: Running | undefined;
  private stopped = false;
  private tail = new OutputTail();
  // kill/restart run one at a time, so a test calling them concurrently gets a sane order.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly command: readonly string[],
    private readonly env: Readonly<Record<string, string>>,
    private readonly lifecycle: PodLifecycle,
    private readonly onServingChange: () => void,
  ) {
    this.url = `http://${HOST}:${port}`;
  }

  get pid(): number | undefined {
    return this.running?.child.pid;
  }

  output(): string {
    return this.tail.toString();
  }

  start(): Promise<void> {
    return this.serialize(() => this.doStart());
  }

  restart(): Promise<void> {
    return this.serialize(async () => {
      await this.terminate('SIGTERM');
      await this.doStart();
    });
  }

  kill(): Promise<void> {
    return this.serialize(() => this.terminate('SIGKILL'));
  }

  // Not queued: it must interrupt a start still waiting for /healthz, not wait up to its deadline.
  async stop(): Promise<void> {
    this.stopped = true;
    await this.terminate('SIGTERM');
    await this.queue;
  }

  private serialize(task: () => Promise<void>): Promise<void> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => {});
    return result;
  }

  private setServing(serving: boolean): void {
    if (this.serving === serving) return;
    this.serving = serving;
    this.onServingChange();
  }

  private async doStart(): Promise<void> {
    if (this.stopped) throw new Error(`${this.name}: the pod cluster was stopped`);
    if (this.running) return;
    this.tail = new OutputTail();
    const [program, ...args] = this.command as [string, ...string[]];
    const child = spawnTracked(program, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // HOST over process.env (a shell may export a host name there), under options.env.
      env: { ...process.env, HOST, ...this.env, PORT: String(this.port), POD_NAME: this.name },
    });
    this.tail.follow(child.stdout);
    this.tail.follow(child.stderr);
    const running: Running = {
      child,
      exited: new Promise<Exit>((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
        child.once('error', (error) => resolve({ code: null, signal: null, error }));
      }),
      closed: new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        child.once('error', () => resolve());
      }),
    };
    void running.exited.then((exit) => {
      running.exit = exit;
      this.lastExit = { code: exit.code, signal: exit.signal };
      if (this.running !== running) return;
      this.running = undefined;
      // A pod that dies on its own leaves the balancer too: it routes to live pods only.
      this.setServing(false);
    });
    this.running = running;
    try {
      await this.waitReady(running);
    } catch (error) {
      await this.terminate('SIGKILL');
      throw error;
    }
    this.setServing(true);
    await this.lifecycle.routable(this.url);
  }

  // Polls instead of sleeping: ready as soon as it is, and a bounded wait when it is not.
  private async waitReady(running: Running): Promise<void> {
    const deadline = Date.now() + this.lifecycle.readyTimeoutMs;
    for (;;) {
      if (this.stopped) throw new Error(`${this.name}: the pod cluster was stopped while it started`);
      if (running.exit) throw await this.startupError(describeExit(running.exit), running);
      const remaining = deadline - Date.now();
      // Checked again after the probe: another process holding the port could have answered it.
      if (await isHealthy(this.port, Math.max(1, Math.min(PROBE_TIMEOUT_MS, remaining)))) {
        if (!running.exit) return;
        continue;
      }
      if (Date.now() >= deadline) {
        throw await this.startupError(
          `did not answer 200 on ${this.url}/healthz within ${this.lifecycle.readyTimeoutMs} ms`,
          running,
        );
      }
      await Promise.race([delay(POLL_INTERVAL_MS), running.exited]);
    }
  }

  private async startupError(problem: string, running: Running): Promise<Error> {
    if (running.exit) await Promise.race([running.closed, delay(OUTPUT_DRAIN_MS)]);
    return new Error(
      `${this.name} ${problem} (port ${this.port}, command: ${this.command.join(' ')}). Pod output:\n${this.tail}`,
    );
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const running = this.running;
    if (!running) return;
    // Out of the balancer before the signal: no new request may be routed to a dying pod. With
    // readiness probes, a SIGTERMed pod takes itself out (its probe fails) and leaves when it exits.
    if (signal === 'SIGKILL' || !this.lifecycle.probed) this.setServing(false);
    await stopChild(running, signal, this.lifecycle.terminationGraceMs);
    if (this.running === running) this.running = undefined;
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`startPodCluster: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * Starts `pods` copies of an HTTP server as child processes on free ports of 127.0.0.1, all at
 * once, and a round-robin balancer in front of them ({@link startRoundRobinBalancer}, no
 * affinity), so tests can check that state shared between instances (sessions in Redis) works
 * whichever pod a request lands on, and survives a pod crashing.
 *
 * Pod `i` gets `PORT=<its port>`, `POD_NAME=pod-<i>`, `HOST=127.0.0.1` and `options.env`, and is
 * ready once `GET /healthz` answers 200 (polled every 50 ms). Pods are spawned with
 * {@link spawnTracked}, so they die with the test process; still call `stop()` (in `afterAll`).
 *
 * @example
 * ```ts
 * const cluster = await startPodCluster({
 *   command: [process.execPath, '--import', 'tsx', `${__dirname}/fixtures/pod.ts`],
 *   env: { REDIS_URL: redis.url },
 * });
 * afterAll(() => cluster.stop());
 * await fetch(`${cluster.url}/mcp`, { method: 'POST', body });
 * await cluster.kill(1); // crash pod-1; the balancer skips it
 * await cluster.restart(1); // same port, back in the balancer once ready
 * ```
 * @param options - the pod command line, how many pods, extra env and the readiness deadline.
 * @returns the balancer's URL, the pods, and ways to kill, restart and stop them.
 * @throws RangeError on an empty command or a bad count or timeout; Error when a pod exits before
 * it is ready or is not ready within `readyTimeoutMs` (the message includes the pod's output).
 * Pods already started are stopped before it throws.
 */
export async function startPodCluster(options: PodClusterOptions): Promise<PodClusterHandle> {
  if (options.command.length === 0) throw new RangeError('startPodCluster: command must not be empty');
  const count = positiveInteger('pods', options.pods ?? DEFAULT_PODS);
  const readyTimeoutMs = positiveInteger(
    'readyTimeoutMs',
    options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
  );
  const terminationGraceMs = positiveInteger(
    'terminationGraceMs',
    options.terminationGraceMs ?? STOP_GRACE_MS,
  );
  const probe = options.readiness && {
    path: options.readiness.path ?? '/readyz',
    intervalMs: positiveInteger('readiness.intervalMs', options.readiness.intervalMs ?? 100),
  };
  const ports = await freePorts(count);
  let balancer: BalancerHandle | undefined;
  const lifecycle: PodLifecycle = {
    probed: probe !== undefined,
    terminationGraceMs,
    readyTimeoutMs,
    async routable(url) {
      // Polls the balancer's view: a restarted pod counts as back once its probe passed there.
      const deadline = Date.now() + readyTimeoutMs;
      while (balancer && probe && !balancer.routable().includes(url)) {
        if (Date.now() > deadline) {
          throw new Error(
            `${url} did not pass the balancer's ${probe.path} probe within ${readyTimeoutMs} ms`,
          );
        }
        await delay(POLL_INTERVAL_MS);
      }
    },
  };
  // Round robin over the pods that can take requests, in index order.
  const updateTargets = (): void => {
    balancer?.setTargets(pods.filter((pod) => pod.serving).map((pod) => pod.url));
  };
  const pods = ports.map(
    (port, i) => new Pod(`pod-${i}`, port, options.command, options.env ?? {}, lifecycle, updateTargets),
  );
  const stopPods = async (): Promise<void> => {
    await Promise.all(pods.map((pod) => pod.stop()));
  };
  try {
    const started = await Promise.allSettled(pods.map((pod) => pod.start()));
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    balancer = await startRoundRobinBalancer(
      pods.map((pod) => pod.url),
      { port: options.balancerPort, affinity: options.affinity, healthCheck: probe },
    );
    // A pod may have died while the balancer started.
    updateTargets();
    for (const pod of pods) await lifecycle.routable(pod.url);
  } catch (error) {
    await stopPods();
    throw error;
  }
  const running = balancer;
  const podAt = (index: number): Pod => {
    const pod = Number.isInteger(index) ? pods[index] : undefined;
    if (!pod) throw new RangeError(`pod index must be an integer from 0 to ${pods.length - 1}, got ${index}`);
    return pod;
  };
  let stopping: Promise<void> | undefined;
  return {
    url: running.url,
    balancer: running,
    pods,
    kill: async (index) => podAt(index).kill(),
    restart: async (index) => podAt(index).restart(),
    output: (index) => podAt(index).output(),
    stop() {
      stopping ??= Promise.all([stopPods(), running.stop()]).then(() => undefined);
      return stopping;
    },
  };
}
