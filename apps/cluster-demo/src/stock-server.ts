// The baseline: the same example server as one stock SDK process, the way the SDK's documentation
// writes it (an Express app from `createMcpExpressApp`, a map of transports in process memory, the
// SDK's in-memory event store). No router, no store. `pnpm conformance --store stock` runs the
// official suite against it, so every figure of ours has its single-process reference. Its
// shutdown is the demo pods' (createGracefulShutdown: /readyz, /healthz, a grace period).
//   PORT=3000 node --import tsx src/stock-server.ts
import { randomUUID } from 'node:crypto';
import { createGracefulShutdown } from '@mcp-session-store/core';
import { InMemoryEventStore } from '@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Request, Response } from 'express';
import { createExampleServer } from './example-server.js';
import { podSettingsFromEnv } from './pod-settings.js';

const port = Number(process.env.PORT ?? 3000);
const transports = new Map<string, StreamableHTTPServerTransport>();
// Binding to loopback turns on the SDK's Host-header validation (DNS-rebinding protection).
const app = createMcpExpressApp({ host: '127.0.0.1' });

const noSession = {
  jsonrpc: '2.0',
  error: { code: -32000, message: 'Bad Request: No valid session ID' },
  id: null,
};
// An unknown (or terminated) session id gets 404, as the spec requires and the 0.2 runner checks;
// the SDK 1.x documentation's example answers 400 there, as it does for a missing header.
const unknownSession = { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null };

app.post('/mcp', async (req, res) => {
  const sessionId = req.headers['mcp-session-id'];
  const existing = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
  if (existing) return existing.handleRequest(req, res, req.body);
  if (sessionId !== undefined) return res.status(404).json(unknownSession);
  if (!isInitializeRequest(req.body)) return res.status(400).json(noSession);
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    eventStore: new InMemoryEventStore(),
    retryInterval: 500,
    onsessioninitialized: (id) => void transports.set(id, transport),
  });
  transport.onclose = () => {
    if (transport.sessionId) transports.delete(transport.sessionId);
  };
  await createExampleServer({ pod: 'stock', sessionId: null }).connect(transport);
  return transport.handleRequest(req, res, req.body);
});

const bySession = async (req: Request, res: Response) => {
  const sessionId = req.headers['mcp-session-id'];
  const transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
  if (!transport)
    return sessionId === undefined ? res.status(400).json(noSession) : res.status(404).json(unknownSession);
  return transport.handleRequest(req, res);
};
app.get('/mcp', bySession);
app.delete('/mcp', bySession);

const server = app.listen(port, '127.0.0.1', () => console.log(`stock SDK server listening on ${port}`));
createGracefulShutdown({
  server,
  // The stock SDK has no drain of its own: closing a transport ends its streams.
  handler: { close: async () => void (await Promise.all([...transports.values()].map((t) => t.close()))) },
  graceMs: podSettingsFromEnv(process.env).shutdownGraceMs,
});
