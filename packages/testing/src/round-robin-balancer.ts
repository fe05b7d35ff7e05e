import {
  Agent,
  createServer,
  get as httpGet,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a balancer counted since it started. */
export interface BalancerStats {
  /** Requests received from clients. */
  requests: number;
  /** Attempts an upstream refused (its listener was closed), sent on to the next upstream. */
  refusedRetried: number;
  /**
   * Requests whose upstream connection failed after the request was sent and before any answer
   * (a reset, a connection closed under it): the client got a 502. A graceful stop must cause none.
   */
  resetBeforeAnswer: number;
  /** Answers their upstream cut before the end (not counting those whose client left first). */
  cutMidAnswer: number;
  /** Requests no upstream could take (none healthy, or every one refused): the client got a 502 or 503. */
  unavailable: number;
  /** The last 100 failures counted above, for a test's error message. */
  failures: BalancerFailure[];
}

/** One failure a {@link BalancerStats} counted. */
export interface BalancerFailure {
  kind: 'reset-before-answer' | 'cut-mid-answer' | 'unavailable';
  /** The upstream's origin (none for `unavailable` with no upstream to try). */
  upstream: string | undefined;
  method: string;
  url: string;
  /** The socket error's code or message (none for an answer that just stopped). */
  error: string | undefined;
  /** Date.now() when it happened. */
  at: number;
}

/** A running balancer. */
export interface BalancerHandle {
  /** Where clients connect, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** The upstream that served each request so far, in order (for assertions). */
  readonly log: readonly string[];
  /** What it counted: requests, retried refusals, resets, cut answers. */
  readonly stats: Readonly<BalancerStats>;
  /** Replaces the upstream list (e.g. after a pod restarts on a new port). */
  setTargets(targets: readonly string[]): void;
  /** The upstreams requests go to now: with health checks, those whose last probe passed. */
  routable(): readonly string[];
  stop(): Promise<void>;
}

/** Options of {@link startRoundRobinBalancer}. */
export interface BalancerOptions {
  /** Port on 127.0.0.1. Default: any free port. */
  port?: number | undefined;
  /**
   * `'session'`: ideal affinity instead of round robin, for comparison: a request carrying an
   * `Mcp-Session-Id` always goes to the same upstream (by a hash of the id); others go round robin.
   */
  affinity?: 'none' | 'session' | undefined;
  /**
   * Health checks, as a cloud balancer or Kubernetes' readiness probe: every upstream gets
   * `GET path` every `intervalMs`, and requests go only to those whose last probe answered 200
   * (a new upstream after its first passing probe). Default: none, every upstream gets requests.
   */
  healthCheck?: { path: string; intervalMs: number } | undefined;
}

/** A stable upstream index for a session id (FNV-1a). */
function pinnedIndex(sessionId: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < sessionId.length; i++) {
    hash ^= sessionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}

const MAX_FAILURES_KEPT = 100;
/**
 * How long a connection to an upstream may sit idle before the balancer closes it: well below
 * Node's keep-alive timeout (5 s), as a balancer's idle timeout must be below its backends'. A
 * connection the backend closes first may be picked for a request at that very moment: a reset
 * no backend could prevent, which this test balancer would count against it.
 */
const UPSTREAM_IDLE_MS = 1_000;

/**
 * A round-robin HTTP balancer on loopback with **no affinity**: request n goes to upstream
 * n mod N, whatever its session. Streams both ways (SSE included). It retries one thing only, as
 * nginx or a cloud balancer does for a request it may not replay: an upstream that refuses the
 * connection (the request never reached it) is skipped for the next one. Anything else that goes
 * wrong before the answer is the client's 502, and is counted ({@link BalancerHandle.stats}). The
 * `Host` header is forwarded as the client sent it. Idle connections: to upstreams, closed by the
 * balancer after 1 s; from clients, left to the clients to close (they never race the balancer).
 */
export async function startRoundRobinBalancer(
  targets: readonly string[],
  options: BalancerOptions = {},
): Promise<BalancerHandle> {
  let upstreams = [...targets];
  let next = 0;
  const log: string[] = [];
  const open = new Set<ServerResponse>();
  const stats: BalancerStats = {
    requests: 0,
    refusedRetried: 0,
    resetBeforeAnswer: 0,
    cutMidAnswer: 0,
    unavailable: 0,
    failures: [],
  };
  const failed = (failure: Omit<BalancerFailure, 'at'>): void => {
    stats.failures.push({ ...failure, at: Date.now() });
    if (stats.failures.length > MAX_FAILURES_KEPT) stats.failures.shift();
  };

  const { healthCheck } = options;
  const healthy = new Set<string>();
  const probing = new Set<string>();
  const probe = (upstream: string): void => {
    if (!healthCheck || probing.has(upstream)) return;
    probing.add(upstream);
    const settle = (ok: boolean) => {
      probing.delete(upstream);
      if (ok && upstreams.includes(upstream)) healthy.add(upstream);
      else healthy.delete(upstream);
    };
    // No agent: a probe's connection must not be one a request could reuse.
    const check = httpGet(`${upstream}${healthCheck.path}`, { agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      settle(res.statusCode === 200);
    });
    check.on('timeout', () => check.destroy());
    check.on('error', () => settle(false));
  };
  const probeAll = () => {
    for (const upstream of upstreams) probe(upstream);
  };
  const prober = healthCheck ? setInterval(probeAll, healthCheck.intervalMs) : undefined;
  prober?.unref();
  probeAll();
  const routable = (): string[] => (healthCheck ? upstreams.filter((u) => healthy.has(u)) : upstreams);
  const agent = new Agent({ keepAlive: true, timeout: UPSTREAM_IDLE_MS });

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, attempt: number): void => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const candidates = routable();
    // Every upstream removed (all pods killed): answer as a balancer with no healthy backend would,
    // instead of throwing on `new URL(undefined)` and crashing the test process.
    if (candidates.length === 0) {
      stats.unavailable++;
      failed({ kind: 'unavailable', upstream: undefined, method, url, error: 'no upstream' });
      res.writeHead(503).end();
      return;
    }
    const sessionId = req.headers['mcp-session-id'];
    const index =
      options.affinity === 'session' && typeof sessionId === 'string' && attempt === 1
        ? pinnedIndex(sessionId, candidates.length)
        : next++;
    const target = new URL(candidates[index % candidates.length]!);
    // Set when the client leaves first: what the upstream does after that is no failure.
    let clientGone = false;
    const upstream = httpRequest(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        // The client's Host header goes through unchanged, as cloud load balancers and ingress
        // controllers pass it: the pods' DNS-rebinding protection must see what the client sent.
        headers: req.headers,
      },
      (answer) => {
        log.push(target.origin);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders();
        answer.pipe(res);
        // A pod dying mid-answer resets the client's connection, as real load balancers do: a
        // cleanly ended answer would hide the crash (an SSE client would wait on a dead stream).
        answer.on('close', () => {
          if (answer.complete || clientGone) return;
          stats.cutMidAnswer++;
          failed({ kind: 'cut-mid-answer', upstream: target.origin, method, url, error: undefined });
          res.destroy();
        });
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (clientGone || res.headersSent) {
        // The answer's 'close' above counts a cut; here only the client's side is left to end.
        if (!clientGone) res.destroy();
        return;
      }
      const candidatesNow = routable().length;
      if (error.code === 'ECONNREFUSED' && attempt < Math.max(candidatesNow, 1)) {
        stats.refusedRetried++;
        forward(req, res, body, attempt + 1);
        return;
      }
      const refused = error.code === 'ECONNREFUSED';
      if (refused) stats.unavailable++;
      else stats.resetBeforeAnswer++;
      failed({
        kind: refused ? 'unavailable' : 'reset-before-answer',
        upstream: target.origin,
        method,
        url,
        error: error.code ?? error.message,
      });
      res.writeHead(502).end();
    });
    // The client going away must end the upstream request too (it may be an SSE stream).
    res.on('close', () => {
      if (!res.writableFinished) clientGone = true;
      upstream.destroy();
    });
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    stats.requests++;
    open.add(res);
    res.on('close', () => open.delete(res));
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => forward(req, res, Buffer.concat(chunks), 1));
  });
  // No idle timeout of its own towards clients: a client sending on a connection the balancer is
  // closing that instant would see a reset that is nobody's but the test's.
  server.keepAliveTimeout = 0;
  // A fixed port (0: any free one); a port in use rejects instead of hanging.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    stats,
    setTargets(list) {
      upstreams = [...list];
      for (const upstream of [...healthy]) if (!upstreams.includes(upstream)) healthy.delete(upstream);
      probeAll();
    },
    routable,
    async stop() {
      if (prober) clearInterval(prober);
      agent.destroy();
      for (const res of open) res.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive connections would otherwise hold the process open for seconds.
      server.closeAllConnections();
      await closed;
    },
  };
}
