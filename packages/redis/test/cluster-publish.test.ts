// The bus on a Redis Cluster (a 3-master cluster started for this file): every publish enters
// through one node, the first master by address, whichever client sends it (messages entering
// through different nodes could overtake each other on their way to a subscriber), read back from
// each node's command counts; and a client's first publish, before it has connected, is sent.

import type { JsonValue } from '@mcp-session-store/core';
import { type RedisClusterHandle, startRedisCluster } from '@mcp-session-store/testing';
import { Cluster, Redis } from 'ioredis';
import { RedisMessageBus } from '../src/index.js';

let cluster: RedisClusterHandle;
const clients: Array<Redis | Cluster> = [];

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await cluster?.stop();
});

function connect(rootNodes = cluster.nodes): Cluster {
  const client = new Cluster(rootNodes, { redisOptions: { maxRetriesPerRequest: 1 } });
  client.on('error', () => {});
  clients.push(client);
  return client;
}

/** Calls of `command` each node has run, by `host:port`. */
async function callsByNode(command: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const node of cluster.nodes) {
    const direct = new Redis({ host: node.host, port: node.port });
    clients.push(direct);
    const stats = await direct.info('commandstats');
    counts[`${node.host}:${node.port}`] = Number(
      new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0,
    );
  }
  return counts;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);

test('publishes go through the first master by address, from every client', async () => {
  const [before, pingsBefore] = [await callsByNode('publish'), await callsByNode('ping')];
  // Two clients that were given the nodes in opposite orders.
  for (const rootNodes of [cluster.nodes, [...cluster.nodes].reverse()]) {
    const bus = new RedisMessageBus({ redis: connect(rootNodes), keyPrefix: 'cluster-publish:' });
    for (let i = 0; i < 10; i++) await bus.publish('ordered', { i });
    await bus.close();
  }
  const after = await callsByNode('publish');
  // Waiting for a new client costs one PING, not one per publish.
  expect(total(await callsByNode('ping')) - total(pingsBefore)).toBeLessThanOrEqual(2);
  const first = [...cluster.nodes]
    .map((node) => `${node.host}:${node.port}`)
    .sort((a, b) => a.localeCompare(b))[0]!;
  const added = Object.fromEntries(Object.keys(after).map((node) => [node, after[node]! - before[node]!]));
  expect(added).toEqual(
    Object.fromEntries(Object.keys(after).map((node) => [node, node === first ? 20 : 0])),
  );
});

test("a client's first publish, before it has connected, is sent once it has", async () => {
  const received: JsonValue[] = [];
  const subscriber = new RedisMessageBus({ redis: connect(), keyPrefix: 'cluster-first:' });
  await subscriber.subscribe('inbox', (message) => void received.push(message));
  const publisher = new RedisMessageBus({ redis: connect(), keyPrefix: 'cluster-first:' });
  await publisher.publish('inbox', 'first');
  const deadline = Date.now() + 15_000;
  while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(received).toEqual(['first']);
  await Promise.all([subscriber.close(), publisher.close()]);
});
