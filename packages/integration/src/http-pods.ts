// Handlers served as "pods" in this process: each on its own loopback HTTP server, behind the
// round-robin balancer with no affinity. For tests of handlers that are not the router's test pods
// (SDK v2's createMcpHandler, the dual-era handler): what one pod of a real deployment would run.
import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRoundRobinBalancer } from '@mcp-session-store/testing';

/** What a pod's HTTP server calls for each request. */
export type NodeRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Pods behind a balancer. */
export interface HttpPods {
  /** The MCP endpoint through the balancer. */
  readonly url: string;
  /** Each pod's own base URL (`http://127.0.0.1:<port>`), bypassing the balancer. */
  readonly podUrls: readonly string[];
  /** Stops the balancer, then each pod's HTTP server (their handlers are the caller's to close). */
  stop(): Promise<void>;
}

/**
 * Serves each handler on its own HTTP server on 127.0.0.1 and puts a round-robin balancer in front.
 *
 * @example
 * ```ts
 * const pods = await serveBehindBalancer(handlers.map((h) => toNodeHandler(h) as NodeRequestHandler));
 * // ... clients on pods.url ...
 * await pods.stop();
 * await Promise.all(handlers.map((h) => h.close()));
 * ```
 */
export async function serveBehindBalancer(handlers: readonly NodeRequestHandler[]): Promise<HttpPods> {
  const servers: HttpServer[] = [];
  const urls: string[] = [];
  for (const handler of handlers) {
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
  const balancer = await startRoundRobinBalancer(urls);
  return {
    url: `${balancer.url}/mcp`,
    podUrls: urls,
    async stop() {
      await balancer.stop();
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
