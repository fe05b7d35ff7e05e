// The SDK v2 baseline: the v2 example server as one stock SDK process serving both protocol eras on
// one endpoint, in the shape of the SDK's own conformance fixture. `classifyInboundRequest` sends
// 2025 traffic (initialize, requests of a session, GET, DELETE) to a `NodeStreamableHTTPServerTransport`
// per session, kept in a map in process memory with an in-memory event store, as v2's documentation
// writes a sessionful server (docs/serving/sessions-state-scaling.md); and 2026-07-28 traffic to
// `createMcpHandler(factory, { legacy: 'reject' })`, a fresh server per request, whose listen streams
// hang off its in-memory event bus. No router, no store. `pnpm conformance --sdk 2 --store stock`
// runs the official suites against it, so every v2 figure of ours has its single-process reference;
// `--store stock-cluster` runs it as several processes behind the balancer, to show what breaks.
// Its shutdown is the demo pods' (createGracefulShutdown: /readyz, /healthz, a grace period).
//   PORT=3000 node --import tsx src/stock-server-v2.ts
// Its `requestState` codec is the SDK's own (one HMAC key, no rotation, no at-most-once): several
// processes of it need the same key, the active key of the keyring file in DEMO_KEYRING_FILE
// (keyring-file.ts); alone, without it, any random key will do.
import { randomUUID } from 'node:crypto';
import { createGracefulShutdown } from '@mcp-session-store/core';
import { createMcpExpressApp } from '@modelcontextprotocol/express';
import { NodeStreamableHTTPServerTransport, toNodeHandler } from '@modelcontextprotocol/node';
// v2 ships no event store: its docs point to the SDK repository's examples/shared/src/
// inMemoryEventStore.ts, the same class SDK 1.x publishes here (same EventStore interface).
import { InMemoryEventStore } from '@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js';
import {
  classifyInboundRequest,
  createMcpHandler,
  createRequestStateCodec,
  type EventStore,
  isInitializeRequest,
  type McpServer,
  type ServerNotifier,
} from '@modelcontextprotocol/server';
import type { Request, Response } from 'express';
import { createExampleServerV2, type ExampleRequestState } from './example-server-v2.js';
import { KEYRING_FILE_ENV, newKey, readKeyringFile } from './keyring-file.js';
import { podSettingsFromEnv } from './pod-settings.js';

const port = Number(process.env.PORT ?? 3000);
const keyringFile = process.env[KEYRING_FILE_ENV];
const keyring = keyringFile ? await readKeyringFile(keyringFile) : undefined;
const activeKey = keyring === undefined ? newKey() : keyring.keys[keyring.activeKeyId];
if (activeKey === undefined) throw new Error(`${KEYRING_FILE_ENV}: activeKeyId names none of the keys`);
const requestState = createRequestStateCodec<ExampleRequestState>({ key: Buffer.from(activeKey, 'base64') });
const sessions = new Map<string, { transport: NodeStreamableHTTPServerTransport; server: McpServer }>();

// One notifier for both eras: the modern handler's reaches every open listen stream, and each live
// 2025 session's own server its GET stream. Resource updates go to listen streams only: this server
// keeps no record of which 2025 session subscribed to what.
const forEachSession = (send: (server: McpServer) => void) => {
  for (const { server } of sessions.values()) send(server);
};
const notify: ServerNotifier = {
  toolsChanged: () => {
    modern.notify.toolsChanged();
    forEachSession((server) => server.sendToolListChanged());
  },
  promptsChanged: () => {
    modern.notify.promptsChanged();
    forEachSession((server) => server.sendPromptListChanged());
  },
  resourcesChanged: () => {
    modern.notify.resourcesChanged();
    forEachSession((server) => server.sendResourceListChanged());
  },
  resourceUpdated: (uri) => modern.notify.resourceUpdated(uri),
};
const createServer = () => createExampleServerV2({ pod: 'stock', sessionId: null, notify, requestState });

// 2026-07-28: one server per request; 2025 requests never reach it (`classifyInboundRequest` below).
const modern = createMcpHandler(createServer, { legacy: 'reject' });
const serveModern = toNodeHandler(modern);

const legacy = async (req: Request, res: Response) => {
  const sessionId = req.headers['mcp-session-id'];
  const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
  if (existing) return existing.transport.handleRequest(req, res, req.body);
  if (sessionId === undefined && req.method === 'POST' && isInitializeRequest(req.body)) {
    const server = createServer();
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: new InMemoryEventStore() as EventStore,
      retryInterval: 500,
      onsessioninitialized: (id) => void sessions.set(id, { transport, server }),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport.handleRequest(req, res, req.body);
  }
  // An unknown session: the client should start a new one. No session header: a malformed request.
  if (sessionId !== undefined) {
    return res
      .status(404)
      .json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
  }
  return res
    .status(400)
    .json({ jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: Session ID required' }, id: null });
};

/** The headers the classifier reads, those present only. */
const protocolHeaders = (req: Request) => {
  const value = (name: string) => {
    const raw = req.headers[name];
    return Array.isArray(raw) ? raw[0] : raw;
  };
  const [protocolVersionHeader, mcpMethodHeader, mcpNameHeader] = [
    value('mcp-protocol-version'),
    value('mcp-method'),
    value('mcp-name'),
  ];
  return {
    ...(protocolVersionHeader !== undefined && { protocolVersionHeader }),
    ...(mcpMethodHeader !== undefined && { mcpMethodHeader }),
    ...(mcpNameHeader !== undefined && { mcpNameHeader }),
  };
};
const route = async (req: Request, res: Response) => {
  const inbound = classifyInboundRequest({ httpMethod: req.method, ...protocolHeaders(req), body: req.body });
  // Everything that claims the 2026-07-28 envelope, malformed claims included (the modern path owns
  // their error answers), goes to the modern handler.
  if (inbound.kind !== 'legacy') return serveModern(req, res, req.body);
  return legacy(req, res);
};

// Binding to loopback turns on the SDK's Host and Origin validation (DNS-rebinding protection).
const app = createMcpExpressApp({ host: '127.0.0.1' });
app.post('/mcp', route);
app.get('/mcp', route);
app.delete('/mcp', route);

const server = app.listen(port, '127.0.0.1', () => console.log(`stock SDK v2 server listening on ${port}`));
createGracefulShutdown({
  server,
  // The stock SDK has no drain of its own: closing ends the 2025 streams and the listen streams.
  handler: {
    close: async () => {
      await Promise.all([...sessions.values()].map(({ transport }) => transport.close()));
      await modern.close();
    },
  },
  graceMs: podSettingsFromEnv(process.env).shutdownGraceMs,
});
