// What the balancer retries (a refused connection, nothing else), what it counts (resets before an
// answer, answers cut short, but not a client that leaves), and its health checks.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BalancerHandle, freePort, startRoundRobinBalancer } from '../src/index.js';

const servers: Server[] = [];
const balancers: BalancerHandle[] = [];

afterEach(async () => {
  for (const balancer of balancers.splice(0)) await balancer.stop();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function upstream(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function balance(...args: Parameters<typeof startRoundRobinBalancer>): Promise<BalancerHandle> {
  const balancer = await startRoundRobinBalancer(...args);
  balancers.push(balancer);
  return balancer;
}

const ok = (name: string) => upstream((_req, res) => void res.end(name));
/** Takes the request, then drops the connection without a word. */
const resetting = () => upstream((req) => void req.socket.destroy());

test('a refused connection is retried on the next upstream; nothing is counted as failed', async () => {
  const refusing = `http://127.0.0.1:${await freePort()}`;
  const balancer = await balance([refusing, await ok('a')]);
  for (let i = 0; i < 4; i++) expect(await (await fetch(balancer.url)).text()).toBe('a');
  expect(balancer.stats).toMatchObject({
    requests: 4,
    resetBeforeAnswer: 0,
    cutMidAnswer: 0,
    unavailable: 0,
  });
  expect(balancer.stats.refusedRetried).toBeGreaterThanOrEqual(2);
});

test('a connection reset before the answer is a 502, counted, and not retried elsewhere', async () => {
  const balancer = await balance([await resetting(), await ok('a')]);
  // Round robin: the first request goes to the resetting upstream, the second to the other.
  expect((await fetch(balancer.url, { method: 'POST', body: 'x' })).status).toBe(502);
  expect(await (await fetch(balancer.url)).text()).toBe('a');
  expect(balancer.stats).toMatchObject({ requests: 2, resetBeforeAnswer: 1, refusedRetried: 0 });
  expect(balancer.stats.failures).toEqual([
    expect.objectContaining({ kind: 'reset-before-answer', method: 'POST', url: '/' }),
  ]);
});

test('an answer cut short is counted; a client leaving a stream is not', async () => {
  const cutting = await upstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('half');
    setImmediate(() => res.destroy());
  });
  const streaming = await upstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': open\n\n');
  });
  const cut = await balance([cutting]);
  await expect((await fetch(cut.url)).text()).rejects.toThrow();
  expect(cut.stats).toMatchObject({ cutMidAnswer: 1, resetBeforeAnswer: 0 });

  const stream = await balance([streaming]);
  const abort = new AbortController();
  const res = await fetch(stream.url, { signal: abort.signal });
  await res.body!.getReader().read();
  abort.abort();
  // The balancer sees the client go and ends the upstream request: no failure of the upstream.
  const deadline = Date.now() + 10_000;
  while (servers[1]!.connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(stream.stats).toMatchObject({ cutMidAnswer: 0, resetBeforeAnswer: 0 });
});

test('with health checks, only upstreams passing their probe get requests', async () => {
  let bReady = false;
  const a = await upstream((req, res) => void res.end(req.url === '/ready' ? 'ok' : 'a'));
  const b = await upstream((req, res) => {
    if (req.url === '/ready') res.writeHead(bReady ? 200 : 503).end();
    else res.end('b');
  });
  const balancer = await balance([a, b], { healthCheck: { path: '/ready', intervalMs: 20 } });
  const until = async (check: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  };
  await until(() => balancer.routable().length === 1);
  expect(balancer.routable()).toEqual([a]);
  for (let i = 0; i < 3; i++) expect(await (await fetch(`${balancer.url}/x`)).text()).toBe('a');
  bReady = true;
  await until(() => balancer.routable().length === 2);
  const seen = new Set<string>();
  for (let i = 0; i < 4; i++) seen.add(await (await fetch(`${balancer.url}/x`)).text());
  expect([...seen].sort()).toEqual(['a', 'b']);
});
