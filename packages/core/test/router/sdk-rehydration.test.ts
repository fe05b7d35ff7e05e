// Guards the one module that depends on how the SDK initializes sessions. If an SDK upgrade
// changes any of this, these tests fail with a message saying what the router relied on.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { type JSONRPCMessage, LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { SessionRecord } from '../../src/index.js';
import { negotiatedProtocolVersion, rehydrateSession } from '../../src/router/sdk-rehydration.js';

const record: SessionRecord = {
  id: 'rehydrated-session-1',
  principal: 'alice',
  protocolVersion: '2025-06-18',
  clientInfo: { name: 'stored-client', version: '9.9.9' },
  clientCapabilities: { sampling: {}, roots: { listChanged: true } },
  logLevel: 'error',
  metadata: {},
  createdAt: 1,
  lastActivityAt: 1,
  expiresAt: Date.now() + 60_000,
  version: 1,
};

async function rehydrated(logLevel: SessionRecord['logLevel'] = record.logLevel) {
  const server = new McpServer({ name: 's', version: '1' }, { capabilities: { logging: {} } });
  server.registerTool('ping-tool', { description: 'x' }, async () => ({
    content: [{ type: 'text', text: 'ok' }],
  }));
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: () => record.id });
  const sent: JSONRPCMessage[] = [];
  const send = transport.send.bind(transport);
  transport.send = async (message, options) => {
    sent.push(message);
    await send(message, options);
  };
  await server.connect(transport);
  await rehydrateSession(transport, { ...record, logLevel });
  return { server, transport, sent };
}

function post(body: unknown) {
  return new Request('http://localhost/mcp', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': record.id,
      'mcp-protocol-version': record.protocolVersion,
    },
    body: JSON.stringify(body),
  });
}

test('the replayed initialize adopts the stored session id and leaves the transport initialized', async () => {
  const { transport } = await rehydrated();
  expect(transport.sessionId).toBe(record.id);
  const res = await transport.handleRequest(post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
  // A transport that is not initialized answers 400 "Server not initialized".
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('ping-tool');
});

test('the server gets the stored client capabilities and client info', async () => {
  const { server } = await rehydrated();
  expect(server.server.getClientCapabilities()).toEqual(record.clientCapabilities);
  expect(server.server.getClientVersion()).toEqual(record.clientInfo);
});

test('the stored log level filters log messages again', async () => {
  const { server, sent } = await rehydrated('error');
  await server.sendLoggingMessage({ level: 'debug', data: 'dropped' }, record.id);
  await server.sendLoggingMessage({ level: 'error', data: 'kept' }, record.id);
  const logs = sent.filter((m) => 'method' in m && m.method === 'notifications/message');
  expect(logs.map((m) => (m as unknown as { params: { data: string } }).params.data)).toEqual(['kept']);
});

test('another session id is still refused (404) by a rehydrated transport', async () => {
  const { transport } = await rehydrated();
  const req = post({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  req.headers.set('mcp-session-id', 'someone-else');
  expect((await transport.handleRequest(req)).status).toBe(404);
});

test('negotiation follows the SDK: supported versions are kept, others become the latest', () => {
  expect(negotiatedProtocolVersion('2025-06-18')).toBe('2025-06-18');
  expect(negotiatedProtocolVersion('1999-01-01')).toBe(LATEST_PROTOCOL_VERSION);
  expect(negotiatedProtocolVersion(undefined)).toBe(LATEST_PROTOCOL_VERSION);
});
