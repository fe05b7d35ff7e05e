// Router behaviour around the edges: no event store, the local LRU, draining, session-less requests.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messagesOf, readEvents } from '@mcp-session-store/testing';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { startInProcessCluster } from '../src/in-process-cluster.js';
import { HEADERS, initialize, rpc } from '../src/raw-mcp.js';
import { answerWithoutRouter, SDK_MAJORS } from '../src/sdk-major.js';
import { connectTestClient, textOf } from '../src/test-client.js';
import { waitUntil } from './support/wait-until.js';

describe.each(SDK_MAJORS)('SDK %i', (sdk) => {
  const connect = (url: string) =>
    connectTestClient(sdk, url, { clientInfo: { name: 'lifecycle', version: '1' } });

  test('without an event store, GET-stream notifications from any pod still arrive (over the bus)', async () => {
    const cluster = await startInProcessCluster({ sdk, withEventStore: false });
    try {
      const client = await connect(cluster.url);
      const updates: string[] = [];
      client.onResourceUpdated((uri) => void updates.push(uri));
      await cluster.waitForStreams();
      for (let i = 0; i < 3; i++) await client.callTool('announce');
      await waitUntil(() => updates.length >= 3, 'three resource updates over the bus');
      expect(updates.sort()).toEqual([
        'test://updated-by/pod-0',
        'test://updated-by/pod-1',
        'test://updated-by/pod-2',
      ]);
      await client.terminateSession();
      await client.close();
    } finally {
      await cluster.stop();
    }
  });

  test('the local cache is bounded, and eviction only releases memory: evicted sessions come back', async () => {
    const cluster = await startInProcessCluster({ sdk, pods: 1, router: { maxLocalSessions: 2 } });
    try {
      const pod = cluster.pods[0]!;
      const sessions = [await connect(cluster.url), await connect(cluster.url), await connect(cluster.url)];
      await cluster.waitForStreams(3);
      // Every client holds a GET stream: busy sessions are never evicted, so the bound is exceeded.
      expect(pod.router.localSessionCount).toBe(3);
      // Close the GET streams: now the LRU can shrink to its bound on the next insert.
      for (const s of sessions) await s.close();
      await waitUntil(() => pod.router.openStreamCount === 0, 'the closed GET streams to end on the pod');
      const fourth = await connect(cluster.url);
      expect(pod.router.localSessionCount).toBeLessThanOrEqual(2);
      // An evicted session is rehydrated from the store on its next request.
      const res = await fetch(cluster.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': sessions[0]!.sessionId,
          'mcp-protocol-version': '2025-11-25',
          'x-user': 'alice',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami' } }),
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('pod-0');
      await fourth.close();
    } finally {
      await cluster.stop();
    }
  });

  test('close() drains: GET streams end with a retry hint, new sessions are served, new streams end at once with a resume point, in-flight calls finish', async () => {
    const cluster = await startInProcessCluster({ sdk, pods: 1 });
    const pod = cluster.pods[0]!;
    try {
      const client = await connect(cluster.url);
      await cluster.waitForStreams();
      const steps: string[] = [];
      client.onLog((data) => void steps.push(String(data)));
      const running = client.callTool('count', { steps: 10, delayMs: 40 });
      // Draining starts while the call runs (its first step has arrived).
      await waitUntil(() => steps.length > 0, 'the first step of the call');
      const closing = pod.router.close({ deadlineMs: 5_000 });
      await waitUntil(() => pod.router.openStreamCount === 0, 'the GET stream to end');
      // A new session is served: a refusal would be an error its client sees, and the record is in
      // the store for any other pod.
      const sessionId = await initialize(`${pod.url}/mcp`);
      // Its GET stream ends at once, with a priming event to resume from and the retry hint.
      const fresh = await fetch(`${pod.url}/mcp`, {
        headers: { ...HEADERS, accept: 'text/event-stream', 'mcp-session-id': sessionId },
      });
      expect(fresh.status).toBe(200);
      const freshText = await fresh.text();
      const resumeFrom = /^id: (\S+)\n/.exec(freshText)?.[1];
      expect(resumeFrom).toBeDefined();
      expect(freshText).toMatch(/retry: 1000\n\n$/);
      // A resumed stream that ends before any event restates where it resumed from, with the hint:
      // the client keeps its place.
      const resumed = await fetch(`${pod.url}/mcp`, {
        headers: {
          ...HEADERS,
          accept: 'text/event-stream',
          'mcp-session-id': sessionId,
          'last-event-id': resumeFrom!,
        },
      });
      expect(resumed.status).toBe(200);
      const resumedText = await resumed.text();
      expect(resumedText).toBe(`id: ${resumeFrom}\nretry: 1000\ndata: \n\n`);
      expect(textOf(await running)).toBe('pod-0:counted 10');
      await closing;
      expect(pod.router.localSessionCount).toBe(0);
      expect(pod.router.openStreamCount).toBe(0);
      await client.close();
    } finally {
      await cluster.stop();
    }
  });

  test('a session-less (2026-07-28) request goes to the SDK unchanged and creates no session', async () => {
    const cluster = await startInProcessCluster({ sdk, pods: 1 });
    try {
      const pod = cluster.pods[0]!;
      const request = () =>
        new Request(`${pod.url}/mcp`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': '2026-07-28',
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        });
      const res = await fetch(request());
      // What the SDK itself answers, on a session-less transport of its own.
      const expected = await answerWithoutRouter(sdk, request());
      expect(res.status).toBe(expected.status);
      expect(await res.text()).toBe(await expected.text());
      expect(res.headers.get('mcp-session-id')).toBeNull();
      expect(cluster.backend.state('mcp').sessions.size).toBe(0);
    } finally {
      await cluster.stop();
    }
  });

  test('a deletion arriving while a call runs on another pod: the call still gets its result, the next request 404', async () => {
    const cluster = await startInProcessCluster({ sdk, pods: 2 });
    try {
      const [a, b] = cluster.pods;
      const sessionId = await initialize(`${a!.url}/mcp`);
      const running = await fetch(`${b!.url}/mcp`, {
        method: 'POST',
        headers: { ...HEADERS, 'mcp-session-id': sessionId },
        body: rpc(7, 'tools/call', { name: 'count', arguments: { steps: 6, delayMs: 50 } }),
      });
      expect(running.status).toBe(200);
      // The call runs on B (its SSE answer has begun) while A deletes the session.
      const reading = readEvents(running, (events) => messagesOf(events).some((m) => m.id === 7));
      const deleted = await fetch(`${a!.url}/mcp`, {
        method: 'DELETE',
        headers: { ...HEADERS, 'mcp-session-id': sessionId },
      });
      expect(deleted.status).toBe(200);
      const after = await fetch(`${b!.url}/mcp`, {
        method: 'POST',
        headers: { ...HEADERS, 'mcp-session-id': sessionId },
        body: rpc(8, 'tools/list'),
      });
      expect(after.status).toBe(404);
      const result = messagesOf(await reading).find((m) => m.id === 7);
      expect(result?.result?.content?.[0]?.text).toBe('pod-1:counted 6');
    } finally {
      await cluster.stop();
    }
  });

  test("behind v2's toNodeHandler, a GET stream the client closes ends at once: the client reconnects without 409", async () => {
    const cluster = await startInProcessCluster({ sdk, pods: 1 });
    const pod = cluster.pods[0]!;
    const node = toNodeHandler(pod.router);
    const server = createServer((req, res) => void node(req as never, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
    try {
      const sessionId = await initialize(url);
      const open = (signal: AbortSignal) =>
        fetch(url, {
          headers: { ...HEADERS, accept: 'text/event-stream', 'mcp-session-id': sessionId },
          signal,
        });
      const first = new AbortController();
      expect((await open(first.signal)).status).toBe(200);
      await waitUntil(() => pod.router.openStreamCount === 1, 'the GET stream to open');
      first.abort();
      await waitUntil(() => pod.router.openStreamCount === 0, 'the closed GET stream to end on the pod');
      const second = new AbortController();
      const again = await open(second.signal);
      expect(again.status).toBe(200);
      second.abort();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cluster.stop();
    }
  });
});
