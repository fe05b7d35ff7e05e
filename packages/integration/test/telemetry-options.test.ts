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

test('methods and tools a client makes up do not grow the metrics without bound: past the first ones they are _OTHER', async () => {
  const own = createOtelSdk();
  const handler = startHandler('pod-bounded', { meterProvider: own.meterProvider });
  try {
    const fetch = (url: string | URL | Request, init?: RequestInit) => handler.fetch(new Request(url, init));
    const client = new Client({ name: 'flood', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL('http://pod.invalid/mcp'), { fetch });
    await client.connect(transport);
    const post = (body: object) =>
      handler.fetch(
        new Request('http://pod.invalid/mcp', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-session-id': transport.sessionId!,
            'mcp-protocol-version': '2025-11-25',
          },
          body: JSON.stringify(body),
        }),
      );
    for (let i = 0; i < 300; i++) {
      // An unknown method and an unknown tool each time: each answered with a JSON-RPC error.
      await (await post({ jsonrpc: '2.0', id: `m${i}`, method: `made/up-${i}` })).text();
      await (
        await post({ jsonrpc: '2.0', id: `t${i}`, method: 'tools/call', params: { name: `tool-${i}` } })
      ).text();
    }
    await transport.terminateSession();
    await client.close();

    const points = (await own.collect()).filter((p) => p.name === 'mcp.server.operation.duration');
    const methods = new Set(points.map((p) => p.attributes['mcp.method.name']));
    const tools = new Set(points.map((p) => p.attributes['gen_ai.tool.name']).filter(Boolean));
    expect(methods.has('_OTHER')).toBe(true);
    expect(methods.size).toBeLessThanOrEqual(65);
    expect(methods.has('tools/call')).toBe(true); // a real method seen early stays itself
    expect(tools.has('_OTHER')).toBe(true);
    expect(tools.size).toBeLessThanOrEqual(257);
  } finally {
    await handler.close();
  }
});
