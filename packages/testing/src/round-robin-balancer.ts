import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running balancer. */
export interface BalancerHandle {
  /** Where clients connect, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** The upstream that served each request so far, in order (for assertions). */
  readonly log: readonly string[];
  /** Replaces the upstream list (e.g. after a pod restarts on a new port). */
  setTargets(targets: readonly string[]): void;
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

/**
 * A round-robin HTTP balancer on loopback with **no affinity**: request n goes to upstream
 * n mod N, whatever its session. Streams both ways (SSE included); an upstream that refuses the
 * connection is skipped for that request, as a real balancer's health check would. The `Host`
 * header is forwarded as the client sent it.
 */
export async function startRoundRobinBalancer(
  targets: readonly string[],
  options: BalancerOptions = {},
): Promise<BalancerHandle> {
  let upstreams = [...targets];
  let next = 0;
  const log: string[] = [];
  const open = new Set<ServerResponse>();

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, attempt: number): void => {
    // Every upstream removed (all pods killed): answer as a balancer with no healthy backend would,
    // instead of throwing on `new URL(undefined)` and crashing the test process.
    if (upstreams.length === 0) {
      res.writeHead(503).end();
      return;
    }
    const sessionId = req.headers['mcp-session-id'];
    const index =
      options.affinity === 'session' && typeof sessionId === 'string' && attempt === 1
        ? pinnedIndex(sessionId, upstreams.length)
        : next++;
    const target = new URL(upstreams[index % upstreams.length]!);
    const upstream = httpRequest(
      {
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
          if (!answer.complete) res.destroy();
        });
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!res.headersSent && error.code === 'ECONNREFUSED' && attempt < upstreams.length) {
        forward(req, res, body, attempt + 1);
      } else if (!res.headersSent) {
        res.writeHead(502).end();
      } else {
        res.destroy();
      }
    });
    // The client going away must end the upstream request too (it may be an SSE stream).
    res.on('close', () => upstream.destroy());
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => forward(req, res, Buffer.concat(chunks), 1));
  });
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
    setTargets(list) {
      upstreams = [...list];
    },
    async stop() {
      for (const res of open) res.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive connections would otherwise hold the process open for seconds.
      server.closeAllConnections();
      await closed;
    },
  };
}
