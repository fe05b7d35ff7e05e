// The observability hooks fire for what they promise, with ids a caller can redact.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startInProcessCluster } from '../src/in-process-cluster.js';

test('created, rehydrated, deleted and store latency hooks fire', async () => {
  const events: string[] = [];
  const operations = new Set<string>();
  const cluster = await startInProcessCluster({
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
    const client = new Client({ name: 'hooks', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(cluster.url), {
      requestInit: { headers: { 'x-user': 'alice' } },
    });
    await client.connect(transport);
    for (let i = 0; i < 3; i++) await client.callTool({ name: 'whoami' });
    await transport.terminateSession();
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
