// The bus delivers at most once. A process that missed a deletion or a log level must not act on
// stale state for longer than `revalidateAfterMs`: it reads the record again and catches up.
import type { JsonValue, MessageBus } from '@mcp-session-store/core';
import { messagesOf, readEvents } from '@mcp-session-store/testing';
import { type Pod, startInProcessCluster } from '../src/in-process-cluster.js';
import { HEADERS, initialize, rpc } from '../src/raw-mcp.js';
import { SDK_MAJORS } from '../src/sdk-major.js';

const REVALIDATE_AFTER_MS = 300;

/** A bus that loses every router message of the given type (as a subscriber reconnecting would). */
function losing(type: string) {
  return (bus: MessageBus): MessageBus => ({
    capabilities: bus.capabilities,
    subscribe: (channel, handler) => bus.subscribe(channel, handler),
    close: () => bus.close(),
    publish: (channel, payload: JsonValue) =>
      (payload as { type?: string } | null)?.type === type
        ? Promise.resolve()
        : bus.publish(channel, payload),
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(pod: Pod, sessionId: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${pod.url}/mcp`, {
    method: 'POST',
    headers: { ...HEADERS, 'mcp-session-id': sessionId },
    body,
  });
  return { status: res.status, text: await res.text() };
}

describe.each(SDK_MAJORS)('SDK %i', (sdk) => {
  test('a deletion whose bus message was lost reaches the other process within revalidateAfterMs', async () => {
    const reported: string[] = [];
    const cluster = await startInProcessCluster({
      sdk,
      pods: 2,
      wrapBus: losing('session-deleted'),
      router: {
        revalidateAfterMs: REVALIDATE_AFTER_MS,
        // B never confirms (it never heard): DELETE is answered after this, and says so.
        deleteConfirmTimeoutMs: 200,
        hooks: { onError: (_error, { operation }) => void reported.push(operation) },
      },
    });
    try {
      const [a, b] = cluster.pods as [Pod, Pod];
      const sessionId = await initialize(`${a.url}/mcp`);
      // B holds the session too.
      expect((await post(b, sessionId, rpc(1, 'tools/call', { name: 'whoami' }))).text).toMatch(/pod-1/);
      expect(b.router.localSessionCount).toBe(1);

      const deleted = await fetch(`${a.url}/mcp`, {
        method: 'DELETE',
        headers: { ...HEADERS, 'mcp-session-id': sessionId },
      });
      expect(deleted.status).toBe(200);
      expect(reported).toContain('delete confirmation');
      await sleep(REVALIDATE_AFTER_MS + 50);
      // B never heard of the deletion; it checks the store before serving the session again.
      const after = await post(b, sessionId, rpc(2, 'tools/call', { name: 'whoami' }));
      expect(after.status).toBe(404);
      expect(b.router.localSessionCount).toBe(0);
    } finally {
      await cluster.stop();
    }
  });

  test('a log level whose bus message was lost reaches the other process within revalidateAfterMs', async () => {
    const cluster = await startInProcessCluster({
      sdk,
      pods: 2,
      wrapBus: losing('log-level'),
      router: { revalidateAfterMs: REVALIDATE_AFTER_MS },
    });
    try {
      const [a, b] = cluster.pods as [Pod, Pod];
      const sessionId = await initialize(`${a.url}/mcp`);
      // The session's GET stream, where `debug-log` and `announce` (not subject to levels) arrive.
      const stream = await fetch(`${b.url}/mcp`, {
        headers: { ...HEADERS, accept: 'text/event-stream', 'mcp-session-id': sessionId },
      });
      expect(stream.status).toBe(200);
      expect((await post(b, sessionId, rpc(1, 'tools/call', { name: 'debug-log' }))).status).toBe(200);

      expect((await post(a, sessionId, rpc(2, 'logging/setLevel', { level: 'error' }))).status).toBe(200);
      await sleep(REVALIDATE_AFTER_MS + 50);
      // B read the record again and applied the stored level: this debug log is filtered out.
      expect((await post(b, sessionId, rpc(3, 'tools/call', { name: 'debug-log' }))).status).toBe(200);
      expect((await post(b, sessionId, rpc(4, 'tools/call', { name: 'announce' }))).status).toBe(200);

      const events = await readEvents(stream, (seen) =>
        messagesOf(seen).some((m) => m.method === 'notifications/resources/updated'),
      );
      const methods = messagesOf(events).map(
        (m) => `${m.method}${m.params?.data ? `:${m.params.data}` : ''}`,
      );
      expect(methods).toEqual(['notifications/message:debug from pod-1', 'notifications/resources/updated']);
    } finally {
      await cluster.stop();
    }
  });
});
