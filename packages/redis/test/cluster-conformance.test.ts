// The five shared suites against a real 3-master Redis Cluster started for this file: every
// multi-key script must stay within one slot (no CROSSSLOT), pub/sub must cross nodes, and claims
// (single keys) spread over every node.
import {
  claimStoreSuite,
  eventStoreSuite,
  messageBusSuite,
  sessionStoreSuite,
  stateHandleSuite,
} from '@mcp-session-store/core/conformance';
import { type RedisClusterHandle, startRedisCluster } from '@mcp-session-store/testing';
import { Cluster } from 'ioredis';
import { createFactory } from '../examples/conformance-factory.mjs';
import { RedisKeys } from '../src/index.js';

let cluster: RedisClusterHandle;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

const factory = createFactory(
  () => new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: 1 } }),
  'a local 3-master Redis Cluster',
);

sessionStoreSuite({ describe, it }, factory, { name: 'redis cluster: SessionStore conformance' });
stateHandleSuite({ describe, it }, factory, { name: 'redis cluster: state handles' });
eventStoreSuite({ describe, it }, factory, { name: 'redis cluster: EventStore conformance' });
messageBusSuite({ describe, it }, factory, { name: 'redis cluster: MessageBus conformance' });
claimStoreSuite({ describe, it }, factory, { name: 'redis cluster: ClaimStore conformance' });

test('all keys of one session hash to one slot, whatever characters the id holds', async () => {
  const client = new Cluster(cluster.nodes);
  const keys = new RedisKeys('mcp:session:');
  try {
    for (const id of ['plain', '}starts-with-brace', 'a{b}c', '{}', '%7b', 'x}{y']) {
      const sessionKeys = [
        keys.session(id),
        keys.events(id),
        keys.stream(id, '_GET_stream'),
        keys.stream(id, '{x}'),
      ];
      const slots = await Promise.all(sessionKeys.map((key) => client.call('CLUSTER', 'KEYSLOT', key)));
      expect({ id, slots: new Set(slots).size }).toEqual({ id, slots: 1 });
    }
    // Escaping is injective: a raw id never collides with another id's escaped form.
    expect(keys.session('a{b}c')).not.toBe(keys.session('a%7bb%7dc'));
  } finally {
    client.disconnect();
  }
});
