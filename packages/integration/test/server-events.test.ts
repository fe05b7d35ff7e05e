// SDK v2's own 2026-07-28 handler (`createMcpHandler`) on two pods behind a round-robin balancer,
// each given core's ServerEventBus over a shared bus: a change announced on either pod reaches the
// `subscriptions/listen` stream, whichever pod holds it. With v2's default in-process bus it
// reaches only the pod that announced it: the problem this solves.
import { createServerEventBus, type SharedServerEventBus } from '@mcp-session-store/core';
import { MemoryBackend, MemoryMessageBus } from '@mcp-session-store/memory';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { type NodeRequestHandler, serveBehindBalancer } from '../src/http-pods.js';
import { waitUntil } from './support/wait-until.js';

const buildServer = () => {
  const server = new McpServer(
    { name: 'listen-test', version: '1' },
    { capabilities: { tools: { listChanged: true } } },
  );
  server.registerTool('noop', { description: 'does nothing' }, async () => ({ content: [] }));
  return server;
};

async function startPods(shared: boolean) {
  const backend = new MemoryBackend();
  const buses: SharedServerEventBus[] = [];
  const handlers = [0, 1].map(() => {
    const bus = shared ? createServerEventBus({ bus: new MemoryMessageBus({ backend }) }) : undefined;
    if (bus) buses.push(bus);
    return createMcpHandler(buildServer, { legacy: 'reject', ...(bus && { bus }) });
  });
  await Promise.all(buses.map((b) => b.ready()));
  const pods = await serveBehindBalancer(
    handlers.map((handler) => toNodeHandler(handler) as unknown as NodeRequestHandler),
  );
  return {
    url: pods.url,
    handlers,
    async stop() {
      await pods.stop();
      await Promise.all(handlers.map((h) => h.close()));
      await Promise.all(buses.map((b) => b.close()));
    },
  };
}

async function listenThroughBalancer(url: string, changes: { count: number }) {
  const client = new Client(
    { name: 'listen-client', version: '1' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  client.setNotificationHandler('notifications/tools/list_changed', () => {
    changes.count++;
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const subscription = await client.listen({ toolsListChanged: true });
  return { client, subscription };
}

test('with the shared ServerEventBus, a change announced on either pod reaches the listen stream', async () => {
  const pods = await startPods(true);
  try {
    const changes = { count: 0 };
    const { client, subscription } = await listenThroughBalancer(pods.url, changes);
    expect(subscription.honoredFilter).toMatchObject({ toolsListChanged: true });
    // One pod holds the stream; each announces a change: both arrive.
    pods.handlers[0]!.notify.toolsChanged();
    await waitUntil(() => changes.count >= 1, "pod 0's change on the listen stream");
    pods.handlers[1]!.notify.toolsChanged();
    await waitUntil(() => changes.count >= 2, "pod 1's change on the listen stream");
    await subscription.close();
    await client.close();
  } finally {
    await pods.stop();
  }
});

test("with v2's default in-process bus, the pod without the stream announces into the void", async () => {
  const pods = await startPods(false);
  try {
    const changes = { count: 0 };
    const { client, subscription } = await listenThroughBalancer(pods.url, changes);
    pods.handlers[0]!.notify.toolsChanged();
    pods.handlers[1]!.notify.toolsChanged();
    // The pod holding the stream delivers its own change; give the other one ample time.
    await waitUntil(() => changes.count >= 1, 'the holding pod to deliver its own change');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(changes.count).toBe(1);
    await subscription.close();
    await client.close();
  } finally {
    await pods.stop();
  }
});
