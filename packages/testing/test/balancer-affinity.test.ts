// The balancer's two modes: round robin with no affinity (what the project must survive) and ideal
// session affinity (the baseline benchmarks compare against).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BalancerHandle, startRoundRobinBalancer } from '../src/index.js';

let upstreams: Server[] = [];
let balancers: BalancerHandle[] = [];

beforeAll(async () => {
  for (const name of ['a', 'b', 'c']) {
    const server = createServer((_req, res) => res.end(name));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    upstreams.push(server);
  }
});

afterAll(async () => {
  for (const balancer of balancers) await balancer.stop();
  for (const server of upstreams) await new Promise((resolve) => server.close(resolve));
  upstreams = [];
  balancers = [];
});

const targets = () => upstreams.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`);

async function served(balancer: BalancerHandle, sessionId?: string): Promise<string> {
  const res = await fetch(
    `${balancer.url}/mcp`,
    sessionId ? { headers: { 'mcp-session-id': sessionId } } : {},
  );
  return res.text();
}

test('without affinity, one session is spread over every upstream', async () => {
  const balancer = await startRoundRobinBalancer(targets());
  balancers.push(balancer);
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) seen.add(await served(balancer, 'session-1'));
  expect([...seen].sort()).toEqual(['a', 'b', 'c']);
});

test('with session affinity, each session sticks to one upstream and sessions spread', async () => {
  const balancer = await startRoundRobinBalancer(targets(), { affinity: 'session' });
  balancers.push(balancer);
  const pinned = new Set<string>();
  for (let s = 0; s < 12; s++) {
    const id = `session-${s}`;
    const first = await served(balancer, id);
    for (let i = 0; i < 3; i++) expect(await served(balancer, id)).toBe(first);
    pinned.add(first);
  }
  expect(pinned.size).toBeGreaterThan(1);
  // Requests without a session still go round robin.
  const unpinned = new Set<string>();
  for (let i = 0; i < 3; i++) unpinned.add(await served(balancer));
  expect(unpinned.size).toBe(3);
});
