import type { Cluster, Redis } from 'ioredis';

/** The client the user passes: a standalone `Redis` or a `Cluster` from ioredis 5 or 6. */
export type RedisClient = Redis | Cluster;

/**
 * A new connection with the same options (standalone or cluster): for blocking reads and
 * subscriptions, which must not share the connection of ordinary commands.
 */
export function duplicateClient(client: RedisClient): RedisClient {
  // Both classes have `duplicate()`; their signatures differ only in optional overrides.
  return (client as { duplicate(): RedisClient }).duplicate();
}

/** True for an ioredis `Cluster` (duck-typed: `instanceof` fails across copies of ioredis). */
export function isCluster(client: RedisClient): client is Cluster {
  return typeof (client as { nodes?: unknown }).nodes === 'function';
}

/**
 * The connection to publish through. On a cluster, ioredis sends keyless commands such as
 * PUBLISH to any node, and messages entering through different nodes can overtake each other on
 * their way to a subscriber: publishing through one node keeps each publisher's order. The node is
 * the first master by address, so every publisher picks the same one while the topology holds.
 * A cluster client that has not connected yet knows no node: it is waited for (a PING through the
 * cluster resolves once it is ready), within the caller's time bound.
 */
export async function publishConnection(client: RedisClient): Promise<Redis> {
  if (!isCluster(client)) return client;
  if (client.nodes('master').length === 0) await client.ping();
  const masters = client.nodes('master');
  const address = (node: Redis) => `${node.options.host}:${node.options.port}`;
  const [first] = [...masters].sort((a, b) => address(a).localeCompare(address(b)));
  // Stryker disable next-line all: unreachable after the PING, a ready cluster client knows its masters (a guard for a cluster that lost them all)
  if (!first) throw new Error('the cluster client knows no master node yet');
  return first;
}
