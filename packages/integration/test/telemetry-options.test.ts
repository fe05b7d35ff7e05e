// The `telemetry` option of the dual-era handler: the default follows the global providers, even
// a tracer provider registered after the handler was created; `false` records nothing although an
// SDK is registered; explicit providers get everything and the global ones nothing. A file of its
// own: its first test needs a process where no SDK has been registered yet.

import type { TelemetryOptions } from '@mcp-session-store/core';
import { createMcpDualEraHandler, type McpDualEraHandler } from '@mcp-session-store/core/v2';
import { MemoryMessageBus, MemorySessionStore } from '@mcp-session-store/memory';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { trace } from '@opentelemetry/api';
import { createOtelSdk, type OtelSdk, registerOtelSdk } from './support/otel-sdk.js';
import { waitUntil } from './support/wait-until.js';

function buildServer() {
  const server = new McpServer({ name: 'telemetry-options-test', version: '1' });
  server.registerTool('echo', { description: 'answers at once' }, async () => ({
    content: [{ type: 'text' as const, text: 'echo' }],
  }));
  return server;
}

/** A handler on the memory backend (one pod), its process id `processId`. */
function startHandler(processId: string, telemetry?: TelemetryOptions | false): McpDualEraHandler {
  return createMcpDualEraHandler(buildServer, {
    store: new MemorySessionStore(),
    bus: new MemoryMessageBus(),
    processId,
    keepAliveMs: 0,
    ...(telemetry !== undefined && { telemetry }),
  });
}

/** A 2025 session and a 2026-07-28 client on `handler`, each calling a tool, then closed. */
async function useBothEras(handler: McpDualEraHandler): Promise<void> {
  const fetch = (url: string | URL | Request, init?: RequestInit) => handler.fetch(new Request(url, init));
  const legacy = new Client({ name: 'legacy', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL('http://pod.invalid/mcp'), { fetch });
  await legacy.connect(transport);
  await legacy.callTool({ name: 'echo', arguments: {} });
  await transport.terminateSession();
  await legacy.close();
  const modern = new Client(
    { name: 'modern', version: '1' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await modern.connect(new StreamableHTTPClientTransport(new URL('http://pod.invalid/mcp'), { fetch }));
  await modern.callTool({ name: 'echo', arguments: {} });
  await modern.close();
}

const ofProcess = (processId: string) => (item: { attributes: Record<string, unknown> }) =>
  item.attributes['mcp_session_store.process.id'] === processId;

/** The global SDK, registered by the first test that needs it. */
let globalSdk: OtelSdk | undefined;
const registered = () => {
  globalSdk ??= registerOtelSdk();
  return globalSdk;
};

test('a handler created before any SDK is registered serves both eras, and traces once a tracer provider is registered', async () => {
  // First in the file (a process of its own): no SDK is registered yet.
  expect(globalSdk).toBeUndefined();
  expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
  const handler = startHandler('pod-early');
  try {
    await useBothEras(handler);
    const sdk = registered();
    await useBothEras(handler);
    await waitUntil(
      () => sdk.spans().filter((s) => s.name === 'tools/call echo' && ofProcess('pod-early')(s)).length === 2,
      'the spans of the requests after the registration',
    );
    const eras = sdk
      .spans()
      .filter((s) => s.name === 'tools/call echo')
      .map((s) => s.attributes['mcp_session_store.era']);
    expect(eras.sort()).toEqual(['2025', '2026']);
  } finally {
    await handler.close();
  }
});

test('telemetry: false records nothing, although an SDK is registered', async () => {
  const sdk = registered();
  const spansBefore = sdk.spans().length;
  const handler = startHandler('pod-off', false);
  try {
    await useBothEras(handler);
  } finally {
    await handler.close();
  }
  // Nothing was recorded by it or for it (the first test's handler is the only other one there was).
  expect(
    sdk
      .spans()
      .slice(spansBefore)
      .filter((s) => !ofProcess('pod-early')(s)),
  ).toEqual([]);
  expect((await sdk.collect()).filter(ofProcess('pod-off'))).toEqual([]);
});

test('explicit providers get the spans and metrics, the global ones none of them', async () => {
  const sdk = registered();
  const own = createOtelSdk();
  const handler = startHandler('pod-own', {
    tracerProvider: own.tracerProvider,
    meterProvider: own.meterProvider,
  });
  try {
    await useBothEras(handler);
    await waitUntil(
      () => own.spans().filter((s) => s.name === 'tools/call echo').length === 2,
      'both tool calls traced by the given provider',
    );
    expect(own.spans().every(ofProcess('pod-own'))).toBe(true);
    const points = await own.collect();
    expect(
      points.filter(
        (p) => p.name === 'mcp.server.operation.duration' && p.attributes['mcp.method.name'] === 'tools/call',
      ),
    ).toHaveLength(2); // one per era
  } finally {
    await handler.close();
  }
  expect(sdk.spans().filter(ofProcess('pod-own'))).toEqual([]);
  expect((await sdk.collect()).filter(ofProcess('pod-own'))).toEqual([]);
});

test('what a client makes up (methods, tools, protocol versions) never becomes a metric value or a span name: _OTHER; an error answer is marked failed', async () => {
  const own = createOtelSdk();
  // Nothing known was seen before the flood: a limit of "the first N values" would be used up.
  const handler = startHandler('pod-bounded', {
    tracerProvider: own.tracerProvider,
    meterProvider: own.meterProvider,
  });
  const post = (body: object, headers: Record<string, string> = {}) =>
    handler.fetch(
      new Request('http://pod.invalid/mcp', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: JSON.stringify(body),
      }),
    );
  try {
    for (let i = 0; i < 100; i++) {
      // Refused before any session exists (no session id): still recorded, as _OTHER.
      await (
        await post(
          { jsonrpc: '2.0', id: i, method: `made/up-${i}` },
          { 'mcp-protocol-version': `2099-01-${i}` },
        )
      ).text();
    }
    const fetch = (url: string | URL | Request, init?: RequestInit) => handler.fetch(new Request(url, init));
    const client = new Client({ name: 'flood', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL('http://pod.invalid/mcp'), { fetch });
    await client.connect(transport);
    const session = { 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '2025-11-25' };
    for (let i = 0; i < 20; i++) {
      await (
        await post(
          { jsonrpc: '2.0', id: `t${i}`, method: 'tools/call', params: { name: `tool-${i}` } },
          session,
        )
      ).text();
    }
    await client.callTool({ name: 'echo', arguments: {} });
    await transport.terminateSession();
    await client.close();

    const points = (await own.collect()).filter((p) => p.name === 'mcp.server.operation.duration');
    const methods = new Set(points.map((p) => p.attributes['mcp.method.name']));
    expect([...methods].sort()).toEqual(['_OTHER', 'initialize', 'notifications/initialized', 'tools/call']);
    const versions = new Set(points.map((p) => p.attributes['mcp.protocol.version']).filter(Boolean));
    expect([...versions].sort()).toEqual(['2025-11-25', '_OTHER']);
    expect(points.some((p) => 'gen_ai.tool.name' in p.attributes)).toBe(false);
    // The unknown tools were answered with a JSON-RPC error: counted as failed, by its code.
    const failedCalls = points.filter(
      (p) => p.attributes['mcp.method.name'] === 'tools/call' && p.attributes['error.type'] !== undefined,
    );
    expect(failedCalls.map((p) => [p.attributes['error.type'], p.value])).toEqual([['-32602', 20]]);
    expect(
      points
        .filter(
          (p) => p.attributes['mcp.method.name'] === 'tools/call' && p.attributes['error.type'] === undefined,
        )
        .map((p) => p.value),
    ).toEqual([1]);

    const spanNames = new Set(own.spans().map((s) => s.name));
    expect(spanNames.has('_OTHER')).toBe(true);
    expect([...spanNames].some((name) => name.includes('made/up'))).toBe(false);
    const failedSpan = own.spans().find((s) => s.name === 'tools/call tool-0');
    expect(failedSpan?.attributes).toMatchObject({
      'rpc.response.status_code': '-32602',
      'error.type': '-32602',
    });
    expect(failedSpan?.status.code).toBe(2); // SpanStatusCode.ERROR
  } finally {
    await handler.close();
  }
});
