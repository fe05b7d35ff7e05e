// OpenTelemetry traces and metrics of the dual-era handler on two pods over a real Redis (store,
// event store, bus), read back from the SDK's in-memory exporters: the spans of a routed request
// (era, method, pod, new or rehydrated session, store and event-store calls as its children), an
// answer to a server->client request that lands on the other pod traced as a child of the asking
// request and linked to the answering pod's trace (the context travels in the bus message), the
// metrics an operator watches, and no session id anywhere but redacted.
//
// Each client here talks to the pods directly, its requests routed by a rule of the test (which
// pod initializes, which one gets the answer), so every cross-pod path is taken deterministically.

import { randomBytes } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { createRequestStateCodec, RequestStateError, redactSessionId } from '@mcp-session-store/core';
import { createMcpDualEraHandler, type McpDualEraHandler } from '@mcp-session-store/core/v2';
import {
  RedisClaimStore,
  RedisEventStore,
  RedisMessageBus,
  RedisSessionStore,
} from '@mcp-session-store/redis';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Redis } from 'ioredis';
import { serveBehindBalancer } from '../src/http-pods.js';
import { deleteRedisKeys, REDIS_URL } from '../src/redis-pod-cluster.js';
import { type MetricPoint, metricValue, registerOtelSdk } from './support/otel-sdk.js';
import { waitUntil } from './support/wait-until.js';

// Registered before any handler exists: a handler's meter binds when it is created.
const sdk = registerOtelSdk();

/** Every session id a client was given (headers and transports), for the redaction check. */
const sessionIds = new Set<string>();

/** Calls of the `hold` tool: started, and ended by their cancellation. */
const holds = { started: 0, cancelled: 0 };

function buildServer() {
  const server = new McpServer({ name: 'telemetry-test', version: '1' });
  const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });
  server.registerTool('echo', { description: 'answers at once' }, async () => text('echo'));
  server.registerTool('ask', { description: 'asks the client for a name' }, async () => {
    const answer = await server.server.elicitInput({
      message: 'What is your name?',
      requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    });
    return text(`${answer.action}:${JSON.stringify(answer.content ?? {})}`);
  });
  server.registerTool('hold', { description: 'runs until cancelled' }, async (ctx) => {
    holds.started++;
    const signal = ctx.mcpReq.signal;
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    holds.cancelled++;
    return text('cancelled');
  });
  return server;
}

const keyPrefix = `mcpss-test:telemetry:${randomBytes(4).toString('hex')}:`;
const redisClients: Redis[] = [];
const buses: RedisMessageBus[] = [];
/** pod-0 and pod-1, each a dual-era handler on its own HTTP server. */
const handlers: McpDualEraHandler[] = [];
let podUrls: readonly string[] = [];
let stopServers: () => Promise<void> = async () => {};

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    redisClients.push(redis);
    const bus = new RedisMessageBus({ redis, keyPrefix });
    buses.push(bus);
    handlers.push(
      createMcpDualEraHandler(buildServer, {
        store: new RedisSessionStore({ redis, keyPrefix }),
        eventStore: new RedisEventStore({ redis, keyPrefix }),
        bus,
        processId: `pod-${i}`,
        keepAliveMs: 0,
      }),
    );
  }
  await Promise.all(handlers.map((h) => h.events.ready()));
  const pods = await serveBehindBalancer(handlers.map((h) => (req, res) => void h.handle(req, res)));
  podUrls = pods.podUrls;
  stopServers = () => pods.stop();
});

afterAll(async () => {
  await stopServers();
  await Promise.all(handlers.map((h) => h.close({ deadlineMs: 1_000 })));
  await Promise.all(buses.map((b) => b.close()));
  await Promise.all(redisClients.map((c) => c.quit()));
  await deleteRedisKeys(keyPrefix);
});

// --- clients --------------------------------------------------------------------------------------

/** What the routing rule sees of a request. */
interface OutgoingRequest {
  method: string;
  /** The JSON-RPC body of a POST. */
  body: { method?: string } | undefined;
}

/** Which pod (0 or 1) a client's requests go to; the test changes it as it goes. */
interface Routing {
  pick: (request: OutgoingRequest) => number;
}

/** A `fetch` sending each request to the pod `routing` picks, remembering the session ids given. */
function routedFetch(routing: Routing): typeof fetch {
  return async (_url, init) => {
    const text = typeof init?.body === 'string' ? init.body : undefined;
    const body = text === undefined ? undefined : (JSON.parse(text) as OutgoingRequest['body']);
    const pod = routing.pick({ method: init?.method ?? 'GET', body });
    const response = await fetch(`${podUrls[pod]}/mcp`, init);
    const sessionId = response.headers.get('mcp-session-id');
    if (sessionId !== null) sessionIds.add(sessionId);
    return response;
  };
}

/** Closes what each test opened, even if it failed midway (a session left open skews the gauges). */
const openedByTest: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of openedByTest.splice(0)) await close().catch(() => {});
});

/** A 2025 session client (it answers elicitation) whose requests go where `routing` says. */
async function sessionClient(routing: Routing) {
  const client = new Client(
    { name: 'telemetry-client', version: '1' },
    { capabilities: { elicitation: {} } },
  );
  client.setRequestHandler('elicitation/create', async () => ({
    action: 'accept',
    content: { name: 'Ada' },
  }));
  const transport = new StreamableHTTPClientTransport(new URL('http://pods.invalid/mcp'), {
    fetch: routedFetch(routing),
  });
  await client.connect(transport);
  const sessionId = transport.sessionId!;
  sessionIds.add(sessionId);
  openedByTest.push(async () => {
    await transport.terminateSession().catch(() => {});
    await client.close();
  });
  return { client, transport, sessionId };
}

/** A 2026-07-28 client (no session) whose requests go where `routing` says. */
async function modernClient(routing: Routing) {
  const client = new Client(
    { name: 'telemetry-modern', version: '1' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL('http://pods.invalid/mcp'), { fetch: routedFetch(routing) }),
  );
  openedByTest.push(() => client.close());
  return client;
}

const textOf = (result: unknown) => (result as { content: { text: string }[] }).content[0]!.text;

// --- spans ----------------------------------------------------------------------------------------

const spanId = (span: ReadableSpan) => span.spanContext().spanId;
const traceId = (span: ReadableSpan) => span.spanContext().traceId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const childrenOf = (parent: ReadableSpan) => sdk.spans().filter((s) => parentOf(s) === spanId(parent));

/** The one finished span matching `predicate`, once it has ended (a span ends after its answer). */
async function spanWhere(predicate: (span: ReadableSpan) => boolean, what: string): Promise<ReadableSpan> {
  await waitUntil(() => sdk.spans().some(predicate), what);
  const matches = sdk.spans().filter(predicate);
  expect(matches).toHaveLength(1);
  return matches[0]!;
}

/** A request (SERVER) span of `pod`, by name, for the session `sessionId` when given. */
function requestSpan(pod: string, name: string, sessionId?: string) {
  return (span: ReadableSpan) =>
    span.kind === SpanKind.SERVER &&
    span.name === name &&
    span.attributes['mcp_session_store.process.id'] === pod &&
    (sessionId === undefined || span.attributes['mcp.session.id'] === redactSessionId(sessionId));
}

describe('spans of a routed request', () => {
  test('a 2025 session initialized on pod-0 and called on pod-1: new, then rehydrated, with the store calls as children', async () => {
    const routing: Routing = { pick: () => 0 };
    const { client, transport, sessionId } = await sessionClient(routing);
    routing.pick = () => 1;
    expect(textOf(await client.callTool({ name: 'echo', arguments: {} }))).toBe('echo');

    const initialize = await spanWhere(requestSpan('pod-0', 'initialize', sessionId), 'the initialize span');
    expect(initialize.attributes).toMatchObject({
      'mcp.method.name': 'initialize',
      'mcp.session.id': redactSessionId(sessionId),
      'mcp.protocol.version': '2025-11-25',
      'mcp_session_store.session.source': 'new',
      'mcp_session_store.process.id': 'pod-0',
      'mcp_session_store.era': '2025',
      'jsonrpc.protocol.version': '2.0',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
    });
    // The record is created, durably, as part of the initialize request.
    expect(childrenOf(initialize).find((s) => s.name === 'create sessions')?.attributes).toMatchObject({
      'db.system.name': 'redis',
      'db.operation.name': 'create',
      'db.collection.name': 'sessions',
      'mcp_session_store.component': 'session_store',
      'mcp_session_store.adapter': '@mcp-session-store/redis',
      'mcp_session_store.process.id': 'pod-0',
    });

    const call = await spanWhere(
      requestSpan('pod-1', 'tools/call echo', sessionId),
      'the tools/call span on pod-1',
    );
    expect(call.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'echo',
      'mcp.session.id': redactSessionId(sessionId),
      'mcp_session_store.session.source': 'rehydrated',
      'mcp_session_store.process.id': 'pod-1',
      'mcp_session_store.era': '2025',
      'http.response.status_code': 200,
    });
    expect(call.attributes['jsonrpc.request.id']).toEqual(expect.any(String));
    expect(call.status.code).not.toBe(SpanStatusCode.ERROR);

    const children = childrenOf(call);
    for (const child of children) expect(traceId(child)).toBe(traceId(call));
    const rehydrate = children.find((s) => s.name === 'mcp_session_store.rehydrate');
    expect(rehydrate?.attributes).toMatchObject({
      'mcp.session.id': redactSessionId(sessionId),
      'mcp_session_store.process.id': 'pod-1',
    });
    expect(children.find((s) => s.name === 'get sessions')).toMatchObject({
      kind: SpanKind.CLIENT,
      attributes: expect.objectContaining({
        'db.system.name': 'redis',
        'db.operation.name': 'get',
        'mcp_session_store.process.id': 'pod-1',
      }),
    });
    // The answer is written to the event store (for resumption) within the request.
    expect(children.find((s) => s.name === 'append events')).toMatchObject({
      kind: SpanKind.CLIENT,
      attributes: expect.objectContaining({
        'db.system.name': 'redis',
        'db.operation.name': 'append',
        'db.collection.name': 'events',
        'mcp_session_store.component': 'event_store',
      }),
    });

    // The next call on pod-1 finds the session held there.
    await client.callTool({ name: 'echo', arguments: {} });
    await waitUntil(
      () => sdk.spans().filter(requestSpan('pod-1', 'tools/call echo', sessionId)).length === 2,
      'the second call span',
    );
    const [, second] = sdk.spans().filter(requestSpan('pod-1', 'tools/call echo', sessionId));
    expect(second!.attributes['mcp_session_store.session.source']).toBe('local');
    expect(childrenOf(second!).some((s) => s.name === 'mcp_session_store.rehydrate')).toBe(false);

    await transport.terminateSession();
    await client.close();
  });

  test('a 2026-07-28 request through the dual-era handler: era 2026, named after its method and tool', async () => {
    const client = await modernClient({ pick: () => 1 });
    expect(textOf(await client.callTool({ name: 'echo', arguments: {} }))).toBe('echo');
    const spans = () => sdk.spans().filter((s) => s.attributes['mcp_session_store.era'] === '2026');
    await waitUntil(() => spans().some((s) => s.name === 'tools/call echo'), 'the 2026 tools/call span');
    const call = spans().find((s) => s.name === 'tools/call echo')!;
    expect(call.kind).toBe(SpanKind.SERVER);
    expect(call.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'echo',
      'mcp.protocol.version': '2026-07-28',
      'mcp_session_store.process.id': 'pod-1',
      'http.response.status_code': 200,
    });
    // No session in this era.
    expect(call.attributes['mcp.session.id']).toBeUndefined();
    expect(call.attributes['mcp_session_store.session.source']).toBeUndefined();
    await client.close();
  });
});

// --- across pods ----------------------------------------------------------------------------------

/** A 2025 session initialized on pod-0, then with the POSTs `toPod1` picks sent to pod-1. */
async function sessionOnPod0(toPod1: (body: { method?: string }) => boolean) {
  const routing: Routing = { pick: () => 0 };
  const session = await sessionClient(routing);
  routing.pick = ({ body }) => (body !== undefined && toPod1(body) ? 1 : 0);
  return { ...session, routing };
}

/** A client's answer to a server->client request: a POST of a JSON-RPC response (no method). */
const isAnswer = (body: { method?: string }) => body.method === undefined;

/** How many client messages `pod` forwarded (sent or received) between two collections. */
function forwardedDelta(
  before: MetricPoint[],
  after: MetricPoint[],
  pod: string,
  kind: 'response' | 'cancellation',
  direction: 'sent' | 'received',
): number {
  const attributes = {
    'mcp_session_store.process.id': pod,
    'mcp_session_store.forwarded.kind': kind,
    'mcp_session_store.direction': direction,
  };
  const name = 'mcp_session_store.bus.forwarded_messages';
  return metricValue(after, name, attributes) - metricValue(before, name, attributes);
}

describe('a client message that lands on another pod', () => {
  test("an elicitation asked on pod-0 and answered through pod-1: one span on pod-0, child of the asking request, linked to pod-1's", async () => {
    const { client, transport, sessionId } = await sessionOnPod0(isAnswer);
    const before = await sdk.collect();
    expect(textOf(await client.callTool({ name: 'ask', arguments: {} }))).toBe('accept:{"name":"Ada"}');

    const asking = await spanWhere(
      requestSpan('pod-0', 'tools/call ask', sessionId),
      'the asking request on pod-0',
    );
    // The answer's POST carries no method: its span is named for what it carries.
    const answer = await spanWhere(
      requestSpan('pod-1', 'client response', sessionId),
      "the answer's request on pod-1",
    );
    // Two requests, two traces: the link is what joins them.
    expect(traceId(answer)).not.toBe(traceId(asking));
    const forwarded = await spanWhere(
      (s) =>
        s.name === 'mcp_session_store.forwarded process' &&
        s.attributes['mcp.session.id'] === redactSessionId(sessionId),
      'the forwarded answer on pod-0',
    );
    expect(forwarded.kind).toBe(SpanKind.CONSUMER);
    expect(forwarded.attributes).toMatchObject({
      'mcp_session_store.forwarded.kind': 'response',
      'mcp_session_store.process.id': 'pod-0',
      'messaging.operation.type': 'process',
    });
    // In the asking request's trace, under it...
    expect(traceId(forwarded)).toBe(traceId(asking));
    expect(parentOf(forwarded)).toBe(spanId(asking));
    // ...and linked to the request that brought the answer on pod-1 (its context came over Redis).
    expect(forwarded.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([
      [traceId(answer), spanId(answer)],
    ]);
    // pod-1's bus publish is part of its request.
    expect(childrenOf(answer).find((s) => s.name === 'publish channels')).toMatchObject({
      kind: SpanKind.PRODUCER,
      attributes: expect.objectContaining({
        'messaging.system': 'redis',
        'messaging.operation.name': 'publish',
      }),
    });

    const after = await sdk.collect();
    expect(forwardedDelta(before, after, 'pod-1', 'response', 'sent')).toBe(1);
    expect(forwardedDelta(before, after, 'pod-0', 'response', 'received')).toBe(1);

    await transport.terminateSession();
    await client.close();
  });

  test("a cancellation sent through pod-1 reaches the call on pod-0 as a span linked to pod-1's request", async () => {
    const { client, transport, sessionId } = await sessionOnPod0(
      (body) => body.method === 'notifications/cancelled',
    );
    const before = await sdk.collect();
    const cancel = new AbortController();
    const started = holds.started;
    const cancelled = holds.cancelled;
    const call = client.callTool({ name: 'hold', arguments: {} }, { signal: cancel.signal });
    call.catch(() => {}); // rejected by the abort below
    await waitUntil(() => holds.started === started + 1, 'the call to start on pod-0');
    cancel.abort();
    await expect(call).rejects.toThrow();
    await waitUntil(() => holds.cancelled === cancelled + 1, 'the call on pod-0 to see its cancellation');

    const sent = await spanWhere(
      requestSpan('pod-1', 'notifications/cancelled', sessionId),
      'the cancellation request on pod-1',
    );
    const received = await spanWhere(
      (s) =>
        s.name === 'mcp_session_store.forwarded process' &&
        s.attributes['mcp_session_store.forwarded.kind'] === 'cancellation' &&
        s.attributes['mcp.session.id'] === redactSessionId(sessionId),
      'the forwarded cancellation on pod-0',
    );
    expect(received.kind).toBe(SpanKind.CONSUMER);
    expect(received.attributes['mcp_session_store.process.id']).toBe('pod-0');
    expect(received.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([
      [traceId(sent), spanId(sent)],
    ]);
    const after = await sdk.collect();
    expect(forwardedDelta(before, after, 'pod-1', 'cancellation', 'sent')).toBe(1);
    expect(forwardedDelta(before, after, 'pod-0', 'cancellation', 'received')).toBe(1);

    await transport.terminateSession();
    await client.close();
  });
});

// --- metrics --------------------------------------------------------------------------------------

describe('metrics', () => {
  test('live sessions per pod, rehydrations, store and request durations', async () => {
    const local = async (pod: string) =>
      metricValue(await sdk.collect(), 'mcp_session_store.sessions.local', {
        'mcp_session_store.process.id': pod,
      });
    const rehydrated = async () =>
      metricValue(await sdk.collect(), 'mcp_session_store.session.rehydrations', {
        'mcp_session_store.process.id': 'pod-1',
        'mcp_session_store.outcome': 'ok',
      });
    const sessions = async () => `pod-0 ${await local('pod-0')}, pod-1 ${await local('pod-1')}`;
    // The earlier tests deleted their sessions: each pod lets go of them when told over the bus.
    await waitUntil(async () => (await sessions()) === 'pod-0 0, pod-1 0', 'no session held');
    const rehydrations = await rehydrated();

    const routing: Routing = { pick: () => 0 };
    const { client, transport } = await sessionClient(routing);
    expect(await sessions()).toBe('pod-0 1, pod-1 0');
    routing.pick = () => 1;
    await client.callTool({ name: 'echo', arguments: {} });
    // Held on both pods now: pod-1 brought it back from the store.
    expect(await sessions()).toBe('pod-0 1, pod-1 1');
    expect(await rehydrated()).toBe(rehydrations + 1);
    // Deleted: no pod holds it any more.
    await transport.terminateSession();
    await waitUntil(
      async () => (await sessions()) === 'pod-0 0, pod-1 0',
      'the deleted session to leave both pods',
    );
    await client.close();
    const modern = await modernClient({ pick: () => 0 });
    await modern.callTool({ name: 'echo', arguments: {} });
    await modern.close();

    const points = await sdk.collect();
    for (const operation of ['create', 'get', 'append', 'delete']) {
      const recorded = metricValue(points, 'db.client.operation.duration', {
        'db.system.name': 'redis',
        'db.operation.name': operation,
      });
      expect({ operation, recorded: recorded > 0 }).toEqual({ operation, recorded: true });
    }
    expect(
      metricValue(points, 'mcp.server.operation.duration', {
        'mcp_session_store.process.id': 'pod-1',
        'mcp_session_store.era': '2025',
        'mcp.method.name': 'tools/call',
      }),
    ).toBeGreaterThan(0);
    expect(
      metricValue(points, 'mcp.server.operation.duration', {
        'mcp_session_store.process.id': 'pod-0',
        'mcp_session_store.era': '2026',
        'mcp.method.name': 'tools/call',
        'mcp.protocol.version': '2026-07-28',
      }),
    ).toBeGreaterThan(0);
    expect(
      metricValue(points, 'messaging.client.operation.duration', { 'messaging.system': 'redis' }),
    ).toBeGreaterThan(0);
    // Points are by pod, method, operation: never by session (unbounded cardinality).
    expect(points.filter((p) => p.attributes['mcp.session.id'] !== undefined)).toEqual([]);
  });

  test('open streams by kind: a 2025 GET stream and a 2026 listen stream count 1 while open, 0 once closed', async () => {
    const open = async (pod: string, kind: string) =>
      metricValue(await sdk.collect(), 'mcp_session_store.streams.open', {
        'mcp_session_store.process.id': pod,
        'mcp_session_store.stream.kind': kind,
      });
    const streams = async () => `get ${await open('pod-0', 'get')}, listen ${await open('pod-1', 'listen')}`;
    // The earlier tests' clients are closed: their streams are (or are about to be) gone.
    await waitUntil(async () => (await streams()) === 'get 0, listen 0', 'no stream left open');

    // The session client opens its GET stream on pod-0 once initialized; the listen stream is on pod-1.
    const { client, transport } = await sessionClient({ pick: () => 0 });
    const modern = await modernClient({ pick: () => 1 });
    const subscription = await modern.listen({ toolsListChanged: true });
    await waitUntil(async () => (await streams()) === 'get 1, listen 1', 'both streams to count');
    expect(await open('pod-1', 'get')).toBe(0);
    expect(await open('pod-0', 'listen')).toBe(0);

    await subscription.close();
    await transport.terminateSession();
    await client.close();
    await modern.close();
    await waitUntil(async () => (await streams()) === 'get 0, listen 0', 'both streams to be uncounted');
  });

  const unavailable = async (pod: string, cause: string) =>
    metricValue(await sdk.collect(), 'mcp_session_store.http.unavailable', {
      'mcp_session_store.process.id': pod,
      'mcp_session_store.unavailable.cause': cause,
    });
  /** The status of a request to `handler`, its body read (a request's span ends with its body). */
  const status = async (handler: McpDualEraHandler, request: Request) => {
    const response = await handler.fetch(request);
    await response.text();
    return response.status;
  };

  test('503s by cause: closed, from a handler that was closed (either era)', async () => {
    const bus = new RedisMessageBus({ redis: redisClients[0]!, keyPrefix });
    const closed = createMcpDualEraHandler(buildServer, {
      store: new RedisSessionStore({ redis: redisClients[0]!, keyPrefix }),
      bus,
      processId: 'pod-closed',
    });
    try {
      await closed.events.ready();
      await closed.close();
      expect(await status(closed, rawPost(INITIALIZE))).toBe(503);
      expect(await status(closed, rawPost(MODERN_TOOLS_LIST, MODERN_HEADERS))).toBe(503);
      expect(await unavailable('pod-closed', 'closed')).toBe(2);
    } finally {
      await closed.close();
      await bus.close();
    }
  });

  test('503s by cause: backend_unavailable, from a store whose Redis cannot be reached; its span says why', async () => {
    const bus = new RedisMessageBus({ redis: redisClients[0]!, keyPrefix });
    const unreachable = new Redis(`redis://127.0.0.1:${await closedPort()}`, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => {});
    const outage = createMcpDualEraHandler(buildServer, {
      store: new RedisSessionStore({ redis: unreachable, keyPrefix, commandTimeoutMs: 1_000 }),
      bus,
      processId: 'pod-outage',
    });
    try {
      expect(await status(outage, rawPost(INITIALIZE))).toBe(503);
      expect(await unavailable('pod-outage', 'backend_unavailable')).toBe(1);
      const request = await spanWhere(requestSpan('pod-outage', 'initialize'), 'the failed initialize span');
      expect(request.attributes['http.response.status_code']).toBe(503);
      expect(request.status.code).toBe(SpanStatusCode.ERROR);
      const create = childrenOf(request).find((s) => s.name === 'create sessions');
      expect(create?.attributes['error.type']).toBe('BACKEND_UNAVAILABLE');
      expect(create?.status.code).toBe(SpanStatusCode.ERROR);
    } finally {
      await outage.close();
      await bus.close();
      // Refused, it ends by itself (retryStrategy null); a disconnect() now would leave a 2 s timer.
      if (unreachable.status !== 'wait') {
        await waitUntil(() => unreachable.status === 'end', 'the unreachable client to give up');
      }
    }
  });
});

/** A POST as a client sends it, for a handler's `fetch`. */
function rawPost(message: object, headers: Record<string, string> = {}): Request {
  return new Request('http://pod.invalid/mcp', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(message),
  });
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** A 2026-07-28 request: its envelope in `_meta`, its revision and method in headers too. */
const MODERN_TOOLS_LIST = {
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/list',
  params: {
    _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
      'io.modelcontextprotocol/clientCapabilities': {},
    },
  },
};
const MODERN_HEADERS = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' };

/** A loopback port nothing listens on (it was just released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// --- redaction (last: it reads what every test above recorded) ------------------------------------

describe('requestState claims', () => {
  test("the codec's at-most-once claim is a span of the verifying request, and its duration is recorded", async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    redisClients.push(redis);
    const codec = createRequestStateCodec<{ step: number }>({
      keyring: { activeKeyId: 'k1', keys: { k1: randomBytes(32).toString('base64') } },
      claims: new RedisClaimStore({ redis, keyPrefix }),
    });
    const ctx = { mcpReq: { method: 'tools/call' } };
    const state = await codec.mint({ step: 1 }, ctx);
    const before = await sdk.collect();
    const tracer = trace.getTracer('telemetry-test');
    const verify = (name: string) =>
      tracer.startActiveSpan(name, async (span) => {
        try {
          return await codec.verify(state, ctx);
        } finally {
          span.end();
        }
      });
    await expect(verify('first use')).resolves.toEqual({ step: 1 });
    await expect(verify('replay')).rejects.toBeInstanceOf(RequestStateError);

    for (const name of ['first use', 'replay']) {
      const parent = await spanWhere((s) => s.name === name, `the '${name}' span`);
      const claim = await spanWhere(
        (s) => s.name === 'claim claims' && s.parentSpanContext?.spanId === parent.spanContext().spanId,
        `the claim of '${name}'`,
      );
      expect(claim.kind).toBe(SpanKind.CLIENT);
      expect(claim.attributes).toMatchObject({
        'db.system.name': 'redis',
        'db.operation.name': 'claim',
        'mcp_session_store.component': 'claim_store',
        'mcp_session_store.adapter': '@mcp-session-store/redis',
      });
    }
    const after = await sdk.collect();
    const claims = {
      'db.operation.name': 'claim',
      'mcp_session_store.component': 'claim_store',
    };
    const recorded = (points: readonly MetricPoint[]) =>
      metricValue(points, 'db.client.operation.duration', claims);
    expect(recorded(after) - recorded(before)).toBe(2);
  });
});

describe('redaction', () => {
  test('no session id appears unredacted in any span or metric point, only its redacted form', async () => {
    // A session of its own too (when run alone): an answer forwarded to pod-0, a rehydration on pod-1.
    const { client, routing, sessionId } = await sessionOnPod0(isAnswer);
    await client.callTool({ name: 'ask', arguments: {} });
    routing.pick = () => 1;
    await client.callTool({ name: 'echo', arguments: {} });
    await spanWhere(requestSpan('pod-1', 'tools/call echo', sessionId), 'the rehydrated call span');
    const spans = sdk.spans().map((s) => ({
      name: s.name,
      attributes: s.attributes,
      status: s.status,
      events: s.events.map((e) => ({ name: e.name, attributes: e.attributes })),
      links: s.links.map((l) => ({ context: l.context, attributes: l.attributes })),
    }));
    const points = (await sdk.collect()).map((p) => ({ name: p.name, attributes: p.attributes }));
    const recorded = JSON.stringify({ spans, points });
    for (const id of sessionIds) {
      expect({ id, unredacted: recorded.includes(id) }).toEqual({ id, unredacted: false });
      expect({ id, redacted: recorded.includes(JSON.stringify(redactSessionId(id))) }).toEqual({
        id,
        redacted: true,
      });
    }
  });
});
