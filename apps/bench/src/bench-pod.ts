// One pod of the throughput benchmark, as its own process (started by startPodCluster): the bench
// server on the stock SDK (VARIANT=stock) or behind our router (VARIANT=router) over STORE.
// Listens on 127.0.0.1:$PORT, answers /healthz and /cpu, exits on SIGTERM.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import { createMcpSessionRouter } from '@mcp-session-store/core/router';
import {
  MemoryBackend,
  MemoryEventStore,
  MemoryMessageBus,
  MemorySessionStore,
} from '@mcp-session-store/memory';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { type Adapters, adaptersFor, SHARED_BACKENDS, type SharedBackend } from './backends.js';
import { createBenchServer } from './bench-server.js';
import type { BenchContext } from './context.js';

const pod = process.env.POD_NAME ?? 'pod';
const port = Number(process.env.PORT ?? 0);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${pod}: ${name} is not set`);
  return value;
}

/** Reads a JSON body (the stock transport takes it pre-parsed). */
async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** The SDK documentation's way: one transport per session, kept in a Map of this process. */
function stockHandler(): { handle: RequestListener; close(): Promise<void> } {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const handle: RequestListener = async (req, res) => {
    try {
      const body = req.method === 'POST' ? await jsonBody(req) : undefined;
      const sessionId = req.headers['mcp-session-id'];
      if (typeof sessionId === 'string') {
        const transport = transports.get(sessionId);
        if (!transport) return void res.writeHead(404).end();
        return void (await transport.handleRequest(req, res, body));
      }
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void transports.set(id, transport),
      });
      await createBenchServer().connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (error) {
      console.error(`${pod} stock: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end(String(error));
    }
  };
  return {
    handle,
    async close() {
      await Promise.allSettled([...transports.values()].map((t) => t.close()));
    },
  };
}

/** Adapters on a shared backend, or process memory (correct for one pod only). */
async function adapters(store: string): Promise<Adapters> {
  if (store === 'memory') {
    const backend = new MemoryBackend();
    return {
      store: new MemorySessionStore({ backend }),
      eventStore: new MemoryEventStore({ backend }),
      bus: new MemoryMessageBus({ backend }),
      driver: {},
      async close() {},
    };
  }
  if (!(SHARED_BACKENDS as readonly string[]).includes(store)) throw new Error(`unknown STORE '${store}'`);
  // adaptersFor only reads the backends' addresses from the context.
  const ctx: BenchContext = {
    quick: false,
    redisUrl: process.env.REDIS_URL ?? '',
    databaseUrl: process.env.DATABASE_URL ?? '',
    dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT ?? '',
    log: () => {},
  };
  return adaptersFor(ctx, store as SharedBackend, required('NAMESPACE'));
}

/**
 * Our router over STORE, with the event store too, as a real deployment would run it; EVENTS=0
 * leaves it out, to compare like for like with a stock server that keeps none.
 */
async function routerHandler(): Promise<{ handle: RequestListener; close(): Promise<void> }> {
  const backend = await adapters(required('STORE'));
  const router = createMcpSessionRouter({
    store: backend.store,
    ...(process.env.EVENTS !== '0' && { eventStore: backend.eventStore }),
    bus: backend.bus,
    processId: pod,
    createServer: () => createBenchServer(),
    keepAliveMs: 0,
    hooks: {
      onError: (error, { operation }) => console.error(`${pod} ${operation}: ${String(error)}`),
    },
  });
  return {
    handle: (req, res) => void router.handle(req, res),
    async close() {
      await router.close({ deadlineMs: 1_000 });
      await backend.close();
    },
  };
}

const variant = required('VARIANT');
if (variant !== 'stock' && variant !== 'router') throw new Error(`unknown VARIANT '${variant}'`);
const mcp = variant === 'stock' ? stockHandler() : await routerHandler();

const server = createServer((req, res) => {
  if (req.url === '/healthz') res.writeHead(200).end('ok');
  // This process's CPU time so far (µs): the bench divides it by requests, a figure that other
  // load on the machine slows down far less than throughput.
  else if (req.url === '/cpu')
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(process.cpuUsage()));
  else if (req.url?.startsWith('/mcp')) void mcp.handle(req, res);
  else res.writeHead(404).end();
});
server.listen(port, '127.0.0.1');

let stopping = false;
const shutdown = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  await mcp.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
