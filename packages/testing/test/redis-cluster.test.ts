import { existsSync } from 'node:fs';
import { type RedisClusterHandle, sendRedisCommand, startRedisCluster } from '../src/index.js';

function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

describe('startRedisCluster', () => {
  let cluster: RedisClusterHandle | undefined;

  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('starts a 3-master cluster with every slot assigned', async () => {
    cluster = await startRedisCluster();
    expect(cluster.nodes).toHaveLength(3);
    expect(new Set(cluster.nodes.map((node) => node.port)).size).toBe(3);
    for (const node of cluster.nodes) {
      expect(node.host).toBe('127.0.0.1');
      const info = String(await sendRedisCommand(node, ['CLUSTER', 'INFO']));
      expect(field(info, 'cluster_state')).toBe('ok');
      expect(field(info, 'cluster_known_nodes')).toBe('3');
      expect(field(info, 'cluster_slots_assigned')).toBe('16384');
      expect(field(info, 'cluster_size')).toBe('3');
    }
    // Nodes announce 127.0.0.1, so clients following MOVED redirects reach them.
    const nodesText = String(await sendRedisCommand(cluster.nodes[0]!, ['CLUSTER', 'NODES']));
    for (const node of cluster.nodes) expect(nodesText).toContain(`127.0.0.1:${node.port}@`);

    const dirs = cluster.servers.map((server) => server.dir!);
    await cluster.stop();
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  }, 20_000);

  it('rejects fewer than 3 masters', async () => {
    await expect(startRedisCluster({ masters: 2 })).rejects.toThrow(/masters must be an integer >= 3/);
  });
});
