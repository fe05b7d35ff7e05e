// One pod process for the multi-process tests (and a template for a real deployment): a router
// over the backend STORE names (Redis by default; see @mcp-session-store/env-backend) on PORT,
// serving the test server of SDK_MAJOR (1 or 2, default 1), with /healthz for the balancer.
import { createServer } from 'node:http';
import { backendFromEnv } from '@mcp-session-store/env-backend';
import { createTestRouter, sdkMajorFromEnv } from './sdk-major.js';

const pod = process.env.POD_NAME ?? 'pod';
const port = Number(process.env.PORT ?? 3000);
const backend = await backendFromEnv(process.env, { keyPrefix: 'mcp:session:', idleTtlMs: 10 * 60_000 });

const router = createTestRouter(sdkMajorFromEnv(), pod, {
  store: backend.store,
  eventStore: backend.eventStore,
  bus: backend.bus,
  processId: pod,
  principal: ({ request }) => request.headers.get('x-user'),
  // Error messages may quote client input (a header value): escaped and bounded, never raw.
  hooks: {
    onError: (error, context) =>
      console.error(`[${pod}] ${context.operation}: ${JSON.stringify(String(error).slice(0, 300))}`),
  },
});

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200).end('ok');
    return;
  }
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

const shutdown = async () => {
  server.close();
  await router.close({ deadlineMs: 3_000 });
  await backend.disconnect();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
