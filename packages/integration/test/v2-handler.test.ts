// createMcpSessionHandler, the SDK v2 entry point, as a v2 user meets it: the factory's `ctx`
// (v2's own fields plus the session's), `fetch` with `authInfo`, and clear errors for bad input.
import { isSessionStoreError } from '@mcp-session-store/core';
import { createMcpSessionHandler, type McpSessionContext } from '@mcp-session-store/core/v2';
import { MemoryBackend, MemoryMessageBus, MemorySessionStore } from '@mcp-session-store/memory';
import { McpServer } from '@modelcontextprotocol/server';
import { HEADERS, INITIALIZE, rpc } from '../src/raw-mcp.js';

const AUTH = { token: 'secret-token', clientId: 'client-1', scopes: ['mcp'] };

function pods(count: number, seen: McpSessionContext[]) {
  const backend = new MemoryBackend();
  return Array.from({ length: count }, (_, i) =>
    createMcpSessionHandler(
      (ctx) => {
        seen.push(ctx);
        return new McpServer({ name: 'ctx', version: '1' });
      },
      {
        store: new MemorySessionStore({ backend }),
        bus: new MemoryMessageBus({ backend }),
        processId: `pod-${i}`,
        principal: ({ authInfo }) => authInfo?.clientId ?? null,
      },
    ),
  );
}

const post = (body: string, headers: Record<string, string> = {}) =>
  new Request('http://127.0.0.1/mcp', { method: 'POST', headers: { ...HEADERS, ...headers }, body });

test('the factory gets v2 ctx (era, authInfo, requestInfo) and the session (id, principal, rehydrated)', async () => {
  const seen: McpSessionContext[] = [];
  const [a, b] = pods(2, seen);
  try {
    const init = await a!.fetch(post(INITIALIZE), { authInfo: AUTH });
    expect(init.status).toBe(200);
    await init.text();
    const sessionId = init.headers.get('mcp-session-id')!;
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      era: 'legacy',
      sessionId,
      principal: 'client-1',
      rehydrated: false,
      record: undefined,
      authInfo: AUTH,
    });
    expect(seen[0]!.requestInfo).toBeInstanceOf(Request);
    expect(seen[0]!.requestInfo!.method).toBe('POST');

    // Another pod brings the session back: the factory is told, with the stored record.
    const list = await b!.fetch(post(rpc(1, 'tools/list'), { 'mcp-session-id': sessionId }), {
      authInfo: AUTH,
    });
    expect(list.status).toBe(200);
    await list.text();
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatchObject({ era: 'legacy', sessionId, principal: 'client-1', rehydrated: true });
    expect(seen[1]!.record).toMatchObject({ id: sessionId, principal: 'client-1' });

    // A 2026-07-28 request has no session: era 'modern', sessionId null.
    const modern = await a!.fetch(post(rpc(2, 'tools/list'), { 'mcp-protocol-version': '2026-07-28' }));
    await modern.text();
    expect(seen.at(-1)).toMatchObject({ era: 'modern', sessionId: null, rehydrated: false });
  } finally {
    await Promise.all([a!.close(), b!.close()]);
  }
});

test('a missing factory, store or bus is a typed INVALID_ARGUMENT error', () => {
  const backend = new MemoryBackend();
  const store = new MemorySessionStore({ backend });
  const bus = new MemoryMessageBus({ backend });
  const invalid = (make: () => unknown) => {
    try {
      make();
    } catch (error) {
      return isSessionStoreError(error, 'INVALID_ARGUMENT');
    }
    return false;
  };
  expect(invalid(() => createMcpSessionHandler(undefined as never, { store, bus }))).toBe(true);
  const factory = () => new McpServer({ name: 'x', version: '1' });
  expect(invalid(() => createMcpSessionHandler(factory, { bus } as never))).toBe(true);
  expect(invalid(() => createMcpSessionHandler(factory, { store } as never))).toBe(true);
  expect(invalid(() => createMcpSessionHandler(factory, { store, bus, processId: 'has spaces' }))).toBe(true);
});
