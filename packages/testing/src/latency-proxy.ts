// A TCP proxy on loopback that delays every chunk, both ways, by an adjustable latency: a slow
// backend (Redis, PostgreSQL, DynamoDB Local) without touching the backend. It can also cut every
// connection and refuse new ones, an outage that leaves the backend itself running.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A running latency proxy. */
export interface LatencyProxyHandle {
  /** The proxy's port on 127.0.0.1: point the client here instead of at the backend. */
  readonly port: number;
  /** The latency added to each chunk in each direction, in ms. */
  readonly latencyMs: number;
  /** Changes the added latency; chunks already queued keep theirs. */
  setLatency(ms: number): void;
  /** Destroys every open connection; with `refuse`, new ones are closed at once until `restore()`. */
  cut(options?: { refuse?: boolean }): void;
  /** Accepts connections again after `cut({ refuse: true })`. */
  restore(): void;
  /** Connections opened through the proxy so far. */
  readonly connections: number;
  stop(): Promise<void>;
}

/**
 * Starts a proxy to `target` (host and port) that adds `latencyMs` to each chunk, in order.
 *
 * @example
 * ```ts
 * const slow = await startLatencyProxy({ host: '127.0.0.1', port: 6379 }, { latencyMs: 200 });
 * const redis = new Redis({ port: slow.port });
 * ```
 */
export async function startLatencyProxy(
  target: { host: string; port: number },
  options: { latencyMs?: number | undefined } = {},
): Promise<LatencyProxyHandle> {
  let latencyMs = options.latencyMs ?? 0;
  let refusing = false;
  let connections = 0;
  const open = new Set<Socket>();

  // Each direction keeps its own order: a chunk never overtakes an earlier one.
  const pipeDelayed = (from: Socket, to: Socket) => {
    let last = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      const due = Date.now() + latencyMs;
      last = last.then(
        () =>
          new Promise<void>((resolve) => {
            setTimeout(
              () => {
                if (!to.destroyed) to.write(chunk);
                resolve();
              },
              Math.max(0, due - Date.now()),
            );
          }),
      );
    });
    from.on('end', () => void last.then(() => to.end()));
  };

  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    connections++;
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      // Either side failing ends both, as a dropped network path would.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    pipeDelayed(client, upstream);
    pipeDelayed(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    get latencyMs() {
      return latencyMs;
    },
    setLatency(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error('latency must be a non-negative number of ms');
      latencyMs = ms;
    },
    cut(cutOptions = {}) {
      refusing = cutOptions.refuse ?? false;
      for (const socket of open) socket.destroy();
    },
    restore() {
      refusing = false;
    },
    get connections() {
      return connections;
    },
    async stop() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
