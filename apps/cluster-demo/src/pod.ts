// One pod of the demo cluster: the router over the chosen backend, serving the example server, with
// /healthz for the balancer. Started by main.ts as its own process (PORT, POD_NAME, STORE, URLs).
import { createServer } from 'node:http';
import { redactSessionId } from '@mcp-session-store/core';
import { createMcpSessionRouter, LOCALHOST_HOSTS } from '@mcp-session-store/core/router';
import { backendFromEnv } from '@mcp-session-store/env-backend';
import { createExampleServer } from './example-server.js';

const pod = process.env.POD_NAME ?? 'pod';
const port = Number(process.env.PORT ?? 3000);
// STORE, KEY_PREFIX and the backend's address come from main.ts (see cluster.ts).
const { store, eventStore, bus, disconnect } = await backendFromEnv(process.env, { keyPrefix: 'mcp:demo:' });

const router = createMcpSessionRouter({
  store,
  eventStore,
  bus,
  processId: pod,
  createServer: ({ sessionId }) => createExampleServer({ pod, sessionId, store }),
  // Clients reconnect a stream closed mid-call (SEP-1699) after this long.
  retryIntervalMs: 500,
  // Each live session holds its own McpServer (this one registers the conformance suite's ~40
  // tools, resources and prompts: ~100 KiB). Any pod can bring a session back from the store in a
  // few ms, so pods let go of idle ones after a minute and keep at most 2 000: memory stays bounded
  // however many clients abandon their sessions without a DELETE.
  localIdleMs: 60_000,
  maxLocalSessions: 2_000,
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

const server = createServer((req, res) => {
  if (req.url === '/healthz') res.writeHead(200).end('ok');
  else if (req.url?.startsWith('/mcp')) void router.handle(req, res);
  else res.writeHead(404).end();
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
