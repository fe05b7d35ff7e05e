// Resumable streams across pods, with raw HTTP (the SDK client resumes on its own pace; here the
// test controls exactly when the stream breaks and where it resumes).

import { messagesOf, readEvents } from '@mcp-session-store/testing';
import { type InProcessCluster, startInProcessCluster } from '../src/in-process-cluster.js';
import { HEADERS, initialize, rpc } from '../src/raw-mcp.js';
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

  test('a stream lost right after its priming event resumes on another pod from that id: every event, once', async () => {
    const [a, b] = [cluster.pods[0]!, cluster.pods[1]!];
    const sessionId = await initialize(`${a.url}/mcp`);
    const call = await fetch(`${a.url}/mcp`, {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-session-id': sessionId },
      body: rpc(8, 'tools/call', {
        name: 'count',
        arguments: { steps: 6, delayMs: 40 },
        _meta: { progressToken: 'p8' },
      }),
    });
    expect(call.status).toBe(200);
    // Only the priming event (an id, no data), then the connection is lost.
    const primed = await readEvents(call, (events) => events.length >= 1);
    expect(primed).toHaveLength(1);
    expect(primed[0]!.data.trim()).toBe('');
    const primingId = primed[0]!.id!;

    const resumed = await fetch(`${b.url}/mcp`, {
      headers: { ...HEADERS, 'mcp-session-id': sessionId, 'last-event-id': primingId },
    });
    expect(resumed.status).toBe(200);
    const rest = await readEvents(resumed, (events) => messagesOf(events).some((m) => m.id === 8));
    const all = messagesOf(rest);
    expect(all.filter((m) => m.method === 'notifications/progress').map((m) => m.params.progress)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    expect(all.filter((m) => m.method === 'notifications/message')).toHaveLength(6);
    expect(all.filter((m) => m.id === 8)).toHaveLength(1);
    const ids = rest.map((e) => e.id).filter((id) => id !== undefined);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain(primingId);
  });

  test('a new GET stream sends only what comes after it opened; resuming it from its first id sends what it missed', async () => {
    const [a, b, c] = [cluster.pods[0]!, cluster.pods[1]!, cluster.pods[2]!];
    const sessionId = await initialize(`${a.url}/mcp`);
    const announce = async (seq: number) => {
      const res = await fetch(`${a.url}/mcp`, {
        method: 'POST',
        headers: { ...HEADERS, 'mcp-session-id': sessionId },
        body: rpc(100 + seq, 'tools/call', { name: 'announce-numbered', arguments: { seq } }),
      });
      await res.text();
    };
    const seqsOf = (events: Parameters<typeof messagesOf>[0]) =>
      messagesOf(events)
        .filter((m) => m.method === 'notifications/resources/updated')
        .map((m) => Number(new URL(m.params.uri).searchParams.get('seq')));
    // Sent while no GET stream is open: stored on the GET stream, for whoever resumes it.
    await announce(1);
    const get = await fetch(`${b.url}/mcp`, { headers: { ...HEADERS, 'mcp-session-id': sessionId } });
    expect(get.status).toBe(200);
    let opened!: string;
    const live = readEvents(get, (events) => {
      opened ??= events[0]?.id as string;
      return seqsOf(events).includes(3);
    });
    await cluster.waitForStreams(1);
    await announce(2);
    await announce(3);
    const seen = await live;
    expect(seqsOf(seen)).toEqual([2, 3]); // not 1: it came before this stream opened
    expect(opened).toBeDefined();

    const resumed = await fetch(`${c.url}/mcp`, {
      headers: { ...HEADERS, 'mcp-session-id': sessionId, 'last-event-id': opened },
    });
    expect(resumed.status).toBe(200);
    expect(seqsOf(await readEvents(resumed, (events) => seqsOf(events).includes(3)))).toEqual([2, 3]);
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
