// One pod process for the multi-process tests (and a template for a real deployment): a router
// over the backend STORE names (Redis by default; see @mcp-session-store/env-backend) on PORT,
// serving the test server of SDK_MAJOR (1 or 2, default 1); with POD_ERAS=both (SDK 2), both
// protocol eras from one endpoint (createMcpDualEraHandler). createGracefulShutdown answers
// /healthz and /readyz for the balancer and drains on SIGTERM after SHUTDOWN_GRACE_MS.
import { createServer } from 'node:http';
import { createGracefulShutdown } from '@mcp-session-store/core';
import { backendFromEnv } from '@mcp-session-store/env-backend';
import { createDualEraTestHandler, createTestRouter, sdkMajorFromEnv } from './sdk-major.js';

const pod = process.env.POD_NAME ?? 'pod';
const port = Number(process.env.PORT ?? 3000);
const backend = await backendFromEnv(process.env, { keyPrefix: 'mcp:session:', idleTtlMs: 10 * 60_000 });
const sdk = sdkMajorFromEnv();
const eras = process.env.POD_ERAS ?? '2025';
if (eras !== '2025' && !(eras === 'both' && sdk === 2)) {
  throw new Error(`POD_ERAS must be 2025, or both with SDK_MAJOR=2, not '${eras}'`);
}

const options = {
  store: backend.store,
  eventStore: backend.eventStore,
  bus: backend.bus,
  processId: pod,
  principal: ({ request }: { request: Request }) => request.headers.get('x-user'),
  // Error messages may quote client input (a header value): escaped and bounded, never raw.
  hooks: {
    onError: (error: unknown, context: { operation: string }) =>
      console.error(`[${pod}] ${context.operation}: ${JSON.stringify(String(error).slice(0, 300))}`),
  },
};
const router = eras === 'both' ? createDualEraTestHandler(pod, options) : createTestRouter(sdk, pod, options);

const server = createServer((req, res) => {
  if (req.url?.startsWith('/mcp')) {
    void router.handle(req, res);
    return;
  }
  // Test pods only (a real deployment would authenticate this): end a principal's sessions.
  const end = /^\/admin\/end-sessions\?principal=([\w-]+)$/.exec(req.url ?? '');
  if (end && req.method === 'POST' && process.env.TEST_ADMIN === '1') {
    router.endSessionsOf(end[1]!).then(
      (ended) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ended })),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
    return;
  }
  res.writeHead(404).end();
});

server.listen(port, process.env.HOST ?? '127.0.0.1', () => console.log(`${pod} listening on ${port}`));

createGracefulShutdown({
  server,
  handler: router,
  // 0 by default: startPodCluster takes a pod out of its balancer before signalling it, unless it
  // runs with readiness probes, as Kubernetes does (rolling-restart.test.ts sets a grace period).
  graceMs: Number(process.env.SHUTDOWN_GRACE_MS ?? 0),
  onClosed: () => backend.disconnect(),
  log: (line) => console.log(`[${pod}] ${line}`),
});
