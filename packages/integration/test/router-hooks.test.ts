// The observability hooks fire for what they promise, with ids a caller can redact.
import { startInProcessCluster } from '../src/in-process-cluster.js';
import { SDK_MAJORS } from '../src/sdk-major.js';
import { connectTestClient } from '../src/test-client.js';

describe.each(SDK_MAJORS)('SDK %i', (sdk) => {
  test('created, rehydrated, deleted and store latency hooks fire', async () => {
    const events: string[] = [];
    const operations = new Set<string>();
    const cluster = await startInProcessCluster({
      sdk,
      router: {
        hooks: {
          onSessionCreated: ({ principal }) => void events.push(`created:${principal}`),
          onSessionRehydrated: ({ durationMs }) => void events.push(`rehydrated:${durationMs >= 0}`),
          onSessionDeleted: () => void events.push('deleted'),
          onStoreLatency: ({ operation, durationMs }) => {
            if (durationMs >= 0) operations.add(operation);
          },
        },
      },
    });
    try {
      const client = await connectTestClient(sdk, cluster.url);
      for (let i = 0; i < 3; i++) await client.callTool('whoami');
      await client.terminateSession();
      await client.close();
      expect(events[0]).toBe('created:alice');
      // The other two pods brought the session back, then one deleted it.
      expect(events.filter((e) => e === 'rehydrated:true')).toHaveLength(2);
      expect(events.at(-1)).toBe('deleted');
      expect([...operations].sort()).toEqual(['create', 'delete', 'get']);
    } finally {
      await cluster.stop();
    }
  });
});
