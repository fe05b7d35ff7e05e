// Backend faults, for each backend on an instance of the test's own and on both SDK majors: the
// backend stopped for several seconds under traffic, then started again; and a slow backend (latency
// injected by a TCP proxy). Pods are real processes behind a round-robin balancer; traffic is raw
// HTTP so every status counts.
import { join } from 'node:path';
import type { SessionRecord } from '@mcp-session-store/core';
import type { EnvBackend } from '@mcp-session-store/env-backend';
import { type PodClusterHandle, startPodCluster } from '@mcp-session-store/testing';
import { type FaultBackend, type FaultStore, startFaultBackend } from '../src/fault-backends.js';
import { HEADERS, INITIALIZE, rpc } from '../src/raw-mcp.js';
import { SDK_MAJORS } from '../src/sdk-major.js';
import { waitUntil } from './support/wait-until.js';

const POD_MAIN = join(__dirname, '..', 'src', 'pod-main.ts');
// Every backend call of the pods is bounded by this: an outage or a slow backend costs a request at
// most a few of these, never an unbounded wait.
const BACKEND_TIMEOUT_MS = 1_000;
const OUTAGE_MS = 4_000;
interface Outcome {
  readonly kind: 'initialize' | 'call';
  /** HTTP status; 0 when the request itself failed (connection reset: a pod died; or it hung). */
  readonly status: number;
  readonly retryAfter: string | null;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly error?: string;
}

// A request still unanswered after this is a hang, reported as a failure instead of stalling the test.
const REQUEST_DEADLINE_MS = 15_000;

async function post(url: string, body: string, sessionId?: string): Promise<Response> {
  return fetch(`${url}/mcp`, {
    method: 'POST',
    headers: sessionId ? { ...HEADERS, 'mcp-session-id': sessionId } : HEADERS,
    body,
    signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
  });
}

/** Initializes a session (and acknowledges it), reporting the status instead of throwing. */
async function tryInitialize(
  url: string,
): Promise<{ status: number; sessionId: string | null; retryAfter: string | null }> {
  const res = await post(url, INITIALIZE);
  await res.text();
  const sessionId = res.headers.get('mcp-session-id');
  if (res.status === 200 && sessionId) {
    const ack = await post(url, rpc(undefined, 'notifications/initialized'), sessionId);
    await ack.text();
    if (ack.status !== 202)
      return { status: ack.status, sessionId, retryAfter: ack.headers.get('retry-after') };
  }
  return { status: res.status, sessionId, retryAfter: res.headers.get('retry-after') };
}

let nextId = 1;
async function callTool(url: string, sessionId: string, name = 'whoami'): Promise<Response> {
  const res = await post(url, rpc(nextId++, 'tools/call', { name, arguments: {} }), sessionId);
  return res;
}

/** Runs `workers` loops of traffic (tool calls on `sessions`, and new sessions) until stopped. */
function startTraffic(url: string, sessions: readonly string[], workers = 4) {
  const outcomes: Outcome[] = [];
  let running = true;
  const loop = async (worker: number) => {
    for (let i = 0; running; i++) {
      const startedAt = Date.now();
      const kind = i % 5 === 4 ? 'initialize' : 'call';
      try {
        if (kind === 'initialize') {
          const { status, retryAfter } = await tryInitialize(url);
          outcomes.push({ kind, status, retryAfter, startedAt, endedAt: Date.now() });
        } else {
          const res = await callTool(url, sessions[(worker + i) % sessions.length]!);
          const text = await res.text();
          const answered = res.status !== 200 || /"result"/.test(text);
          outcomes.push({
            kind,
            status: answered ? res.status : 299, // 200 without a result in the stream: not answered
            retryAfter: res.headers.get('retry-after'),
            startedAt,
            endedAt: Date.now(),
            ...(!answered && { error: text.slice(0, 300) }),
          });
        }
      } catch (error) {
        outcomes.push({
          kind,
          status: 0,
          retryAfter: null,
          startedAt,
          endedAt: Date.now(),
          error: String(error),
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  return {
    outcomes,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** The first few outcomes, readable in a failure message. */
const describeOutcomes = (outcomes: readonly Outcome[]) => JSON.stringify(outcomes.slice(0, 10), null, 1);

/** The parts of a record a request must never lose or change behind the user's back. */
const durable = (record: SessionRecord | null) =>
  record && {
    principal: record.principal,
    protocolVersion: record.protocolVersion,
    clientInfo: record.clientInfo,
    logLevel: record.logLevel,
    createdAt: record.createdAt,
  };

describe.each(SDK_MAJORS)('SDK %i', (sdk) => {
  describe.each<FaultStore>(['redis', 'postgres', 'dynamodb'])('%s', (store) => {
    let backend: FaultBackend;
    let cluster: PodClusterHandle;
    let direct: EnvBackend;

    beforeAll(async () => {
      backend = await startFaultBackend(store);
      cluster = await startPodCluster({
        command: [process.execPath, '--import', 'tsx', POD_MAIN],
        pods: 2,
        env: { ...backend.podEnv, BACKEND_TIMEOUT_MS: String(BACKEND_TIMEOUT_MS), SDK_MAJOR: String(sdk) },
      });
      direct = await backend.direct();
    }, 120_000);

    afterAll(async () => {
      await cluster?.stop();
      await direct?.store.close();
      await direct?.disconnect();
      await backend?.dispose();
    }, 60_000);

    const podsAlive = async () => {
      for (const [index, pod] of cluster.pods.entries()) {
        const health = await fetch(`${pod.url}/healthz`).catch((error) => ({ status: String(error) }));
        expect({ pod: pod.name, status: health.status }).toEqual({ pod: pod.name, status: 200 });
        expect(cluster.output(index)).not.toMatch(/unhandled|uncaught|FATAL/i);
      }
    };

    test('stopped under traffic: 503 + Retry-After meanwhile, no pod dies, then every request succeeds and sessions are intact', async () => {
      const sessions: string[] = [];
      for (let i = 0; i < 4; i++) {
        const { status, sessionId } = await tryInitialize(cluster.url);
        expect(status).toBe(200);
        sessions.push(sessionId!);
        // Changes the stored record (logLevel), so "intact" covers an update, not only a create.
        const res = await post(cluster.url, rpc(1, 'logging/setLevel', { level: 'debug' }), sessionId!);
        await res.text();
        expect(res.status).toBe(200);
      }
      const before = await Promise.all(sessions.map((id) => direct.store.get(id)));
      expect(before.every((record) => record?.logLevel === 'debug')).toBe(true);
      const pids = cluster.pods.map((pod) => pod.pid);
      const connectionsBefore = await backend.clientConnections();

      const traffic = startTraffic(cluster.url, sessions);
      // Traffic flows before the outage: a few requests answered.
      await waitUntil(() => traffic.outcomes.length >= 8, 'requests answered before the outage');
      const outageAt = Date.now();
      await backend.outage();
      // The outage lasts OUTAGE_MS, and until a new session has been refused during it.
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      await waitUntil(
        () =>
          traffic.outcomes.some(
            (o) => o.kind === 'initialize' && o.startedAt >= outageAt && o.status !== 200,
          ),
        'an initialize refused during the outage',
        { timeoutMs: 20_000 },
      );
      await backend.recover();
      // Recovery: adapters reconnect on their own, each pod on its own schedule (a client's
      // reconnect backoff), so one pod may serve again while another still waits to reconnect:
      // wait until a new session can be created on every pod, asked directly.
      const deadline = Date.now() + 30_000;
      for (const [index, pod] of cluster.pods.entries()) {
        while ((await tryInitialize(pod.url)).status !== 200) {
          if (Date.now() > deadline)
            throw new Error(`${pod.name}: no recovery within 30 s:\n${cluster.output(index)}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      const recoveredAt = Date.now();
      // Traffic after recovery: more than ten requests started and answered since.
      await waitUntil(
        () => traffic.outcomes.filter((o) => o.startedAt > recoveredAt).length > 10,
        'requests answered after recovery',
        { timeoutMs: 20_000 },
      );
      await traffic.stop();

      const healthy = traffic.outcomes.filter((o) => o.endedAt < outageAt || o.startedAt > recoveredAt);
      const during = traffic.outcomes.filter((o) => !healthy.includes(o));
      expect(healthy.filter((o) => o.endedAt < outageAt).length).toBeGreaterThan(0);
      expect(healthy.filter((o) => o.startedAt > recoveredAt).length).toBeGreaterThan(10);
      expect(during.length).toBeGreaterThan(0);
      // With the backend up, before and after: every request succeeds.
      expect(describeOutcomes(healthy.filter((o) => o.status !== 200))).toBe('[]');
      // Overlapping the outage: served (a session this pod holds) or 503 with a Retry-After, nothing
      // else: no hang or reset (a pod stuck or dead), no 404 (a session lost), no 500 (a bug).
      expect(describeOutcomes(during.filter((o) => o.status !== 200 && o.status !== 503))).toBe('[]');
      for (const o of during) if (o.status === 503) expect(o.retryAfter).toMatch(/^[1-9]\d*$/);
      // New sessions cannot be stored while the backend is down: they were refused, not half-made.
      expect(during.some((o) => o.kind === 'initialize' && o.status === 503)).toBe(true);

      // Same processes, still healthy, nothing unhandled in their output.
      expect(cluster.pods.map((pod) => pod.pid)).toEqual(pids);
      await podsAlive();

      // Sessions intact: the stored records kept what they had, and each session works on every pod.
      const afterRecords = await Promise.all(sessions.map((id) => direct.store.get(id)));
      expect(afterRecords.map(durable)).toEqual(before.map(durable));
      for (const id of sessions) {
        for (const pod of cluster.pods) {
          const res = await callTool(pod.url, id);
          expect(await res.text()).toMatch(/"result"/);
          expect(res.status).toBe(200);
        }
      }

      // No connection leak: reconnecting did not pile up client connections on the backend.
      const connectionsAfter = await backend.clientConnections();
      if (connectionsBefore !== undefined && connectionsAfter !== undefined) {
        expect(connectionsAfter).toBeLessThanOrEqual(connectionsBefore + 4);
      }
    }, 120_000);

    test('a slow backend: requests wait for it, a backend slower than the call bound gets 503s, not a pile-up', async () => {
      const { sessionId } = await tryInitialize(cluster.url);
      expect(sessionId).toBeTruthy();
      try {
        // Slow but within the bound: everything still succeeds.
        backend.proxy.setLatency(100);
        const slow = await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const res =
              i % 4 === 0 ? await tryInitialize(cluster.url) : await callTool(cluster.url, sessionId!);
            if (res instanceof Response) await res.text();
            return res.status;
          }),
        );
        expect(slow.filter((status) => status !== 200)).toEqual([]);

        // Slower than the bound on each backend call: every request is answered (served or 503)
        // long before the backend would answer it; nothing waits on it without bound.
        const latencyMs = 10 * BACKEND_TIMEOUT_MS;
        backend.proxy.setLatency(latencyMs);
        const started = Date.now();
        const stuck = await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const res =
              i % 4 === 0 ? await tryInitialize(cluster.url) : await callTool(cluster.url, sessionId!);
            if (res instanceof Response) await res.text();
            return { status: res.status, ms: Date.now() - started };
          }),
        );
        for (const { status } of stuck) expect([200, 503]).toContain(status);
        expect(stuck.some(({ status }) => status === 503)).toBe(true);
        expect(Math.max(...stuck.map(({ ms }) => ms))).toBeLessThan(latencyMs);
      } finally {
        backend.proxy.setLatency(0);
      }
      // Once the latency is gone, the backlog drains and every request succeeds again.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const statuses = await Promise.all(
          Array.from({ length: 10 }, async () => {
            const res = await callTool(cluster.url, sessionId!);
            await res.text();
            return res.status;
          }),
        );
        if (statuses.every((status) => status === 200)) break;
        if (Date.now() > deadline)
          throw new Error(`still failing 30 s after the latency was removed: ${statuses}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await podsAlive();
    }, 120_000);
  });
});
