// Property-based bad input against running clusters, on both SDK majors: 2 routers in this process
// behind the balancer (hostile session ids and bodies get 4xx answers, never a 5xx, and a malformed
// id never reaches the store), and 3 pod processes over Redis (hostile Last-Event-ID and
// MCP-Protocol-Version headers, sent byte for byte, get the answer the MCP spec gives them; the
// pods stay up).
import { connect } from 'node:net';
import { isValidSessionId, type SessionStore } from '@mcp-session-store/core';
import { messagesOf, type PodClusterHandle, readEvents } from '@mcp-session-store/testing';
import { SUPPORTED_PROTOCOL_VERSIONS as SDK1_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { SUPPORTED_PROTOCOL_VERSIONS as SDK2_VERSIONS } from '@modelcontextprotocol/server';
import fc from 'fast-check';
import { type InProcessCluster, startInProcessCluster } from '../src/in-process-cluster.js';
import { HEADERS, initialize, rpc } from '../src/raw-mcp.js';
import { startRedisPodCluster } from '../src/redis-pod-cluster.js';
import { SDK_MAJORS, type SdkMajor } from '../src/sdk-major.js';

/** The protocol versions the server of each major supports (each major's own list). */
const SUPPORTED_VERSIONS: Record<SdkMajor, readonly string[]> = { 1: SDK1_VERSIONS, 2: SDK2_VERSIONS };

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

/**
 * Sends one HTTP/1.1 request exactly as given (fetch and node:http refuse control characters in
 * header values; a real attacker does not ask) and resolves with the answer's status code.
 */
function rawStatus(url: string, method: string, headers: Record<string, string>, body = ''): Promise<number> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(received);
      if (status) {
        resolve(Number(status[1]));
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed before a status line: ${JSON.stringify(received)}`)));
    const bytes = Buffer.from(body, 'utf8');
    const lines = [
      `${method} ${pathname} HTTP/1.1`,
      `host: ${hostname}:${port}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      ...(method === 'POST' ? [`content-length: ${bytes.length}`] : []),
    ];
    socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), bytes]));
  });
}

/** Characters of a hostile header value: controls (not CR/LF, which would end the line), ASCII, non-ASCII (sent as UTF-8). */
const headerUnit = fc.oneof(
  fc
    .integer({ min: 0x00, max: 0x1f })
    .filter((c) => c !== 0x0a && c !== 0x0d)
    .map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x20, max: 0x7f }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\u00a0', '\u00e9', '\u00ff', '\u0100', '\u2028', '\ufeff', '\u65e5', '\u{1f600}'),
);
/** Node's limit on a request's headers (`--max-http-header-size`): over it, 431. */
const OVER_NODE_LIMIT = 16 * 1024;
/** Node refuses these before any handler runs: control characters (400), headers over 16 KiB (431). */
const refusedByNode = (value: string): boolean =>
  [...value].some((c) => (c.charCodeAt(0) < 0x20 && c !== '\t') || c === '\x7f') ||
  Buffer.byteLength(value, 'utf8') > OVER_NODE_LIMIT;
const hostileValue = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: headerUnit, maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  // Long, and over Node's 16 KiB header limit (not in between: there, the other headers decide).
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.integer({ min: 300, max: 8_000 }), fc.integer({ min: 20_000, max: 40_000 }))
      .map((n) => 'x'.repeat(n)),
  },
);

describe.each(SDK_MAJORS)('SDK %i', (sdk) => {
  let cluster: InProcessCluster;
  let pods: PodClusterHandle;
  /** Ids the store was asked about (any operation that takes an id). */
  const storeIds: string[] = [];

  beforeAll(async () => {
    pods = await startRedisPodCluster(`fuzz-http${sdk}`, 3, sdk);
    cluster = await startInProcessCluster({
      sdk,
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
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    await pods?.stop();
  });

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
        for (const status of [
          await send('POST', id, list),
          await send('GET', id),
          await send('DELETE', id),
        ]) {
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
    const sessionId = await initialize(cluster.url);
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

  // --- headers, byte for byte, on 3 pod processes over Redis -------------------------------------

  const podEndpoints = (): string[] => [...pods.pods.map((pod) => `${pod.url}/mcp`), `${pods.url}/mcp`];
  const podPids = (): Array<number | undefined> => pods.pods.map((pod) => pod.pid);

  /** The live session works on every pod, and no pod restarted or died (same pids, healthy). */
  async function expectAliveAndWorking(sessionId: string, pids: Array<number | undefined>): Promise<void> {
    expect(podPids()).toEqual(pids);
    for (const pod of pods.pods) expect((await fetch(`${pod.url}/healthz`)).status).toBe(200);
    for (const endpoint of podEndpoints()) {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { ...HEADERS, 'mcp-session-id': sessionId },
        body: rpc('after', 'tools/call', { name: 'whoami', arguments: {} }),
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/pod-\d/);
    }
  }

  /** The ids of the events a session's tool call produced (on `endpoint`). */
  async function eventIdsOfCall(endpoint: string, sessionId: string, user: string): Promise<string[]> {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-session-id': sessionId, 'x-user': user },
      body: rpc('call', 'tools/call', { name: 'count', arguments: { steps: 2, delayMs: 1 } }),
    });
    const events = await readEvents(res, (e) => messagesOf(e).some((m) => m.id === 'call'));
    return events.map((e) => e.id).filter((id): id is string => id !== undefined && id !== '');
  }

  test('hostile Last-Event-ID values: GET is refused with 4xx, POST ignores them; never a 5xx, pods stay up', async () => {
    const pids = podPids();
    const [pod0, pod1, pod2] = podEndpoints() as [string, string, string];
    const live = await initialize(pod0);
    // Real event ids of other sessions, of this principal and of another.
    const other = await initialize(pod1);
    const bobs = await initialize(pod2, 'bob');
    const foreign = [
      ...(await eventIdsOfCall(pod1, other, 'alice')),
      ...(await eventIdsOfCall(pod2, bobs, 'bob')),
    ];
    expect(foreign.length).toBeGreaterThanOrEqual(6);
    const lastEventId = fc.oneof(
      { weight: 3, arbitrary: hostileValue },
      { weight: 2, arbitrary: fc.constantFrom(...foreign) },
      // Near misses of real ids: one character more, less or changed.
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...foreign), fc.nat(), fc.constantFrom('', '0', '.', '-', 'A'))
          .map(([id, at, insert]) => {
            const i = at % id.length;
            return id.slice(0, i) + insert + id.slice(i + 1);
          }),
      },
    );
    const seen: string[] = [];
    await fc.assert(
      fc.asyncProperty(lastEventId, fc.constantFrom(...podEndpoints()), async (value, endpoint) => {
        const headers = { ...HEADERS, 'mcp-session-id': live, 'last-event-id': value };
        const get = await rawStatus(endpoint, 'GET', headers);
        const post = await rawStatus(endpoint, 'POST', headers, rpc(1, 'tools/list'));
        seen.push(`GET ${get} POST ${post}`);
        expect(get).toBeGreaterThanOrEqual(400);
        expect(get).toBeLessThan(500);
        // Last-Event-ID means nothing on a POST: it is served, unless Node refused the header itself.
        if (refusedByNode(value)) expect([400, 431]).toContain(post);
        else expect(post).toBe(200);
      }),
      { numRuns: 150 },
    );
    // Both kinds of answer happened (the generator reaches the router, not only Node's parser).
    expect(seen).toContain('GET 400 POST 200');
    await expectAliveAndWorking(live, pids);
  }, 60_000);

  test('unsupported MCP-Protocol-Version values: 400 Bad Request on POST, GET and DELETE of a live session, which survives', async () => {
    const pids = podPids();
    const supported = SUPPORTED_VERSIONS[sdk];
    const version = fc
      .oneof(
        { weight: 4, arbitrary: hostileValue },
        {
          weight: 1,
          arbitrary: fc.constantFrom('', ' ', '2025-11-26', '2026-07-28', '2024-11-5', 'latest', '*'),
        },
        {
          weight: 2,
          arbitrary: fc
            .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
            .map((d) => d.toISOString().slice(0, 10)),
        },
        { weight: 1, arbitrary: fc.constantFrom(...supported).map((v) => `${v},${v}`) },
      )
      // Header values reach the server trimmed: a supported version with spaces around is supported.
      .filter((v) => !supported.includes(v.trim()));
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(version, fc.constantFrom(...podEndpoints()), async (value, endpoint) => {
        // A session of its own per run: a DELETE that went through would not hide the next failures.
        const live = await initialize(`${pods.url}/mcp`);
        const headers = { ...HEADERS, 'mcp-session-id': live, 'mcp-protocol-version': value };
        const expected = Buffer.byteLength(value, 'utf8') > OVER_NODE_LIMIT ? 431 : 400;
        const answers = {
          post: await rawStatus(endpoint, 'POST', headers, rpc(1, 'tools/list')),
          get: await rawStatus(endpoint, 'GET', headers),
          delete: await rawStatus(endpoint, 'DELETE', headers),
        };
        for (const status of Object.values(answers)) statuses.add(status);
        expect(answers).toEqual({ post: expected, get: expected, delete: expected });
        // The session was not deleted: it still answers with a supported version.
        expect(
          await rawStatus(endpoint, 'POST', { ...HEADERS, 'mcp-session-id': live }, rpc(2, 'tools/list')),
        ).toBe(200);
      }),
      { numRuns: 100 },
    );
    expect(statuses.has(400)).toBe(true);
    // The pods stay up, and a long-lived session keeps working after all that.
    await expectAliveAndWorking(await initialize(`${pods.url}/mcp`), pids);
  }, 60_000);
});
