// One pod of the demo cluster: the router over the chosen backend, serving the example server on the
// chosen SDK major (DEMO_SDK, see pod-router.ts); /readyz and /healthz for the balancer, and a drain
// on SIGTERM that loses nothing (createGracefulShutdown). Started by main.ts as its own process
// (PORT, POD_NAME, STORE, URLs); with DEMO_TELEMETRY=1 (`--serve`), OpenTelemetry metrics and traces
// (pod-telemetry.ts).
import { createServer } from 'node:http';
import { createGracefulShutdown } from '@mcp-session-store/core';
import { backendFromEnv } from '@mcp-session-store/env-backend';
import { createMemoryProbe } from './memory-probe.js';
import { POD_HEADER } from './pod-header.js';
import { createPodRouter } from './pod-router.js';
import { podSettingsFromEnv } from './pod-settings.js';

const pod = process.env.POD_NAME ?? 'pod';
const port = Number(process.env.PORT ?? 3000);
// STORE, KEY_PREFIX and the backend's address come from main.ts (see cluster.ts).
const backend = await backendFromEnv(process.env, { keyPrefix: 'mcp:demo:' });
// The SDK major, how long idle sessions are kept, and how many (see pod-settings.ts).
const settings = podSettingsFromEnv(process.env);
// Before the router: it binds to the meter provider registered when it is created. Loaded only when
// asked for, so the scenario runs load no OpenTelemetry SDK.
const telemetry = settings.telemetry
  ? await (await import('./pod-telemetry.js')).startPodTelemetry(pod, settings)
  : undefined;
if (telemetry) console.log(`${pod} metrics: ${telemetry.metricsUrl}`);
const router = await createPodRouter(pod, backend, settings);

// The soak's self-test only: memory retained for every request, so its criterion has a leak to catch.
const injectedLeak: Buffer[] = [];

const probeMemory = settings.memoryProbe ? createMemoryProbe() : undefined;

const server = createServer((req, res) => {
  if (req.url === '/debug/memory' && probeMemory) {
    void probeMemory().then((memory) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(memory)),
    );
  } else if (req.url?.startsWith('/mcp')) {
    // Filled, not zeroed: untouched pages of a zeroed allocation would not count in the RSS.
    if (settings.injectedLeakBytesPerRequest > 0) {
      injectedLeak.push(Buffer.alloc(settings.injectedLeakBytesPerRequest, 1));
    }
    res.setHeader(POD_HEADER, pod);
    // The router's own node:http adapter, on both SDK majors, rather than v2's `toNodeHandler`: it
    // ends a response the moment its client goes away, where toNodeHandler notices only when it
    // next writes, so a GET stream the client closed would stay open here until the next keep-alive.
    void router.handle(req, res);
  } else res.writeHead(404).end();
});
server.listen(port, '127.0.0.1', () => console.log(`${pod} listening on ${port}`));

// On SIGTERM: /readyz answers 503 while the pod keeps serving for the grace period (the demo's
// balancer probes it every 100 ms), then streams end with a reconnect hint, in-flight calls
// finish, and the pod exits.
createGracefulShutdown({
  server,
  handler: router,
  graceMs: settings.shutdownGraceMs,
  onClosed: async () => {
    await backend.disconnect();
    await telemetry?.shutdown();
  },
  log: (line) => console.log(`${pod} ${line}`),
});
