// The drop-in transport with the original proposal's options (upstream PR #1193), used the way the
// SDK's docs use its transport: one transport per session, kept in a map by each process.
import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSessionStoreError, SessionStoreError } from '@mcp-session-store/core';
import {
  type LegacySessionStore,
  type SessionData,
  StreamableHTTPServerTransport,
  type StreamableHTTPServerTransportOptions,
} from '@mcp-session-store/core/router';
import { MemoryBackend, MemorySessionStore } from '@mcp-session-store/memory';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createTestServer } from '../src/test-server.js';

/** The proposal's own InMemorySessionStore shape: the five methods, nothing else. */
class FiveMethodStore implements LegacySessionStore {
  readonly data = new Map<string, SessionData>();
  async storeSession(id: string, data: SessionData) {
    this.data.set(id, structuredClone(data));
  }
  async getSession(id: string) {
    return this.data.get(id) ?? null;
  }
  async updateSessionActivity(id: string) {
    const d = this.data.get(id);
    if (d) d.lastActivity = Date.now();
  }
  async deleteSession(id: string) {
    this.data.delete(id);
  }
  async sessionExists(id: string) {
    return this.data.has(id);
  }
}

/** A process as the SDK docs write one: a map of transports, a new one per initialize or unknown id. */
async function startApp(name: string, options: () => Partial<StreamableHTTPServerTransportOptions>) {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const http: HttpServer = createServer(async (req, res) => {
    const sessionId = req.headers['mcp-session-id'] as string | undefined;
    let transport = sessionId ? transports.get(sessionId) : undefined;
    if (!transport) {
      const { onsessioninitialized, ...rest } = options();
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: async (id) => {
          transports.set(id, transport!);
          await onsessioninitialized?.(id);
        },
        ...rest,
      });
      if (sessionId) transports.set(sessionId, transport);
      await createTestServer(name, {
        sessionId: null,
        principal: null,
        record: undefined,
        rehydrated: false,
      }).connect(transport);
    }
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async stop() {
      for (const t of transports.values()) await t.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** One tools/call on a given process, for a session created elsewhere (no initialize). */
async function callOn(url: string, sessionId: string, name: string): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name } }),
  });
  const text = await res.text();
  if (res.status !== 200) return `HTTP ${res.status}`;
  const data = JSON.parse(/^data: (.*)$/m.exec(text)![1]!);
  return data.result.content[0].text;
}

test('the proposal snippet: modes, getters, and a missing store refused at construction', () => {
  const memory = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
  expect(memory.sessionStorageMode).toBe('memory');
  expect(memory.isUsingExternalSessionStore).toBe(false);
  const external = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    sessionStorageMode: 'external',
    sessionStore: new MemorySessionStore(),
  });
  expect(external.sessionStorageMode).toBe('external');
  expect(external.isUsingExternalSessionStore).toBe(true);
  let error: unknown;
  try {
    new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      sessionStorageMode: 'external',
    });
  } catch (err) {
    error = err;
  }
  expect(isSessionStoreError(error, 'INVALID_ARGUMENT')).toBe(true);
});

test.each([
  ['a SessionStore of this project', () => new MemorySessionStore({ backend: new MemoryBackend() })],
  ['a five-method store of the proposal', () => new FiveMethodStore()],
])(
  'external mode with %s: a session created on one process is recovered on another',
  async (_, makeStore) => {
    const store = makeStore();
    const a = await startApp('pod-a', () => ({ sessionStorageMode: 'external', sessionStore: store }));
    const b = await startApp('pod-b', () => ({ sessionStorageMode: 'external', sessionStore: store }));
    try {
      const client = new Client(
        { name: 'compat-client', version: '4.5.6' },
        { capabilities: { sampling: {}, roots: { listChanged: true } } },
      );
      const transport = new StreamableHTTPClientTransport(new URL(a.url));
      await client.connect(transport);
      const sessionId = transport.sessionId!;
      expect(await callOn(a.url, sessionId, 'whoami')).toBe('pod-a');
      expect(await callOn(b.url, sessionId, 'whoami')).toBe('pod-b');
      // Recovered with what the client declared, not just the id.
      const info = JSON.parse(await callOn(b.url, sessionId, 'client-info'));
      expect(info.info).toEqual({ name: 'compat-client', version: '4.5.6' });
      expect(info.caps).toEqual({ sampling: {}, roots: { listChanged: true } });
      expect(await callOn(b.url, 'never-created', 'whoami')).toBe('HTTP 404');
      await client.close();
    } finally {
      await a.stop();
      await b.stop();
    }
  },
);

test('memory mode behaves as the SDK: another process does not know the session', async () => {
  const a = await startApp('pod-a', () => ({}));
  const b = await startApp('pod-b', () => ({}));
  try {
    const client = new Client({ name: 'c', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(a.url));
    await client.connect(transport);
    expect(await callOn(a.url, transport.sessionId!, 'whoami')).toBe('pod-a');
    expect(await callOn(b.url, transport.sessionId!, 'whoami')).toMatch(/^HTTP 4\d\d$/);
    await client.close();
  } finally {
    await a.stop();
    await b.stop();
  }
});

test('onsessioninitialized runs before the session is stored, and metadata it stores is kept', async () => {
  const store = new FiveMethodStore();
  const order: string[] = [];
  const app = await startApp('pod-a', () => ({
    sessionStorageMode: 'external',
    sessionStore: store,
    onsessioninitialized: async (id: string) => {
      order.push(`callback:${store.data.has(id)}`);
      await store.storeSession(id, {
        sessionId: id,
        initialized: true,
        createdAt: Date.now(),
        lastActivity: Date.now(),
        metadata: { tenant: 'acme' },
      });
    },
  }));
  try {
    const client = new Client({ name: 'c', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(app.url));
    await client.connect(transport);
    // Another transport recovering the session (as a second process would) does not call it again.
    expect(await callOn(app.url, transport.sessionId!, 'whoami')).toBe('pod-a');
    const other = await startApp('pod-b', () => ({ sessionStorageMode: 'external', sessionStore: store }));
    expect(await callOn(other.url, transport.sessionId!, 'whoami')).toBe('pod-b');
    await other.stop();
    expect(order).toEqual(['callback:false']);
    const stored = store.data.get(transport.sessionId!)!;
    expect(stored.metadata?.tenant).toBe('acme');
    expect(stored.initialized).toBe(true);
    await client.close();
  } finally {
    await app.stop();
  }
});

test('a store outage during initialize is a 503, and a session deleted elsewhere stops being served', async () => {
  const store = new MemorySessionStore();
  let down = false;
  const flaky = Object.assign(Object.create(Object.getPrototypeOf(store)), store, {
    create: (session: Parameters<typeof store.create>[0]) =>
      down
        ? Promise.reject(new SessionStoreError('BACKEND_UNAVAILABLE', 'down (test)'))
        : store.create(session),
  });
  const app = await startApp('pod-a', () => ({
    sessionStorageMode: 'external',
    sessionStore: flaky,
    touchIntervalMs: 0,
  }));
  try {
    down = true;
    const init = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      }),
    });
    expect(init.status).toBe(503);
    down = false;
    const client = new Client({ name: 'c', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(app.url));
    await client.connect(transport);
    const sessionId = transport.sessionId!;
    expect(await callOn(app.url, sessionId, 'whoami')).toBe('pod-a');
    await store.delete(sessionId); // as another process would
    expect(await callOn(app.url, sessionId, 'whoami')).toBe('HTTP 404');
    await client.close();
  } finally {
    await app.stop();
  }
});
