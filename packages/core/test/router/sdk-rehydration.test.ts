// Guards the one module that depends on how the SDK initializes sessions, on both SDK majors
// (`@modelcontextprotocol/sdk` 1.x and `@modelcontextprotocol/server` 2.x run the same cases). If
// an SDK upgrade changes any of this, these tests fail with a message saying what the router relied on.

import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport as TransportV1 } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  McpServer as McpServerV2,
  WebStandardStreamableHTTPServerTransport as TransportV2,
  LATEST_PROTOCOL_VERSION as V2_LATEST,
  SUPPORTED_PROTOCOL_VERSIONS as V2_SUPPORTED,
} from '@modelcontextprotocol/server';
import type { SessionRecord } from '../../src/index.js';
import {
  negotiatedProtocolVersion,
  type ProtocolVersions,
  type ReplayableTransport,
  rehydrateSession,
} from '../../src/router/sdk-rehydration.js';
import { SDK1_PROTOCOL_VERSIONS } from '../../src/router/sdk1-binding.js';

/** A connected server and transport of one SDK major, with every message the transport sends. */
interface Rig {
  transport: ReplayableTransport;
  clientCapabilities(): unknown;
  clientInfo(): unknown;
  log(level: 'debug' | 'error', data: string): Promise<void>;
  sent: Array<{ method?: string; params?: { data?: unknown } }>;
}

interface Major {
  name: string;
  versions: ProtocolVersions;
  rig(sessionId: string): Promise<Rig>;
}

/** Records what the transport sends, then passes it on. */
function recordSends(transport: { send: (...args: never[]) => Promise<void> }, sent: Rig['sent']): void {
  const send = transport.send.bind(transport) as (...args: unknown[]) => Promise<void>;
  (transport as { send: unknown }).send = async (message: Rig['sent'][number], ...rest: unknown[]) => {
    sent.push(message);
    await send(message, ...rest);
  };
}

/** The part of either major's `McpServer` these tests use. */
interface ServerLike {
  registerTool(
    name: string,
    config: { description: string },
    callback: () => Promise<{ content: Array<{ type: 'text'; text: string }> }>,
  ): unknown;
  connect(transport: never): Promise<void>;
  server: { getClientCapabilities(): unknown; getClientVersion(): unknown };
  sendLoggingMessage(params: { level: 'debug' | 'error'; data: unknown }, sessionId?: string): Promise<void>;
}

type TransportLike = ReplayableTransport & { send: (...args: never[]) => Promise<void> };

/** A major from its two classes: the same server (one tool, logging) on the same transport. */
function major(
  name: string,
  versions: ProtocolVersions,
  newServer: () => ServerLike,
  newTransport: (sessionId: string) => TransportLike,
): Major {
  return {
    name,
    versions,
    async rig(sessionId) {
      const server = newServer();
      server.registerTool('ping-tool', { description: 'x' }, async () => ({
        content: [{ type: 'text', text: 'ok' }],
      }));
      const transport = newTransport(sessionId);
      const sent: Rig['sent'] = [];
      recordSends(transport, sent);
      await server.connect(transport as never);
      return {
        transport,
        sent,
        clientCapabilities: () => server.server.getClientCapabilities(),
        clientInfo: () => server.server.getClientVersion(),
        log: (level, data) => server.sendLoggingMessage({ level, data }, sessionId),
      };
    },
  };
}

const LOGGING = { capabilities: { logging: {} } };
const SDK1 = major(
  '@modelcontextprotocol/sdk 1.x',
  SDK1_PROTOCOL_VERSIONS,
  () => new McpServerV1({ name: 's', version: '1' }, LOGGING),
  (id) => new TransportV1({ sessionIdGenerator: () => id }),
);
const SDK2 = major(
  '@modelcontextprotocol/server 2.x',
  { supported: V2_SUPPORTED, latest: V2_LATEST },
  () => new McpServerV2({ name: 's', version: '1' }, LOGGING),
  (id) => new TransportV2({ sessionIdGenerator: () => id }),
);

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

function post(body: unknown, sessionId = record.id) {
  return new Request('http://localhost/mcp', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': sessionId,
      'mcp-protocol-version': record.protocolVersion,
    },
    body: JSON.stringify(body),
  });
}

describe.each([SDK1, SDK2])('$name', (major) => {
  async function rehydrated(logLevel: SessionRecord['logLevel'] = record.logLevel) {
    const rig = await major.rig(record.id);
    await rehydrateSession(rig.transport, { ...record, logLevel });
    return rig;
  }

  test('a fresh transport that was not rehydrated refuses the session (400): what rehydration is for', async () => {
    const rig = await major.rig(record.id);
    expect(
      (await rig.transport.handleRequest(post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }))).status,
    ).toBe(400);
  });

  test('the replayed initialize adopts the stored session id and leaves the transport initialized', async () => {
    const { transport } = await rehydrated();
    expect(transport.sessionId).toBe(record.id);
    const res = await transport.handleRequest(post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
    // A transport that is not initialized answers 400 "Server not initialized".
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('ping-tool');
  });

  test('the server gets the stored client capabilities and client info', async () => {
    const rig = await rehydrated();
    expect(rig.clientCapabilities()).toEqual(record.clientCapabilities);
    expect(rig.clientInfo()).toEqual(record.clientInfo);
  });

  test('the stored log level filters log messages again', async () => {
    const rig = await rehydrated('error');
    await rig.log('debug', 'dropped');
    await rig.log('error', 'kept');
    const logs = rig.sent.filter((m) => m.method === 'notifications/message');
    expect(logs.map((m) => m.params?.data)).toEqual(['kept']);
  });

  test('another session id is still refused (404) by a rehydrated transport', async () => {
    const { transport } = await rehydrated();
    expect(
      (await transport.handleRequest(post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, 'someone-else')))
        .status,
    ).toBe(404);
  });

  test('negotiation follows the SDK: supported versions are kept, others become the latest', () => {
    expect(negotiatedProtocolVersion('2025-06-18', major.versions)).toBe('2025-06-18');
    expect(negotiatedProtocolVersion('1999-01-01', major.versions)).toBe(major.versions.latest);
    expect(negotiatedProtocolVersion(undefined, major.versions)).toBe(major.versions.latest);
  });
});
