// The SDK v2 baseline: the v2 example server as one stock SDK process, the way v2's documentation
// writes a sessionful server (docs/serving/sessions-state-scaling.md): an Express app from
// `createMcpExpressApp`, a `NodeStreamableHTTPServerTransport` per session in a map in process
// memory, an in-memory event store. No router, no store. `pnpm conformance --sdk 2 --store stock`
// runs the official suite against it, so every v2 figure of ours has its single-process reference.
//   PORT=3000 node --import tsx src/stock-server-v2.ts
import { randomUUID } from 'node:crypto';
import { createMcpExpressApp } from '@modelcontextprotocol/express';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
// v2 ships no event store: its docs point to the SDK repository's examples/shared/src/
// inMemoryEventStore.ts, the same class SDK 1.x publishes here (same EventStore interface).
import { InMemoryEventStore } from '@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js';
import { type EventStore, isInitializeRequest } from '@modelcontextprotocol/server';
import type { Request, Response } from 'express';
import { createExampleServerV2 } from './example-server-v2.js';

const port = Number(process.env.PORT ?? 3000);
const sessions = new Map<string, NodeStreamableHTTPServerTransport>();
// Binding to loopback turns on the SDK's Host and Origin validation (DNS-rebinding protection).
const app = createMcpExpressApp({ host: '127.0.0.1' });

const route = async (req: Request, res: Response) => {
  const sessionId = req.headers['mcp-session-id'];
  const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
  if (existing) return existing.handleRequest(req, res, req.body);
  if (sessionId === undefined && req.method === 'POST' && isInitializeRequest(req.body)) {
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: new InMemoryEventStore() as EventStore,
      retryInterval: 500,
      onsessioninitialized: (id) => void sessions.set(id, transport),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await createExampleServerV2({ pod: 'stock', sessionId: null }).connect(transport);
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
app.post('/mcp', route);
app.get('/mcp', route);
app.delete('/mcp', route);
app.get('/healthz', (_req, res) => res.send('ok'));

const server = app.listen(port, '127.0.0.1', () => console.log(`stock SDK v2 server listening on ${port}`));
const shutdown = () => {
  for (const transport of sessions.values()) void transport.close();
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
