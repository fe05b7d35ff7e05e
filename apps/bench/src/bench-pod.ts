// One pod of the benchmarks, as its own process (started by startPodCluster): the bench server as
// VARIANT says (pod-handlers-v1.ts, pod-handlers-v2.ts) over STORE, ours with the `telemetry`
// option TELEMETRY says (pod-telemetry.ts; no OpenTelemetry SDK is ever registered here). Listens
// on 127.0.0.1:$PORT and answers, besides /mcp: /healthz; /cpu, its CPU time so far; /memory, its
// heap and external memory after a full GC; POST /notify, a tool list change announced through the
// variant's notify; and /profile?ms=N, where its CPU time went over the next N ms. Exits on SIGTERM.
import { createServer } from 'node:http';
import { POD_NAME, type PodHandler, required } from './pod-env.js';
import { profileFor } from './pod-profile.js';

// Loaded on demand: a pod imports one SDK major and, through STORE, one backend's driver, so a
// dozen pods starting at once on a small machine load no more than they serve.
const VARIANTS: Record<string, () => Promise<PodHandler>> = {
  stock: async () => (await import('./pod-handlers-v1.js')).stockV1Handler(),
  router: async () => (await import('./pod-handlers-v1.js')).routerV1Handler(),
  'stock-v2': async () => (await import('./pod-handlers-v2.js')).stockV2Handler(),
  'router-v2': async () => (await import('./pod-handlers-v2.js')).routerV2Handler(),
  'stock-modern': async () => (await import('./pod-handlers-v2.js')).stockModernHandler(),
  'dual-era': async () => (await import('./pod-handlers-v2.js')).dualEraHandler(),
};

const port = Number(process.env.PORT ?? 0);
const variant = required('VARIANT');
const build = VARIANTS[variant];
if (!build) throw new Error(`${POD_NAME}: unknown VARIANT '${variant}'`);
const mcp = await build();

const gc = (globalThis as { gc?: () => void }).gc;
const json = (value: unknown) => JSON.stringify(value);

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://pod');
  const reply = (status: number, body: string) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  if (url.pathname === '/healthz') res.writeHead(200).end('ok');
  // CPU time so far (µs): the bench divides it by requests, a figure that other load on the
  // machine slows down far less than throughput.
  else if (url.pathname === '/cpu') reply(200, json(process.cpuUsage()));
  else if (url.pathname === '/memory') {
    if (!gc) return void reply(500, json({ error: 'run the pod with --expose-gc' }));
    // Twice, a turn of the event loop apart: finalizers and weak references get to run.
    gc();
    setImmediate(() => {
      gc();
      const { heapUsed, external, rss } = process.memoryUsage();
      reply(200, json({ heapUsed, external, rss }));
    });
  } else if (url.pathname === '/notify' && req.method === 'POST') {
    if (!mcp.notifyToolsChanged) return void reply(404, json({ error: `${variant} has no notify` }));
    mcp.notifyToolsChanged();
    reply(200, '{}');
  } else if (url.pathname === '/profile') {
    profileFor(Number(url.searchParams.get('ms') ?? 1_000)).then(
      (summary) => reply(200, json(summary)),
      (error: unknown) => reply(500, json({ error: String(error) })),
    );
  } else if (url.pathname.startsWith('/mcp')) void mcp.handle(req, res);
  else res.writeHead(404).end();
});
server.listen(port, '127.0.0.1');

let stopping = false;
const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
  if (stopping) return;
  stopping = true;
  // Said, so that a pod stopped from outside the bench (not by its cluster) shows in the bench's log.
  console.error(`${POD_NAME}: ${signal}, stopping`);
  server.close();
  server.closeAllConnections();
  await mcp.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
