// Router options that shape the HTTP exchange: `allowedHosts` (DNS-rebinding protection) and
// `retryIntervalMs` (the reconnection delay of SEP-1699 streams closed mid-call).
import { request } from 'node:http';
import { LOCALHOST_HOSTS } from '@mcp-session-store/core/router';
import { messagesOf, readEvents } from '@mcp-session-store/testing';
import { type InProcessCluster, startInProcessCluster } from '../src/in-process-cluster.js';
import { HEADERS, INITIALIZE } from '../src/raw-mcp.js';
import { SDK_MAJORS } from '../src/sdk-major.js';

describe.each(SDK_MAJORS)('SDK %i', (sdk) => {
  let cluster: InProcessCluster;
  /** Every store call, by operation: a refused request must not reach the store at all. */
  const storeCalls: string[] = [];

  beforeAll(async () => {
    cluster = await startInProcessCluster({
      sdk,
      pods: 2,
      wrapStore: (store) =>
        new Proxy(store, {
          get(target, property, receiver) {
            const value = Reflect.get(target, property, receiver);
            if (typeof value !== 'function') return value;
            return (...args: unknown[]) => {
              storeCalls.push(String(property));
              return value.apply(target, args);
            };
          },
        }),
      router: { allowedHosts: LOCALHOST_HOSTS, retryIntervalMs: 750 },
    });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  /** A raw POST with a chosen Host header (fetch will not send a foreign one). */
  function postWithHost(url: string, host: string, body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { ...HEADERS, host } }, (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  test('allowedHosts: a foreign Host gets 403 and creates no session; loopback names are served', async () => {
    const pod = cluster.pods[0]!;
    storeCalls.length = 0;
    const evil = await postWithHost(`${pod.url}/mcp`, 'evil.example.com', INITIALIZE);
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.text).error.message).toMatch(/Host/);
    const evilWithPort = await postWithHost(`${pod.url}/mcp`, 'evil.example.com:80', INITIALIZE);
    expect(evilWithPort.status).toBe(403);
    expect(storeCalls).toEqual([]);
    for (const host of ['localhost:1234', '127.0.0.1', '[::1]:9']) {
      const ok = await postWithHost(`${pod.url}/mcp`, host, INITIALIZE);
      expect({ host, status: ok.status }).toEqual({ host, status: 200 });
    }
    expect(storeCalls.filter((call) => call === 'create')).toHaveLength(3);
  });

  test('retryIntervalMs: a stream closed mid-call carries the retry, and the result resumes on another pod', async () => {
    const [a, b] = [cluster.pods[0]!, cluster.pods[1]!];
    const init = await fetch(`${a.url}/mcp`, { method: 'POST', headers: HEADERS, body: INITIALIZE });
    await init.text();
    const sessionId = init.headers.get('mcp-session-id')!;
    const headers = { ...HEADERS, 'mcp-session-id': sessionId };
    const call = await fetch(`${a.url}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'close-stream' } }),
    });
    // The server closes this stream before answering: what arrives is the priming event only.
    const raw = await call.text();
    expect(raw).toMatch(/^id: (\S+)\nretry: 750\ndata: \n\n$/);
    const primingId = /^id: (\S+)/.exec(raw)![1]!;

    const resumed = await fetch(`${b.url}/mcp`, { headers: { ...headers, 'last-event-id': primingId } });
    expect(resumed.status).toBe(200);
    const events = await readEvents(resumed, (seen) => messagesOf(seen).some((m) => m.id === 5));
    const results = messagesOf(events).filter((m) => m.id === 5);
    expect(results).toHaveLength(1);
    expect(JSON.stringify(results[0])).toContain('pod-0:after-close');
  });

  test('handle(): a body that is not JSON is answered 400 Parse error, and the session is unaffected', async () => {
    const pod = cluster.pods[0]!;
    const init = await fetch(`${pod.url}/mcp`, { method: 'POST', headers: HEADERS, body: INITIALIZE });
    await init.text();
    const sessionId = init.headers.get('mcp-session-id')!;
    const headers = { ...HEADERS, 'mcp-session-id': sessionId };
    const bad = await fetch(`${pod.url}/mcp`, {
      method: 'POST',
      headers,
      body: '{"jsonrpc": "2.0", "id": 1,',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(-32700);
    const ok = await fetch(`${pod.url}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami' } }),
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('pod-0');
  });
});
