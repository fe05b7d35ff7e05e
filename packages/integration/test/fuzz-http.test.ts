// Property-based bad input against a running cluster (2 routers behind the balancer): hostile
// session ids and bodies get 4xx answers, never a 5xx, and a malformed id never reaches the store.
import { isValidSessionId, type SessionStore } from '@mcp-session-store/core';
import fc from 'fast-check';
import { type InProcessCluster, startInProcessCluster } from '../src/in-process-cluster.js';

let cluster: InProcessCluster;
/** Ids the store was asked about (any operation that takes an id). */
const storeIds: string[] = [];

beforeAll(async () => {
  cluster = await startInProcessCluster({
    pods: 2,
    wrapStore: (store) =>
      new Proxy(store, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (typeof args[0] === 'string') storeIds.push(args[0]);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }) as SessionStore,
  });
});

afterAll(async () => {
  await cluster.stop();
});

const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
  'x-user': 'alice',
};

/** Characters an HTTP header value may carry (tab, visible ASCII, Latin-1): Node sends them as bytes. */
const headerChar = fc.oneof(
  fc.constantFrom('\t', ' ', '*', '{', '}', ':', '?', '[', ']', '/', '\\', '"', '\u00a0', '\u00e9', '\u00ff'),
  fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
);
const hostileId = fc.oneof(
  fc.string({ unit: headerChar, minLength: 1, maxLength: 40 }),
  fc.string({ unit: headerChar, minLength: 250, maxLength: 2_000 }),
  fc.constantFrom('*', 'mcp:*', '{a}', 'a:b:c', '..', '%00', `x${'a'.repeat(300)}`),
);

async function send(method: 'POST' | 'GET' | 'DELETE', sessionId: string, body?: string): Promise<number> {
  const res = await fetch(cluster.url, {
    method,
    headers: { ...HEADERS, 'mcp-session-id': sessionId },
    ...(body !== undefined && { body }),
  });
  await res.body?.cancel();
  return res.status;
}

test('hostile session ids: 4xx on POST, GET and DELETE, and a malformed one never reaches the store', async () => {
  await fc.assert(
    fc.asyncProperty(hostileId, async (raw) => {
      // Header values are trimmed on the wire: the id the server sees has no outer whitespace.
      const id = raw.trim();
      fc.pre(id.length > 0);
      storeIds.length = 0;
      const list = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
      for (const status of [await send('POST', id, list), await send('GET', id), await send('DELETE', id)]) {
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }
      if (!isValidSessionId(id)) expect(storeIds).toEqual([]);
    }),
    { numRuns: 150 },
  );
});

test('the spy sees lookups: a well-formed unknown id is read from the store and answered 404', async () => {
  storeIds.length = 0;
  const id = 'well-formed-but-unknown-session-id';
  expect(await send('POST', id, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }))).toBe(404);
  expect(storeIds).toContain(id);
});

test('hostile bodies on a live session: never a 5xx, and the session keeps working', async () => {
  const init = await fetch(cluster.url, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } },
    }),
  });
  await init.text();
  const sessionId = init.headers.get('mcp-session-id')!;
  const body = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    // Answers to requests never sent, with ids of every shape, ours included.
    fc
      .record({
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 80 }), fc.constant('mcpss.pod-1.0')),
        result: fc.jsonValue({ maxDepth: 2 }),
      })
      .map((r) => JSON.stringify({ jsonrpc: '2.0', ...r })),
    fc
      .record({ method: fc.string({ maxLength: 30 }), params: fc.jsonValue({ maxDepth: 2 }) })
      .map((r) => JSON.stringify({ jsonrpc: '2.0', id: 9, ...r })),
  );
  await fc.assert(
    fc.asyncProperty(body, async (payload) => {
      const status = await send('POST', sessionId, payload);
      expect(status).toBeLessThan(500);
    }),
    { numRuns: 200 },
  );
  const after = await send(
    'POST',
    sessionId,
    JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/list' }),
  );
  expect(after).toBe(200);
});

test('a body over the limit is refused with 413, not read into memory without bound', async () => {
  const huge = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/list',
    params: { pad: 'x'.repeat(5 * 2 ** 20) },
  });
  const res = await fetch(cluster.url, { method: 'POST', headers: HEADERS, body: huge });
  await res.body?.cancel();
  expect(res.status).toBe(413);
});
