// Security properties a user relies on, on both SDK majors, against three real pod processes over
// Redis behind a round-robin balancer: session ids are unguessable, a session answers only to its
// principal, event replay never crosses sessions, and no pod ever prints a session id.
import { randomBytes } from 'node:crypto';
import { isValidSessionId } from '@mcp-session-store/core';
import { messagesOf, type PodClusterHandle, readEvents, type SseEvent } from '@mcp-session-store/testing';
import { HEADERS, INITIALIZE, initialize as rawInitialize, rpc } from '../src/raw-mcp.js';
import { startRedisPodCluster } from '../src/redis-pod-cluster.js';
import { SDK_MAJORS } from '../src/sdk-major.js';
import { connectTestClient } from '../src/test-client.js';
import { waitUntil } from './support/wait-until.js';

/** Headers for a request on `sessionId` by `user` (null: no `x-user` header at all). */
function headersFor(sessionId: string | undefined, user: string | null, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { ...HEADERS, ...extra };
  if (sessionId !== undefined) headers['mcp-session-id'] = sessionId;
  if (user === null) delete headers['x-user'];
  else headers['x-user'] = user;
  return headers;
}

interface Answer {
  status: number;
  /** The body; for an event stream, what arrived before it ended (or 1 s passed: it should not be one). */
  text: string;
}

async function send(
  method: 'POST' | 'GET' | 'DELETE',
  endpoint: string,
  options: { sessionId?: string; user?: string | null; body?: string; headers?: Record<string, string> },
): Promise<Answer> {
  const res = await fetch(endpoint, {
    method,
    headers: headersFor(
      options.sessionId,
      options.user === undefined ? 'alice' : options.user,
      options.headers,
    ),
    ...(options.body !== undefined && { body: options.body }),
  });
  if (res.headers.get('content-type')?.includes('text/event-stream')) {
    const events = await readEvents(res, () => false, Date.now() + 1_000);
    return { status: res.status, text: events.map((e) => e.data).join('\n') };
  }
  return { status: res.status, text: await res.text() };
}

/** A tools/call on `endpoint`, read to its result: every event, ids included. */
async function callTool(
  endpoint: string,
  sessionId: string,
  id: string,
  name: string,
  args: Record<string, unknown> = {},
  progressToken?: string,
): Promise<SseEvent[]> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: headersFor(sessionId, 'alice'),
    body: rpc(id, 'tools/call', {
      name,
      arguments: args,
      ...(progressToken !== undefined && { _meta: { progressToken } }),
    }),
  });
  if (res.status !== 200) throw new Error(`tools/call ${name}: HTTP ${res.status} ${await res.text()}`);
  return readEvents(res, (events) => messagesOf(events).some((m) => m.id === id));
}

const eventIdsOf = (events: SseEvent[]): string[] =>
  events.map((e) => e.id).filter((id): id is string => id !== undefined && id !== '');

/** Opens the session's GET stream and reads until `stop`; the stream is dropped afterwards. */
async function readGetStream(
  endpoint: string,
  sessionId: string,
  user: string,
  stop: (events: SseEvent[]) => boolean,
  lastEventId?: string,
): Promise<{ status: number; events: SseEvent[] }> {
  const extra: Record<string, string> = lastEventId === undefined ? {} : { 'last-event-id': lastEventId };
  const res = await fetch(endpoint, { headers: headersFor(sessionId, user, extra) });
  if (res.status !== 200) return { status: res.status, events: [] };
  return { status: 200, events: await readEvents(res, stop) };
}

/** OutputTail (packages/testing) keeps the last 8 000 characters: a longer snapshot may have lost its start. */
const TAIL_LIMIT = 8_000;

describe.each(SDK_MAJORS)('SDK %i', (sdk) => {
  let cluster: PodClusterHandle;
  /** Every session id this major's cluster issued: none of them may ever appear in a pod's output. */
  const issued = new Set<string>();

  beforeAll(async () => {
    cluster = await startRedisPodCluster(`sec${sdk}`, 3, sdk);
  }, 60_000);

  afterAll(() => cluster?.stop());

  /** The MCP endpoint of every pod, directly, then the balancer's. */
  const endpoints = (): string[] => [...cluster.pods.map((pod) => `${pod.url}/mcp`), `${cluster.url}/mcp`];

  async function initialize(endpoint: string, user = 'alice'): Promise<string> {
    const id = await rawInitialize(endpoint, user);
    issued.add(id);
    return id;
  }

  // --- session ids ----------------------------------------------------------------------------------

  test('session ids issued on initialize: well-formed, 256 random bits, all distinct, no structure', async () => {
    const COUNT = 192;
    const ids: string[] = [];
    // Through the balancer: every pod issues a third of them.
    for (let batch = 0; batch < COUNT / 16; batch++) {
      ids.push(...(await Promise.all(Array.from({ length: 16 }, () => initialize(`${cluster.url}/mcp`)))));
    }
    expect(new Set(ids).size).toBe(COUNT);

    // base64url without padding, canonical, and at least 128 bits (the format gives 256).
    const bytes = ids.map((id) => {
      expect(isValidSessionId(id)).toBe(true);
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const decoded = Buffer.from(id, 'base64url');
      expect(decoded.toString('base64url')).toBe(id);
      expect(decoded.length).toBeGreaterThanOrEqual(16);
      return decoded;
    });
    expect(new Set(bytes.map((b) => b.toString('hex'))).size).toBe(COUNT);

    // No shared prefix or suffix beyond chance (a timestamp, a pod name, a counter would show):
    // two random ids share 6 leading characters with probability 64^-6.
    const longestShared = (list: string[]): number => {
      const sorted = [...list].sort();
      let longest = 0;
      for (let i = 1; i < sorted.length; i++) {
        let n = 0;
        while (sorted[i]![n] === sorted[i - 1]![n]) n++;
        longest = Math.max(longest, n);
      }
      return longest;
    };
    expect(longestShared(ids)).toBeLessThan(6);
    expect(longestShared(ids.map((id) => [...id].reverse().join('')))).toBeLessThan(6);

    // Every character position takes many values (192 draws from 64: about 61 distinct expected;
    // the last one carries 4 bits, 16 values).
    for (let position = 0; position < 43; position++) {
      const distinct = new Set(ids.map((id) => id[position])).size;
      expect({ position, enough: distinct >= (position === 42 ? 12 : 45) }).toEqual({
        position,
        enough: true,
      });
    }

    // Every one of the 256 bits varies: set in 96 ± 7 of 192 ids, bounds at 8 standard deviations.
    for (let bit = 0; bit < 256; bit++) {
      const ones = bytes.filter((b) => (b[bit >> 3]! >> (7 - (bit & 7))) & 1).length;
      expect({ bit, ones, balanced: ones >= 40 && ones <= 152 }).toMatchObject({ bit, balanced: true });
    }

    // No id is derived from another: any two differ in 128 ± 8 of their 256 bits.
    const popcount = (n: number): number => {
      let count = 0;
      for (let v = n; v > 0; v >>= 1) count += v & 1;
      return count;
    };
    let closest = 256;
    let farthest = 0;
    for (let i = 0; i < bytes.length; i++) {
      for (let j = i + 1; j < bytes.length; j++) {
        let distance = 0;
        for (let k = 0; k < 32; k++) distance += popcount(bytes[i]![k]! ^ bytes[j]![k]!);
        closest = Math.min(closest, distance);
        farthest = Math.max(farthest, distance);
      }
    }
    expect(closest).toBeGreaterThan(64);
    expect(farthest).toBeLessThan(192);
  }, 60_000);

  // --- principals -----------------------------------------------------------------------------------

  test("another principal gets 404 for every request on a session, on every pod and through the balancer; the owner's session is unaffected", async () => {
    const sessionId = await initialize(`${cluster.pods[0]!.url}/mcp`);
    // Real resume points of the session: events of a tool call and the priming event of the GET stream.
    const callEvents = await callTool(
      `${cluster.pods[0]!.url}/mcp`,
      sessionId,
      'c1',
      'count',
      { steps: 2, delayMs: 1 },
      'tok',
    );
    const postEventId = eventIdsOf(callEvents)[0]!;
    const getStream = await readGetStream(
      `${cluster.pods[1]!.url}/mcp`,
      sessionId,
      'alice',
      (e) => e.length >= 1,
    );
    expect(getStream.status).toBe(200);
    const getEventId = eventIdsOf(getStream.events)[0]!;

    const attempts: Array<{
      name: string;
      method: 'POST' | 'GET' | 'DELETE';
      body?: string;
      headers?: Record<string, string>;
    }> = [
      { name: 'tools/call', method: 'POST', body: rpc(1, 'tools/call', { name: 'whoami', arguments: {} }) },
      { name: 'tools/list', method: 'POST', body: rpc(2, 'tools/list') },
      { name: 'logging/setLevel', method: 'POST', body: rpc(3, 'logging/setLevel', { level: 'emergency' }) },
      { name: 'ping batch', method: 'POST', body: `[${rpc(4, 'ping')},${rpc(5, 'tools/list')}]` },
      {
        name: 'cancellation',
        method: 'POST',
        body: rpc(undefined, 'notifications/cancelled', { requestId: 'c1', reason: 'x' }),
      },
      {
        name: 'answer to a server request',
        method: 'POST',
        body: JSON.stringify({ jsonrpc: '2.0', id: 'mcpss.pod-0.0', result: { action: 'decline' } }),
      },
      { name: 'GET stream', method: 'GET' },
      { name: 'replay of a POST stream', method: 'GET', headers: { 'last-event-id': postEventId } },
      { name: 'replay of the GET stream', method: 'GET', headers: { 'last-event-id': getEventId } },
      { name: 'DELETE', method: 'DELETE' },
    ];
    const outcomes: string[] = [];
    for (const endpoint of endpoints()) {
      for (const user of ['mallory', null, 'Alice', 'alice2']) {
        for (const attempt of attempts) {
          const answer = await send(attempt.method, endpoint, { sessionId, user, ...attempt });
          const code =
            answer.status === 404 ? (JSON.parse(answer.text) as { error: { code: number } }).error.code : '';
          outcomes.push(`${endpoint} ${user} ${attempt.name}: ${answer.status} ${code}`);
          // Nothing of the session leaks: no tool output, no replayed event.
          expect(answer.text).not.toMatch(/pod-\d|step \d|"tok"/);
        }
      }
    }
    expect(outcomes.filter((o) => !o.endsWith(': 404 -32001'))).toEqual([]);

    // The owner's session still works everywhere, its log level untouched: a foreign setLevel
    // 'emergency' would have silenced the debug messages (they go to the session's GET stream).
    const stream = await fetch(`${cluster.url}/mcp`, { headers: headersFor(sessionId, 'alice') });
    expect(stream.status).toBe(200);
    const streamed = readEvents(stream, (e) =>
      messagesOf(e).some((m) => m.method === 'notifications/resources/updated'),
    );
    for (const endpoint of endpoints()) {
      const messages = messagesOf(await callTool(endpoint, sessionId, 'dbg', 'debug-log'));
      expect(messages.find((m) => m.id === 'dbg')?.result.content[0].text).toMatch(/^pod-\d$/);
    }
    // The check can fail: the owner's own setLevel does silence them. The announcement after it
    // marks the end of what the stream must carry.
    const pod0 = `${cluster.pods[0]!.url}/mcp`;
    expect(
      (await send('POST', pod0, { sessionId, body: rpc(9, 'logging/setLevel', { level: 'emergency' }) }))
        .status,
    ).toBe(200);
    await callTool(pod0, sessionId, 'dbg2', 'debug-log');
    await callTool(pod0, sessionId, 'ann', 'announce');
    const logged = messagesOf(await streamed)
      .filter((m) => m.method === 'notifications/message')
      .map((m) => m.params.data);
    expect(logged.slice(0, 3)).toEqual(['debug from pod-0', 'debug from pod-1', 'debug from pod-2']);
    expect(logged).toHaveLength(4);

    // ...and its replay: everything after the first event of the call, with the result.
    const replayed = await readGetStream(
      `${cluster.pods[2]!.url}/mcp`,
      sessionId,
      'alice',
      (e) => messagesOf(e).some((m) => m.id === 'c1'),
      postEventId,
    );
    expect(replayed.status).toBe(200);
    expect(messagesOf(replayed.events).find((m) => m.id === 'c1')?.result.content[0].text).toMatch(
      /counted 2$/,
    );

    expect((await send('DELETE', `${cluster.url}/mcp`, { sessionId })).status).toBe(200);
    for (const endpoint of endpoints()) {
      expect((await send('POST', endpoint, { sessionId, body: rpc(1, 'tools/list') })).status).toBe(404);
    }
  }, 60_000);

  // --- event replay ---------------------------------------------------------------------------------

  test('event replay never crosses sessions, of the same principal or another, on any pod', async () => {
    const [pod0, pod1, pod2] = cluster.pods.map((pod) => `${pod.url}/mcp`) as [string, string, string];
    const a = await initialize(pod0, 'alice');
    const b = await initialize(pod1, 'alice');
    const c = await initialize(pod2, 'bob');

    /** Resume points of a session: its tool call's events and its GET stream's, all tagged with `tag`. */
    async function eventsOf(
      endpoint: string,
      sessionId: string,
      user: string,
      tag: string,
    ): Promise<string[]> {
      const call = await fetch(endpoint, {
        method: 'POST',
        headers: headersFor(sessionId, user),
        body: rpc(`${tag}-call`, 'tools/call', {
          name: 'count',
          arguments: { steps: 3, delayMs: 1 },
          _meta: { progressToken: `${tag}-token` },
        }),
      });
      expect(call.status).toBe(200);
      const callEvents = await readEvents(call, (e) => messagesOf(e).some((m) => m.id === `${tag}-call`));
      // A notification on the GET stream (resource updated), held open on another pod.
      const res = await fetch(`${cluster.url}/mcp`, { headers: headersFor(sessionId, user) });
      expect(res.status).toBe(200);
      const reading = readEvents(res, (e) =>
        messagesOf(e).some((m) => m.method === 'notifications/resources/updated'),
      );
      const announce = await send('POST', endpoint, {
        sessionId,
        user,
        body: rpc(`${tag}-announce`, 'tools/call', { name: 'announce', arguments: {} }),
      });
      expect(announce.status).toBe(200);
      const getEvents = await reading;
      expect(messagesOf(getEvents).some((m) => m.method === 'notifications/resources/updated')).toBe(true);
      return [...eventIdsOf(callEvents), ...eventIdsOf(getEvents)];
    }
    const eventsA = await eventsOf(pod0, a, 'alice', 'A');
    const eventsB = await eventsOf(pod1, b, 'alice', 'B');
    const eventsC = await eventsOf(pod2, c, 'bob', 'C');
    expect(eventsB.length).toBeGreaterThanOrEqual(5);
    expect(eventsC.length).toBeGreaterThanOrEqual(5);

    const crossings: Array<{ session: string; user: string; foreign: string[]; label: string }> = [
      { session: a, user: 'alice', foreign: eventsB, label: "A with B's ids (same principal)" },
      { session: a, user: 'alice', foreign: eventsC, label: "A with C's ids (another principal)" },
      { session: c, user: 'bob', foreign: eventsA, label: "C with A's ids (another principal)" },
    ];
    const refused: string[] = [];
    for (const endpoint of endpoints()) {
      for (const { session, user, foreign, label } of crossings) {
        for (const eventId of foreign) {
          const answer = await send('GET', endpoint, {
            sessionId: session,
            user,
            headers: { 'last-event-id': eventId },
          });
          // Nothing of the other session: not its call, its progress, its logs or its notification.
          expect(answer.text).not.toMatch(/[ABC]-call|[ABC]-token|step \d|updated-by/);
          refused.push(`${label} ${answer.status >= 400 && answer.status < 500 ? '4xx' : answer.status}`);
        }
      }
    }
    expect(refused.filter((r) => !r.endsWith('4xx'))).toEqual([]);

    // The same requests with the session's own first event id resume it (the refusal is not blanket).
    for (const endpoint of endpoints()) {
      const own = await readGetStream(
        endpoint,
        a,
        'alice',
        (e) => messagesOf(e).some((m) => m.id === 'A-call'),
        eventsA[0],
      );
      expect(own.status).toBe(200);
      const text = own.events.map((e) => e.data).join('\n');
      expect(text).toContain('A-token');
      expect(text).not.toMatch(/[BC]-call|[BC]-token/);
    }
  }, 60_000);

  // --- logs -----------------------------------------------------------------------------------------

  test('no pod ever prints a session id: normal traffic, errors, cancellations, restarts, deletions, hostile ids', async () => {
    const snapshots: string[] = [];
    /** The whole output of pod `index` so far (its tail must not have dropped anything). */
    const snapshot = (index: number): void => {
      const output = cluster.output(index);
      expect({ pod: index, truncated: output.length >= TAIL_LIMIT - 100 }).toEqual({
        pod: index,
        truncated: false,
      });
      snapshots.push(output);
    };
    /** Waits until a dead pod's last output has been read from its pipes. */
    const drained = async (index: number): Promise<void> => {
      let previous = '';
      for (let stable = 0, round = 0; stable < 3 && round < 40; round++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const now = cluster.output(index);
        stable = now === previous ? stable + 1 : 0;
        previous = now;
      }
    };

    // Normal traffic with the SDK's client: tools, elicitation, sampling, progress, log level, GET stream.
    const client = await connectTestClient(sdk, `${cluster.url}/mcp`, {
      clientInfo: { name: 'log-check', version: '1' },
    });
    const clientSession = client.sessionId;
    issued.add(clientSession);
    await client.setLoggingLevel('debug');
    for (let i = 0; i < 3; i++) {
      await client.callTool('whoami');
      await client.callTool('ask');
      await client.callTool('sample');
      // On v2, the same through inputRequired(...) handlers (the SDK's legacy shim asks the client).
      if (sdk === 2) {
        await client.callTool('ask-input');
        await client.callTool('sample-input');
      }
      await client.callTool('count', { steps: 2, delayMs: 1 }, { onprogress: () => {} });
    }

    const pod = (i: number) => `${cluster.pods[i]!.url}/mcp`;
    const raw = await initialize(pod(0));
    const doomed = await initialize(pod(1));

    // Bad requests on a live session, on every pod: the SDK reports most of them to onError (logged).
    for (let i = 0; i < 3; i++) {
      const bad: Array<Parameters<typeof send>> = [
        ['POST', pod(i), { sessionId: raw, body: '{"jsonrpc": "2.0", "id": 1,' }],
        ['POST', pod(i), { sessionId: raw, body: '{"hello": "world"}' }],
        ['POST', pod(i), { sessionId: raw, body: '[]' }],
        [
          'POST',
          pod(i),
          { sessionId: raw, body: rpc(1, 'tools/list'), headers: { 'mcp-protocol-version': '1999-01-01' } },
        ],
        [
          'POST',
          pod(i),
          { sessionId: raw, body: rpc(1, 'tools/list'), headers: { 'content-type': 'text/plain' } },
        ],
        [
          'POST',
          pod(i),
          { sessionId: raw, body: rpc(1, 'tools/list'), headers: { accept: 'application/json' } },
        ],
        ['POST', pod(i), { sessionId: raw, body: INITIALIZE }],
        ['POST', pod(i), { body: rpc(1, 'tools/list') }],
        ['POST', pod(i), { sessionId: raw, body: rpc(1, 'tools/call', { name: 'no-such-tool' }) }],
        [
          'POST',
          pod(i),
          { sessionId: raw, body: rpc(1, 'tools/call', { name: 'count', arguments: { steps: 'x' } }) },
        ],
        ['GET', pod(i), { sessionId: raw, headers: { accept: 'application/json' } }],
        ['GET', pod(i), { sessionId: raw, headers: { 'last-event-id': 'not-an-event-id' } }],
        ['GET', pod(i), { sessionId: raw, headers: { 'last-event-id': raw } }],
        ['DELETE', pod(i), {}],
      ];
      for (const args of bad) expect((await send(...args)).status).toBeLessThan(500);
    }

    // Unknown, foreign and hostile ids, some built from real ones.
    const hostile = [
      `${raw}x`,
      `x${raw}`,
      raw.slice(1),
      [...raw].reverse().join(''),
      raw.toUpperCase() === raw ? raw.toLowerCase() : raw.toUpperCase(),
      `${raw}${raw}`,
      randomBytes(32).toString('base64url'),
      `*${raw.slice(0, 20)}*`,
      'a'.repeat(256),
      'b'.repeat(300),
    ];
    for (const id of hostile) {
      for (const method of ['POST', 'GET', 'DELETE'] as const) {
        const body = method === 'POST' ? rpc(1, 'tools/list') : undefined;
        const answer = await send(method, `${cluster.url}/mcp`, { sessionId: id, ...(body && { body }) });
        expect(answer.status).toBeGreaterThanOrEqual(400);
      }
    }
    for (const user of ['mallory', null]) {
      expect((await send('POST', pod(2), { sessionId: raw, user, body: rpc(1, 'tools/list') })).status).toBe(
        404,
      );
    }

    // Cancelled calls: by notification through another pod, and by the client dropping the stream.
    const running = await fetch(pod(0), {
      method: 'POST',
      headers: headersFor(raw, 'alice'),
      body: rpc(50, 'tools/call', { name: 'count', arguments: { steps: 40, delayMs: 10 } }),
    });
    // The call is running once its first step arrives; the stream is then dropped too.
    await readEvents(running, (e) => messagesOf(e).length >= 1);
    const cancel = await send('POST', pod(1), {
      sessionId: raw,
      body: rpc(undefined, 'notifications/cancelled', { requestId: 50, reason: 'test' }),
    });
    expect(cancel.status).toBe(202);
    const dropped = new AbortController();
    const abandoned = await fetch(pod(2), {
      method: 'POST',
      headers: headersFor(raw, 'alice'),
      body: rpc(51, 'tools/call', { name: 'count', arguments: { steps: 20, delayMs: 5 } }),
      signal: dropped.signal,
    });
    await readEvents(abandoned, (e) => messagesOf(e).length >= 1);
    dropped.abort();

    // A DELETE, and the deleted session used everywhere afterwards.
    expect((await send('DELETE', pod(1), { sessionId: doomed })).status).toBe(200);
    for (const endpoint of endpoints()) {
      expect((await send('POST', endpoint, { sessionId: doomed, body: rpc(1, 'tools/list') })).status).toBe(
        404,
      );
      expect((await send('GET', endpoint, { sessionId: doomed })).status).toBe(404);
    }

    // A pod killed mid-call, then restarted (its output so far is read before it restarts).
    const interrupted = await fetch(pod(1), {
      method: 'POST',
      headers: headersFor(raw, 'alice'),
      body: rpc(52, 'tools/call', { name: 'count', arguments: { steps: 100, delayMs: 10 } }),
    });
    const reader = interrupted.body!.getReader();
    await reader.read(); // the priming event: the call is running
    await cluster.kill(1);
    await reader.cancel().catch(() => {});
    await drained(1);
    snapshot(1);
    await cluster.restart(1);
    // A graceful restart (SIGTERM: the router drains and closes), output read before it starts again.
    process.kill(cluster.pods[2]!.pid!, 'SIGTERM');
    // It drains for up to 3 s (the GET stream it may hold), then exits: a generous bound on that.
    await waitUntil(() => cluster.pods[2]!.pid === undefined, 'pod-2 to exit after SIGTERM', {
      timeoutMs: 20_000,
    });
    await drained(2);
    snapshot(2);
    await cluster.restart(2);

    // The client's session carries on across the restarted pods (rehydrated), then is deleted.
    for (let i = 0; i < 4; i++) {
      await client.callTool('whoami');
      await client.callTool('ask');
    }
    await client.terminateSession();
    await client.close();
    for (let i = 0; i < 3; i++) snapshot(i);

    // The output is what the pods printed, errors included (the check is not vacuous).
    const all = snapshots.join('\n');
    expect(all).toMatch(/pod-1 listening/);
    expect(all).toMatch(/Unsupported protocol version/);

    // No issued id, nor any 16-character piece of one, in any of it.
    const WINDOW = 16;
    const pieces = new Set<string>();
    for (const text of snapshots)
      for (let i = 0; i + WINDOW <= text.length; i++) pieces.add(text.slice(i, i + WINDOW));
    const leaked: string[] = [];
    for (const id of issued) {
      for (let i = 0; i + WINDOW <= id.length; i++) {
        if (pieces.has(id.slice(i, i + WINDOW))) {
          leaked.push(`${id.slice(0, 6)}… at ${i}`);
          break;
        }
      }
    }
    expect(issued.size).toBeGreaterThan(192);
    expect(leaked).toEqual([]);
  }, 60_000);
});
