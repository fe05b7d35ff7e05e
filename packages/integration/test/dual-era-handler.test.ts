// One endpoint for both eras (createMcpDualEraHandler) on two pods over a real Redis, behind a
// round-robin balancer with no affinity: a 2025 session client and a 2026-07-28 client side by
// side. One `notify` on either pod reaches the 2026 listen stream and the 2025 GET stream, once
// each, whichever pods hold them; a resource update reaches only those subscribed to it; bad input
// of either era gets a 4xx, never a 5xx.

import { randomBytes } from 'node:crypto';
import { createMcpDualEraHandler, type McpDualEraHandler } from '@mcp-session-store/core/v2';
import { RedisEventStore, RedisMessageBus, RedisSessionStore } from '@mcp-session-store/redis';
import { messagesOf, readEvents, type SseEvent } from '@mcp-session-store/testing';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { Redis } from 'ioredis';
import { serveBehindBalancer } from '../src/http-pods.js';
import { deleteRedisKeys, REDIS_URL } from '../src/redis-pod-cluster.js';
import { waitUntil } from './support/wait-until.js';

const WATCHED = 'test://watched';
/** A resource the server refuses to let anyone subscribe to. */
const FORBIDDEN = 'test://forbidden';

/** A gate the `held` tool waits on: a call in flight for exactly as long as a test wants. */
const held = { started: 0, release: () => {}, gate: Promise.resolve() };
function holdCalls(): void {
  held.started = 0;
  held.gate = new Promise<void>((resolve) => {
    held.release = resolve;
  });
}

function buildServer(ctx: { era: 'legacy' | 'modern' }) {
  const server = new McpServer(
    { name: 'dual-era-test', version: '1' },
    { capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true } } },
  );
  server.registerTool('era', { description: 'says which era served it' }, async () => ({
    content: [{ type: 'text', text: ctx.era }],
  }));
  server.registerTool('held', { description: 'answers once the test releases it' }, async (toolCtx) => {
    // A progress notification first: the answer is a stream, open until the result.
    const progressToken = toolCtx.mcpReq._meta?.progressToken;
    if (progressToken !== undefined) {
      await toolCtx.mcpReq.notify({
        method: 'notifications/progress',
        params: { progressToken, progress: 1 },
      });
    }
    held.started++;
    await held.gate;
    return { content: [{ type: 'text', text: `${ctx.era} released` }] };
  });
  server.registerResource('watched', WATCHED, { mimeType: 'text/plain' }, async () => ({
    contents: [{ uri: WATCHED, text: 'watched' }],
  }));
  // A 2025 client subscribes with a request the server must accept (the handler records it).
  if (ctx.era === 'legacy') {
    server.server.setRequestHandler('resources/subscribe', async ({ params }) => {
      if (params.uri === FORBIDDEN) throw new Error('not allowed to watch this resource');
      return {};
    });
    server.server.setRequestHandler('resources/unsubscribe', async () => ({}));
  }
  return server;
}

interface Pods {
  url: string;
  podUrls: readonly string[];
  handlers: McpDualEraHandler[];
  stop(): Promise<void>;
}

async function startPods(count = 2): Promise<Pods> {
  const keyPrefix = `mcpss-test:dual-era:${randomBytes(4).toString('hex')}:`;
  const clients: Redis[] = [];
  const buses: RedisMessageBus[] = [];
  const handlers: McpDualEraHandler[] = [];
  for (let i = 0; i < count; i++) {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    clients.push(redis);
    const bus = new RedisMessageBus({ redis, keyPrefix });
    buses.push(bus);
    const handler = createMcpDualEraHandler(buildServer, {
      store: new RedisSessionStore({ redis, keyPrefix }),
      eventStore: new RedisEventStore({ redis, keyPrefix }),
      bus,
      processId: `pod-${i}`,
      keepAliveMs: 0,
    });
    handlers.push(handler);
  }
  await Promise.all(handlers.map((h) => h.events.ready()));
  const pods = await serveBehindBalancer(handlers.map((h) => (req, res) => void h.handle(req, res)));
  return {
    url: pods.url,
    podUrls: pods.podUrls,
    handlers,
    async stop() {
      await pods.stop();
      await Promise.all(handlers.map((h) => h.close({ deadlineMs: 1_000 })));
      await Promise.all(buses.map((b) => b.close()));
      await Promise.all(clients.map((c) => c.quit()));
      await deleteRedisKeys(keyPrefix);
    },
  };
}

/** What a client received, by notification method. */
type Received = Record<string, unknown[]>;

function track(client: Client, received: Received) {
  for (const method of [
    'notifications/tools/list_changed',
    'notifications/prompts/list_changed',
    'notifications/resources/updated',
  ] as const) {
    received[method] = [];
    client.setNotificationHandler(method, (notification) => {
      received[method]!.push(notification.params ?? {});
    });
  }
}

async function modernClient(url: string, received: Received) {
  const client = new Client(
    { name: 'modern', version: '1' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  track(client, received);
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

async function legacyClient(url: string, received: Received) {
  const client = new Client({ name: 'legacy', version: '1' });
  track(client, received);
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

function textOf(result: unknown): string {
  return ((result as { content: { text: string }[] }).content[0] as { text: string }).text;
}

let pods: Pods;
beforeEach(async () => {
  pods = await startPods();
});
afterEach(async () => {
  await pods.stop();
});

test('each era is served by its own leg, on every pod', async () => {
  const modern = await modernClient(pods.url, {});
  const { client: legacy, transport } = await legacyClient(pods.url, {});
  expect(transport.sessionId).toBeDefined();
  // Four calls each: round robin spreads them over both pods.
  for (let i = 0; i < 4; i++) {
    expect(textOf(await modern.callTool({ name: 'era', arguments: {} }))).toBe('modern');
    expect(textOf(await legacy.callTool({ name: 'era', arguments: {} }))).toBe('legacy');
  }
  await modern.close();
  await legacy.close();
});

test('one notify on either pod reaches the 2026 listen stream and the 2025 GET stream, once each', async () => {
  const modernReceived: Received = {};
  const legacyReceived: Received = {};
  const modern = await modernClient(pods.url, modernReceived);
  const subscription = await modern.listen({ toolsListChanged: true });
  const { client: legacy } = await legacyClient(pods.url, legacyReceived);
  await waitUntil(
    () => pods.handlers.reduce((n, h) => n + h.openStreamCount, 0) === 1,
    'the 2025 GET stream to be open on one pod',
  );

  pods.handlers[0]!.notify.toolsChanged();
  await waitUntil(
    () =>
      modernReceived['notifications/tools/list_changed']!.length === 1 &&
      legacyReceived['notifications/tools/list_changed']!.length === 1,
    "pod 0's change on both streams",
  );
  pods.handlers[1]!.notify.toolsChanged();
  await waitUntil(
    () =>
      modernReceived['notifications/tools/list_changed']!.length === 2 &&
      legacyReceived['notifications/tools/list_changed']!.length === 2,
    "pod 1's change on both streams",
  );
  // Nothing arrives twice (a slow machine can only make this pass).
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(modernReceived['notifications/tools/list_changed']).toHaveLength(2);
  expect(legacyReceived['notifications/tools/list_changed']).toHaveLength(2);

  await subscription.close();
  await modern.close();
  await legacy.close();
});

test('a resource update reaches only the subscribers of that resource, in both eras', async () => {
  const modernReceived: Received = {};
  const subscribedReceived: Received = {};
  const bystanderReceived: Received = {};
  const modern = await modernClient(pods.url, modernReceived);
  const subscription = await modern.listen({ resourceSubscriptions: [WATCHED] });
  const { client: subscribed } = await legacyClient(pods.url, subscribedReceived);
  const { client: bystander } = await legacyClient(pods.url, bystanderReceived);
  await subscribed.subscribeResource({ uri: WATCHED });
  await expect(subscribed.subscribeResource({ uri: FORBIDDEN })).rejects.toThrow(/not allowed/);
  await waitUntil(
    () => pods.handlers.reduce((n, h) => n + h.openStreamCount, 0) === 2,
    'both 2025 GET streams to be open',
  );

  pods.handlers[1]!.notify.resourceUpdated(WATCHED);
  pods.handlers[0]!.notify.resourceUpdated('test://other');
  // The server refused this subscription: nothing was recorded, nothing is delivered.
  pods.handlers[0]!.notify.resourceUpdated(FORBIDDEN);
  await waitUntil(
    () =>
      modernReceived['notifications/resources/updated']!.length === 1 &&
      subscribedReceived['notifications/resources/updated']!.length === 1,
    'the update on the listen stream and on the subscribed session',
  );
  expect(subscribedReceived['notifications/resources/updated']![0]).toMatchObject({ uri: WATCHED });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(bystanderReceived['notifications/resources/updated']).toHaveLength(0);
  expect(subscribedReceived['notifications/resources/updated']).toHaveLength(1);
  expect(modernReceived['notifications/resources/updated']).toHaveLength(1);

  // Unsubscribed (on whichever pod): no more updates for that session.
  await subscribed.unsubscribeResource({ uri: WATCHED });
  pods.handlers[0]!.notify.resourceUpdated(WATCHED);
  await waitUntil(
    () => modernReceived['notifications/resources/updated']!.length === 2,
    'the second update on the listen stream',
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(subscribedReceived['notifications/resources/updated']).toHaveLength(1);

  await subscription.close();
  await modern.close();
  await subscribed.close();
  await bystander.close();
});

test('a session with GET streams on two pods (its client resumed elsewhere) gets each change once per stream', async () => {
  const received: Received = {};
  const { client, transport } = await legacyClient(pods.url, received);
  await waitUntil(
    () => pods.handlers.reduce((n, h) => n + h.openStreamCount, 0) === 1,
    "the client's GET stream",
  );
  // A second stream on the other pod, as when a client resumes elsewhere before the first pod saw
  // its old connection go (each pod refuses a second stream only for the streams it holds).
  const other = pods.handlers.findIndex((h) => h.openStreamCount === 0);
  const raw = await fetch(`${pods.podUrls[other]}/mcp`, {
    headers: {
      accept: 'text/event-stream',
      'mcp-session-id': transport.sessionId!,
      'mcp-protocol-version': '2025-11-25',
    },
  });
  expect(raw.status).toBe(200);
  await waitUntil(() => pods.handlers.every((h) => h.openStreamCount === 1), 'a stream on each pod');

  const count = (events: SseEvent[], method: string) =>
    messagesOf(events).filter((m: { method?: string }) => m.method === method).length;
  const reading = readEvents(raw, (events) => count(events, 'notifications/prompts/list_changed') >= 2);
  // A change from each pod, then a marker from each: a pod's events reach a stream in the order it
  // published them, so once both markers are in, so is everything before them (duplicates too).
  pods.handlers[0]!.notify.toolsChanged();
  pods.handlers[1]!.notify.toolsChanged();
  pods.handlers[0]!.notify.promptsChanged();
  pods.handlers[1]!.notify.promptsChanged();
  const rawEvents = await reading;
  expect(count(rawEvents, 'notifications/prompts/list_changed')).toBe(2);
  expect(count(rawEvents, 'notifications/tools/list_changed')).toBe(2);
  await waitUntil(
    () => received['notifications/prompts/list_changed']!.length === 2,
    "both markers on the client's stream",
  );
  expect(received['notifications/tools/list_changed']).toHaveLength(2);
  await client.close();
});

test('close() drains both eras on a pod: the GET stream ends, 2026 calls in flight finish and new ones are served, then the listen stream ends gracefully', async () => {
  const pod = `${pods.podUrls[0]}/mcp`;
  const handler = pods.handlers[0]!;
  const modern = await modernClient(pod, {});
  const subscription = await modern.listen({ toolsListChanged: true });
  const { client: legacy } = await legacyClient(pod, {});
  await waitUntil(() => handler.openStreamCount === 1, 'the 2025 GET stream');
  holdCalls();
  const inFlight = modern.callTool({ name: 'held', arguments: {} }, { onprogress: () => {} });
  await waitUntil(() => held.started === 1, 'the 2026 call to start');

  let ended: string | undefined;
  void subscription.closed.then((how) => {
    ended = how;
  });
  const closing = handler.close({ deadlineMs: 20_000 });
  // 2025: the GET stream ends at once (with the retry hint: router-lifecycle.test.ts).
  await waitUntil(() => handler.openStreamCount === 0, 'the GET stream to end');
  // 2026: a request arriving while the pod drains is served, and the listen stream stays up
  // (still getting changes) while a call is in flight.
  expect(textOf(await modern.callTool({ name: 'era', arguments: {} }))).toBe('modern');
  expect(ended).toBeUndefined();
  held.release();
  expect(textOf(await inFlight)).toBe('modern released');
  await closing;
  // Then the listen stream ends with the spec's graceful result: the client listens again.
  expect(await subscription.closed).toBe('graceful');
  await modern.close();
  await legacy.close();
});

test('bad input of either era gets a 4xx answer, never a 5xx', async () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(pods.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body,
    });
  const envelope = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  const cases: [string, Promise<Response>][] = [
    ['not JSON', post('{"jsonrpc":')],
    ['wrong content type', post('{}', { 'content-type': 'text/plain' })],
    ['not JSON-RPC', post('{"hello":1}')],
    ['session request without a session', post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}')],
    [
      'unknown session',
      post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', { 'mcp-session-id': 'no-such-session' }),
    ],
    [
      '2026 envelope naming an unknown revision',
      post(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/list',
          params: { _meta: { ...envelope, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } },
        }),
        { 'mcp-protocol-version': '2099-01-01', 'mcp-method': 'tools/list' },
      ),
    ],
    [
      '2026 header without the envelope',
      post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', {
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/list',
      }),
    ],
    [
      '2026 header and body that disagree',
      post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope } }), {
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'prompts/list',
      }),
    ],
    ['oversized body', post(JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) }))],
    ['GET without a session', fetch(pods.url, { headers: { accept: 'text/event-stream' } })],
    ['DELETE without a session', fetch(pods.url, { method: 'DELETE' })],
  ];
  for (const [name, pending] of cases) {
    const response = await pending;
    const status = response.status;
    await response.body?.cancel();
    expect({ name, status: status >= 400 && status < 500 ? '4xx' : status }).toEqual({ name, status: '4xx' });
  }
});
