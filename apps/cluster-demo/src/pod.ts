// One pod of the demo cluster: the router over the chosen backend, serving the example server, with
// /healthz for the balancer. Started by main.ts as its own process (PORT, POD_NAME, STORE, URLs).
import { createServer } from 'node:http';
import { redactSessionId } from '@mcp-session-store/core';
import { createMcpSessionRouter, LOCALHOST_HOSTS } from '@mcp-session-store/core/router';
import { backendFromEnv } from '@mcp-session-store/env-backend';
import { createExampleServer } from './example-server.js';
import { createMemoryProbe } from './memory-probe.js';
import { podSettingsFromEnv } from './pod-settings.js';

const pod = process.env.POD_NAME ?? 'pod';
const port = Number(process.env.PORT ?? 3000);
// STORE, KEY_PREFIX and the backend's address come from main.ts (see cluster.ts).
const { store, eventStore, bus, disconnect } = await backendFromEnv(process.env, { keyPrefix: 'mcp:demo:' });
// How long idle sessions are kept, and how many (see pod-settings.ts for the defaults and why).
const settings = podSettingsFromEnv(process.env);

const router = createMcpSessionRouter({
  store,
  eventStore,
  bus,
  processId: pod,
  createServer: ({ sessionId }) => createExampleServer({ pod, sessionId, store }),
  // Clients reconnect a stream closed mid-call (SEP-1699) after this long.
  retryIntervalMs: 500,
  localIdleMs: settings.localIdleMs,
  maxLocalSessions: settings.maxLocalSessions,
  // Loopback only, no TLS, no authentication: refuse DNS-rebinding requests.
  allowedHosts: LOCALHOST_HOSTS,
  // Errors answered with 5xx or raised outside a request; session ids are redacted, and messages
  // (which may quote client input) escaped and bounded before logging.
  hooks: {
    onError: (error, { operation, sessionId }) =>
      console.error(
        `${pod} ${operation}${sessionId ? ` session ${redactSessionId(sessionId)}` : ''}: ${JSON.stringify((error instanceof Error ? error.message : String(error)).slice(0, 300))}`,
      ),
  },
});

// The soak's self-test only: memory retained for every request, so its criterion has a leak to catch.
const injectedLeak: Buffer[] = [];

const probeMemory = settings.memoryProbe ? createMemoryProbe() : undefined;

const server = createServer((req, res) => {
  if (req.url === '/healthz') res.writeHead(200).end('ok');
  else if (req.url === '/debug/memory' && probeMemory) {
    void probeMemory().then((memory) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(memory)),
    );
  } else if (req.url?.startsWith('/mcp')) {
    // Filled, not zeroed: untouched pages of a zeroed allocation would not count in the RSS.
    if (settings.injectedLeakBytesPerRequest > 0) {
      injectedLeak.push(Buffer.alloc(settings.injectedLeakBytesPerRequest, 1));
    }
    void router.handle(req, res);
  } else res.writeHead(404).end();
});
server.listen(port, '127.0.0.1', () => console.log(`${pod} listening on ${port}`));

const shutdown = async () => {
  server.close();
  await router.close({ deadlineMs: 3_000 });
  await disconnect();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
