// The router across real processes: three pod processes over Redis behind a round-robin balancer
// with no affinity, one session driven by the SDK's real Client through all of them.
import { messagesOf, type PodClusterHandle, readEvents } from '@mcp-session-store/testing';
import { HEADERS, initialize, rpc } from '../src/raw-mcp.js';
import { startRedisPodCluster } from '../src/redis-pod-cluster.js';
import { SDK_MAJORS } from '../src/sdk-major.js';
import { connectTestClient, textOf } from '../src/test-client.js';
import { waitUntil } from './support/wait-until.js';

describe.each(SDK_MAJORS)('SDK %i', (sdk) => {
  let cluster: PodClusterHandle;

  beforeAll(async () => {
    cluster = await startRedisPodCluster(`mp${sdk}`, 3, sdk);
  }, 60_000);

  afterAll(() => cluster?.stop());

  const connect = (user = 'alice') => connectTestClient(sdk, `${cluster.url}/mcp`, { user });

  test('one session across three processes: tools, elicitation, sampling, progress, logs, notifications', async () => {
    const client = await connect();
    const updates: string[] = [];
    const logs: string[] = [];
    client.onResourceUpdated((uri) => void updates.push(uri));
    client.onLog((data) => void logs.push(String(data)));
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('whoami');

    const pods = new Set<string>();
    for (let i = 0; i < 6; i++) pods.add(textOf(await client.callTool('whoami')));
    expect([...pods].sort()).toEqual(['pod-0', 'pod-1', 'pod-2']);

    for (let i = 0; i < 3; i++) {
      expect(textOf(await client.callTool('ask'))).toMatch(/^pod-\d:accept:\{"name":"Ada"\}$/);
      expect(textOf(await client.callTool('sample'))).toMatch(/^pod-\d:hi from the client LLM$/);
    }

    // On v2, the same through inputRequired(...) handlers (the SDK's legacy shim asks the client).
    if (sdk === 2) {
      for (let i = 0; i < 3; i++) {
        expect(textOf(await client.callTool('ask-input'))).toMatch(/^pod-\d:accept:\{"name":"Ada"\}$/);
        expect(textOf(await client.callTool('sample-input'))).toMatch(/^pod-\d:hi from the client LLM$/);
      }
    }

    const progress: number[] = [];
    const counted = await client.callTool(
      'count',
      { steps: 3, delayMs: 10 },
      {
        onprogress: (p) => void progress.push(p.progress),
      },
    );
    expect(textOf(counted)).toMatch(/counted 3$/);
    expect(progress).toEqual([1, 2, 3]);
    expect(logs).toEqual(['step 1', 'step 2', 'step 3']);

    // Notifications emitted by every pod reach the one GET stream, wherever it is open.
    for (let i = 0; i < 3; i++) await client.callTool('announce');
    await waitUntil(() => updates.length >= 3, 'three resource updates on the GET stream', {
      timeoutMs: 20_000,
    });
    expect([...updates].sort()).toEqual([
      'test://updated-by/pod-0',
      'test://updated-by/pod-1',
      'test://updated-by/pod-2',
    ]);

    await client.terminateSession();
    await client.close();
  }, 60_000);

  test('DELETE reaches every process, and another principal is refused everywhere', async () => {
    const client = await connect('alice');
    const { sessionId } = client;
    for (let i = 0; i < 3; i++) await client.callTool('whoami');
    const request = (pod: string, user: string) =>
      fetch(`${pod}/mcp`, {
        method: 'POST',
        headers: { ...HEADERS, 'mcp-session-id': sessionId, 'x-user': user },
        body: rpc(1, 'tools/list'),
      });
    for (const pod of cluster.pods) expect((await request(pod.url, 'mallory')).status).toBe(404);
    await client.terminateSession();
    for (const pod of cluster.pods) expect((await request(pod.url, 'alice')).status).toBe(404);
    await client.close();
  }, 60_000);

  test('a pod killed with SIGKILL mid-session: the session carries on on the others', async () => {
    const client = await connect();
    for (let i = 0; i < 3; i++) await client.callTool('whoami');
    await cluster.kill(1);
    const pods = new Set<string>();
    for (let i = 0; i < 6; i++) pods.add(textOf(await client.callTool('whoami')));
    expect([...pods].sort()).toEqual(['pod-0', 'pod-2']);
    expect(textOf(await client.callTool('ask'))).toMatch(/accept/);
    await cluster.restart(1);
    const after = new Set<string>();
    for (let i = 0; i < 6; i++) after.add(textOf(await client.callTool('whoami')));
    // The restarted pod never saw this session: it rehydrates it from Redis.
    expect(after.has('pod-1')).toBe(true);
    await client.terminateSession();
    await client.close();
  }, 60_000);

  test('a stream broken on one process resumes on another while the first keeps producing', async () => {
    const [a, b] = [cluster.pods[0]!, cluster.pods[2]!];
    const sessionId = await initialize(`${a.url}/mcp`);
    const call = await fetch(`${a.url}/mcp`, {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-session-id': sessionId },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'count', arguments: { steps: 10, delayMs: 50 }, _meta: { progressToken: 'p' } },
      }),
    });
    const first = await readEvents(call, (events) => messagesOf(events).length >= 2);
    const lastSeen = first.filter((e) => e.id !== undefined).at(-1)!.id!;
    // Pod C never held this session: it rehydrates it and follows the Redis stream pod A writes.
    const resumed = await fetch(`${b.url}/mcp`, {
      headers: { ...HEADERS, 'mcp-session-id': sessionId, 'last-event-id': lastSeen },
    });
    expect(resumed.status).toBe(200);
    const rest = await readEvents(resumed, (events) => messagesOf(events).some((m) => m.id === 7));
    const all = [...messagesOf(first), ...messagesOf(rest)];
    expect(all.filter((m) => m.method === 'notifications/progress').map((m) => m.params.progress)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    const result = all.filter((m) => m.id === 7);
    expect(result).toHaveLength(1);
    expect(result[0].result.content[0].text).toBe('pod-0:counted 10');
  }, 60_000);
});
