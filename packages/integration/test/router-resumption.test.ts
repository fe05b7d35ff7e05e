// Resumable streams across pods, with raw HTTP (the SDK client resumes on its own pace; here the
// test controls exactly when the stream breaks and where it resumes).

import { messagesOf, readEvents } from '@mcp-session-store/testing';
import { type InProcessCluster, startInProcessCluster } from '../src/in-process-cluster.js';
import { HEADERS, initialize } from '../src/raw-mcp.js';
import { SDK_MAJORS } from '../src/sdk-major.js';

describe.each(SDK_MAJORS)('SDK %i', (sdk) => {
  let cluster: InProcessCluster;

  beforeAll(async () => {
    cluster = await startInProcessCluster({ sdk });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  test('a stream broken on one pod resumes on another with every missed and later event, once', async () => {
    const [a, b] = [cluster.pods[0]!, cluster.pods[1]!];
    const sessionId = await initialize(`${a.url}/mcp`);
    // A tool call on pod A that keeps producing for a while.
    const call = await fetch(`${a.url}/mcp`, {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-session-id': sessionId },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'count', arguments: { steps: 12, delayMs: 40 }, _meta: { progressToken: 'p7' } },
      }),
    });
    expect(call.status).toBe(200);
    // Read the priming event and two progress notifications, then lose the connection.
    const first = await readEvents(call, (events) => messagesOf(events).length >= 2);
    const lastSeen = first.filter((e) => e.id !== undefined).at(-1)!.id!;

    // Resume on pod B while pod A is still producing.
    const resumed = await fetch(`${b.url}/mcp`, {
      headers: { ...HEADERS, 'mcp-session-id': sessionId, 'last-event-id': lastSeen },
    });
    expect(resumed.status).toBe(200);
    const rest = await readEvents(resumed, (events) => messagesOf(events).some((m) => m.id === 7));

    const all = [...messagesOf(first), ...messagesOf(rest)];
    const progress = all.filter((m) => m.method === 'notifications/progress').map((m) => m.params.progress);
    const logs = all.filter((m) => m.method === 'notifications/message').map((m) => m.params.data);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(logs).toEqual(Array.from({ length: 12 }, (_, i) => `step ${i + 1}`));
    const result = all.filter((m) => m.id === 7);
    expect(result).toHaveLength(1);
    expect(result[0].result.content[0].text).toBe('pod-0:counted 12');
    // Event ids never repeat across the two connections.
    const ids = [...first, ...rest].map((e) => e.id).filter((id) => id !== undefined);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('resuming with an event id of another session is refused', async () => {
    const [a, b] = [cluster.pods[0]!, cluster.pods[2]!];
    const victim = await initialize(`${a.url}/mcp`);
    const attacker = await initialize(`${b.url}/mcp`);
    const call = await fetch(`${a.url}/mcp`, {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-session-id': victim },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'count', arguments: { steps: 2, delayMs: 1 } },
      }),
    });
    const events = await readEvents(call, (e) => messagesOf(e).some((m) => m.id === 1));
    const victimEventId = events.find((e) => e.id !== undefined)!.id!;
    const res = await fetch(`${b.url}/mcp`, {
      headers: { ...HEADERS, 'mcp-session-id': attacker, 'last-event-id': victimEventId },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('step');
  });

  test('a cancellation landing on another pod stops the request where it runs', async () => {
    const [a, b] = [cluster.pods[0]!, cluster.pods[1]!];
    const sessionId = await initialize(`${a.url}/mcp`);
    const call = await fetch(`${a.url}/mcp`, {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-session-id': sessionId },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 5,
        method: 'tools/call',
        params: { name: 'count', arguments: { steps: 200, delayMs: 20 } },
      }),
    });
    const cancel = () =>
      fetch(`${b.url}/mcp`, {
        method: 'POST',
        headers: { ...HEADERS, 'mcp-session-id': sessionId },
        body: JSON.stringify({
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: 5, reason: 'test' },
        }),
      });
    const stepsOf = (events: Parameters<typeof messagesOf>[0]) =>
      messagesOf(events).filter((m) => m.method === 'notifications/message').length;
    // The full call would take 4 s and send 200 steps: cancelled once its first step has arrived,
    // then read for 6 s (or until a result, which must not come).
    let cancelled: Promise<Response> | undefined;
    const events = await readEvents(
      call,
      (seen) => {
        if (cancelled === undefined && stepsOf(seen) > 0) cancelled = cancel();
        return messagesOf(seen).some((m) => m.id === 5);
      },
      Date.now() + 6_000,
    );
    expect(cancelled).toBeDefined();
    expect((await cancelled!).status).toBe(202);
    const steps = stepsOf(events);
    // Stopped soon after the cancellation (a few steps in, well before half), on the pod that ran it.
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThan(100);
    expect(messagesOf(events).some((m) => m.id === 5 && m.result)).toBe(false);
  });
});
