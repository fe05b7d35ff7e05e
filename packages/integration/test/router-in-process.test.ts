// The router, end to end in one process: three routers sharing a memory backend behind a
// round-robin balancer with no affinity, driven by the SDK's real Client over HTTP.
import type { MessageBus, SessionStore } from '@mcp-session-store/core';
import { SessionStoreError } from '@mcp-session-store/core';
import { type InProcessCluster, startInProcessCluster } from '../src/in-process-cluster.js';
import { SDK_MAJORS } from '../src/sdk-major.js';
import { connectTestClient, textOf } from '../src/test-client.js';
import { waitUntil } from './support/wait-until.js';

/** A raw request straight to one pod (bypassing the balancer). */
function rawPost(url: string, sessionId: string, body: unknown, user = 'alice'): Promise<Response> {
  return fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-11-25',
      'x-user': user,
    },
    body: JSON.stringify(body),
  });
}

const TOOLS_LIST = { jsonrpc: '2.0', id: 99, method: 'tools/list' };

describe.each(SDK_MAJORS)('SDK %i', (sdk) => {
  const connect = (url: string, user = 'alice') => connectTestClient(sdk, url, { user });

  describe('with an event store', () => {
    let cluster: InProcessCluster;
    const forwarded: string[] = [];
    let touches = 0;

    beforeAll(async () => {
      cluster = await startInProcessCluster({
        sdk,
        wrapBus: (bus, pod): MessageBus => ({
          capabilities: bus.capabilities,
          subscribe: (channel, handler) => bus.subscribe(channel, handler),
          close: () => bus.close(),
          publish: async (channel, payload) => {
            if (channel.startsWith('inbox:')) forwarded.push(`${pod}->${channel}`);
            return bus.publish(channel, payload);
          },
        }),
        wrapStore: (store): SessionStore =>
          Object.assign(Object.create(Object.getPrototypeOf(store)), store, {
            touch: (id: string) => {
              touches++;
              return store.touch(id);
            },
          }),
      });
    });

    afterAll(async () => {
      await cluster.stop();
    });

    test('a session initialized through the balancer is served by every pod', async () => {
      const client = await connect(cluster.url);
      const { sessionId } = client;
      const pods = new Set<string>();
      for (let i = 0; i < 6; i++) pods.add(textOf(await client.callTool('whoami')));
      expect([...pods].sort()).toEqual(['pod-0', 'pod-1', 'pod-2']);
      const record = await cluster.pods[0]!.store.get(sessionId);
      expect(record).toMatchObject({
        id: sessionId,
        principal: 'alice',
        clientInfo: { name: 'integration-client', version: '1.2.3' },
        clientCapabilities: { elicitation: {}, sampling: {}, roots: { listChanged: true } },
      });
      await client.terminateSession();
      await client.close();
    });

    test('every pod restores the client capabilities and client info of the session', async () => {
      const client = await connect(cluster.url);
      const seen = new Map<string, { caps: unknown; info: unknown }>();
      for (let i = 0; i < 6; i++) {
        const { pod, caps, info } = JSON.parse(textOf(await client.callTool('client-info')));
        seen.set(pod, { caps, info });
      }
      expect(seen.size).toBe(3);
      // Every pod sees what the pod that ran `initialize` saw (the SDK normalizes `elicitation: {}`
      // to `{ form: {} }`, and so does every rehydrated pod).
      for (const { caps, info } of seen.values()) {
        expect(caps).toEqual({ elicitation: { form: {} }, sampling: {}, roots: { listChanged: true } });
        expect(info).toEqual({ name: 'integration-client', version: '1.2.3' });
      }
      await client.terminateSession();
      await client.close();
    });

    test('elicitation and sampling answered on another pod complete the tool call', async () => {
      const client = await connect(cluster.url);
      const before = forwarded.length;
      const results: string[] = [];
      for (let i = 0; i < 3; i++) {
        results.push(textOf(await client.callTool('ask')));
        results.push(textOf(await client.callTool('sample')));
      }
      for (const r of results) expect(r).toMatch(/^pod-\d:(accept:\{"name":"Ada"\}|hi from the client LLM)$/);
      // With round robin and no affinity, answers land on other pods and are forwarded to the owner.
      expect(forwarded.length).toBeGreaterThan(before);
      await client.terminateSession();
      await client.close();
    });

    // v2 only: the SDK's legacy shim turns an inputRequired(...) result into real requests.
    if (sdk === 2) {
      test('an inputRequired tool reaches a 2025 session client, whichever pod its answers land on', async () => {
        const client = await connect(cluster.url);
        const before = forwarded.length;
        const results: string[] = [];
        for (let i = 0; i < 3; i++) {
          results.push(textOf(await client.callTool('ask-input')));
          results.push(textOf(await client.callTool('sample-input')));
        }
        for (const r of results)
          expect(r).toMatch(/^pod-\d:(accept:\{"name":"Ada"\}|hi from the client LLM)$/);
        expect(new Set(results.map((r) => r.split(':')[0])).size).toBe(3);
        expect(forwarded.length).toBeGreaterThan(before);
        await client.terminateSession();
        await client.close();
      });
    }

    test('progress and log notifications of a tool call arrive on its stream', async () => {
      const client = await connect(cluster.url);
      const progress: number[] = [];
      const logs: string[] = [];
      client.onLog((data) => void logs.push(String(data)));
      const result = await client.callTool(
        'count',
        { steps: 3, delayMs: 5 },
        {
          onprogress: (p) => void progress.push(p.progress),
        },
      );
      expect(textOf(result)).toMatch(/counted 3$/);
      expect(progress).toEqual([1, 2, 3]);
      expect(logs).toEqual(['step 1', 'step 2', 'step 3']);
      await client.terminateSession();
      await client.close();
    });

    test('a notification emitted on one pod reaches the GET stream held by another', async () => {
      const client = await connect(cluster.url);
      const updates: string[] = [];
      client.onResourceUpdated((uri) => void updates.push(uri));
      // The client opens its GET stream right after initialize, on whichever pod the balancer chose.
      await cluster.waitForStreams();
      const announcers = new Set<string>();
      for (let i = 0; i < 3; i++) announcers.add(textOf(await client.callTool('announce')));
      expect(announcers.size).toBe(3);
      await waitUntil(() => updates.length >= 3, 'three resource updates on the GET stream');
      expect(updates.sort()).toEqual([
        'test://updated-by/pod-0',
        'test://updated-by/pod-1',
        'test://updated-by/pod-2',
      ]);
      await client.terminateSession();
      await client.close();
    });

    test('logging/setLevel is persisted and honoured by pods that never saw it', async () => {
      const client = await connect(cluster.url);
      const { sessionId } = client;
      const logs: string[] = [];
      client.onLog((data) => void logs.push(String(data)));
      await cluster.waitForStreams();
      await client.setLoggingLevel('error');
      expect((await cluster.pods[1]!.store.get(sessionId))?.logLevel).toBe('error');
      for (let i = 0; i < 3; i++) await client.callTool('debug-log');
      await client.setLoggingLevel('debug');
      for (let i = 0; i < 3; i++) await client.callTool('debug-log');
      await waitUntil(() => logs.length >= 3, 'the log messages of the three calls made at level debug');
      // A little longer: a fourth message (from a call made at level error) would be a bug.
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Only the three calls made at level debug produced messages, whichever pod ran them.
      expect(logs).toHaveLength(3);
      await client.terminateSession();
      await client.close();
    });

    test('DELETE ends the session on every pod', async () => {
      const client = await connect(cluster.url);
      const { sessionId } = client;
      for (let i = 0; i < 3; i++) await client.callTool('whoami'); // live on every pod
      await client.terminateSession();
      expect(await cluster.pods[0]!.store.get(sessionId)).toBeNull();
      for (const pod of cluster.pods) {
        const res = await rawPost(pod.url, sessionId, TOOLS_LIST);
        expect(res.status).toBe(404);
        expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32001);
      }
      await client.close();
    });

    test('a session presented by another principal is answered like an unknown one, everywhere', async () => {
      const client = await connect(cluster.url, 'alice');
      const { sessionId } = client;
      for (const pod of cluster.pods) {
        expect((await rawPost(pod.url, sessionId, TOOLS_LIST, 'mallory')).status).toBe(404);
        const get = await fetch(`${pod.url}/mcp`, {
          headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'x-user': 'mallory' },
        });
        expect(get.status).toBe(404);
        const del = await fetch(`${pod.url}/mcp`, {
          method: 'DELETE',
          headers: { 'mcp-session-id': sessionId, 'x-user': 'mallory' },
        });
        expect(del.status).toBe(404);
      }
      // Alice's session is untouched.
      expect(textOf(await client.callTool('whoami'))).toMatch(/^pod-\d$/);
      expect(await cluster.pods[0]!.store.get(sessionId)).not.toBeNull();
      await client.terminateSession();
      await client.close();
    });

    test('unknown sessions get 404, a missing session header 400', async () => {
      const pod = cluster.pods[0]!;
      expect((await rawPost(pod.url, 'no-such-session', TOOLS_LIST)).status).toBe(404);
      expect((await rawPost(pod.url, 'bad id with spaces', TOOLS_LIST)).status).toBe(404);
      const missing = await fetch(`${pod.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify(TOOLS_LIST),
      });
      expect(missing.status).toBe(400);
    });

    test('expiry refreshes are throttled: many requests, few touches', async () => {
      const client = await connect(cluster.url);
      const before = touches;
      for (let i = 0; i < 30; i++) await client.callTool('whoami');
      expect(touches - before).toBeLessThanOrEqual(3);
      await client.terminateSession();
      await client.close();
    });
  });

  describe('store outage', () => {
    let cluster: InProcessCluster;
    let down = false;
    const reported: string[] = [];

    beforeAll(async () => {
      cluster = await startInProcessCluster({
        sdk,
        pods: 2,
        router: {
          retryAfterSeconds: 3,
          hooks: {
            onError: (error) => void reported.push((error as { code?: string }).code ?? String(error)),
          },
        },
        wrapStore: (store): SessionStore => {
          const guard =
            <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
            (...args: A): Promise<R> => {
              if (down)
                return Promise.reject(new SessionStoreError('BACKEND_UNAVAILABLE', 'store down (test)'));
              return fn(...args);
            };
          return {
            capabilities: store.capabilities,
            create: guard((s) => store.create(s)),
            get: guard((id) => store.get(id)),
            update: guard((id, p, o) => store.update(id, p, o)),
            touch: guard((id) => store.touch(id)),
            delete: guard((id) => store.delete(id)),
            close: () => store.close(),
          };
        },
      });
    });

    afterAll(async () => {
      await cluster.stop();
    });

    test('answers 503 with Retry-After while the store is down, and recovers by itself', async () => {
      const client = await connect(cluster.url);
      const { sessionId } = client;
      down = true;
      try {
        for (const pod of cluster.pods) {
          // A pod that never held the session must read the store: 503, not 404 or a crash.
          const res = await rawPost(pod.url, `${sessionId}-unknown`, TOOLS_LIST);
          expect(res.status).toBe(503);
          expect(res.headers.get('retry-after')).toBe('3');
          expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32000);
        }
        const init = await fetch(`${cluster.pods[0]!.url}/mcp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: {
              protocolVersion: '2025-11-25',
              capabilities: {},
              clientInfo: { name: 'x', version: '1' },
            },
          }),
        });
        expect(init.status).toBe(503);
        // Every 503 was reported to the onError hook, with the store's typed code.
        expect(reported.length).toBeGreaterThanOrEqual(cluster.pods.length + 1);
        expect(new Set(reported)).toEqual(new Set(['BACKEND_UNAVAILABLE']));
      } finally {
        down = false;
      }
      expect(textOf(await client.callTool('whoami'))).toMatch(/^pod-\d$/);
      expect(await cluster.pods[0]!.store.get(sessionId)).not.toBeNull();
      await client.terminateSession();
      await client.close();
    });
  });
});
