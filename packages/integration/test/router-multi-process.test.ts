// The router across real processes: three pod processes over Redis behind a round-robin balancer
// with no affinity, one session driven by the SDK's real Client through all of them.
import { messagesOf, type PodClusterHandle, readEvents } from '@mcp-session-store/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { HEADERS, initialize, rpc } from '../src/raw-mcp.js';
import { startRedisPodCluster } from '../src/redis-pod-cluster.js';
import { waitUntil } from './support/wait-until.js';

let cluster: PodClusterHandle;

beforeAll(async () => {
  cluster = await startRedisPodCluster('mp');
}, 60_000);

afterAll(() => cluster?.stop());

const textOf = (result: unknown): string =>
  ((result as { content: Array<{ text: string }> }).content[0] as { text: string }).text;

async function connect(user = 'alice') {
  const client = new Client(
    { name: 'multi-process-client', version: '1.0.0' },
    { capabilities: { elicitation: {}, sampling: {} } },
  );
  client.setRequestHandler(ElicitRequestSchema, async () => ({
    action: 'accept',
    content: { name: 'Grace' },
  }));
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    role: 'assistant',
    content: { type: 'text', text: 'sampled' },
    model: 'm',
  }));
  const transport = new StreamableHTTPClientTransport(new URL(`${cluster.url}/mcp`), {
    requestInit: { headers: { 'x-user': user } },
  });
  await client.connect(transport);
  return { client, transport };
}

test('one session across three processes: tools, elicitation, sampling, progress, logs, notifications', async () => {
  const { client, transport } = await connect();
  const updates: string[] = [];
  const logs: string[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
  client.setNotificationHandler(
    LoggingMessageNotificationSchema,
    (n) => void logs.push(String(n.params.data)),
  );
  expect((await client.listTools()).tools.map((t) => t.name)).toContain('whoami');

  const pods = new Set<string>();
  for (let i = 0; i < 6; i++) pods.add(textOf(await client.callTool({ name: 'whoami' })));
  expect([...pods].sort()).toEqual(['pod-0', 'pod-1', 'pod-2']);

  for (let i = 0; i < 3; i++) {
    expect(textOf(await client.callTool({ name: 'ask' }))).toMatch(/^pod-\d:accept:\{"name":"Grace"\}$/);
    expect(textOf(await client.callTool({ name: 'sample' }))).toMatch(/^pod-\d:sampled$/);
  }

  const progress: number[] = [];
  const counted = await client.callTool({ name: 'count', arguments: { steps: 3, delayMs: 10 } }, undefined, {
    onprogress: (p) => void progress.push(p.progress),
  });
  expect(textOf(counted)).toMatch(/counted 3$/);
  expect(progress).toEqual([1, 2, 3]);
  expect(logs).toEqual(['step 1', 'step 2', 'step 3']);

  // Notifications emitted by every pod reach the one GET stream, wherever it is open.
  for (let i = 0; i < 3; i++) await client.callTool({ name: 'announce' });
  await waitUntil(() => updates.length >= 3, 'three resource updates on the GET stream', {
    timeoutMs: 20_000,
  });
  expect([...updates].sort()).toEqual([
    'test://updated-by/pod-0',
    'test://updated-by/pod-1',
    'test://updated-by/pod-2',
  ]);

  await transport.terminateSession();
  await client.close();
}, 60_000);

test('DELETE reaches every process, and another principal is refused everywhere', async () => {
  const { client, transport } = await connect('alice');
  const sessionId = transport.sessionId!;
  for (let i = 0; i < 3; i++) await client.callTool({ name: 'whoami' });
  const request = (pod: string, user: string) =>
    fetch(`${pod}/mcp`, {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-session-id': sessionId, 'x-user': user },
      body: rpc(1, 'tools/list'),
    });
  for (const pod of cluster.pods) expect((await request(pod.url, 'mallory')).status).toBe(404);
  await transport.terminateSession();
  for (const pod of cluster.pods) expect((await request(pod.url, 'alice')).status).toBe(404);
  await client.close();
}, 60_000);

test('a pod killed with SIGKILL mid-session: the session carries on on the others', async () => {
  const { client, transport } = await connect();
  for (let i = 0; i < 3; i++) await client.callTool({ name: 'whoami' });
  await cluster.kill(1);
  const pods = new Set<string>();
  for (let i = 0; i < 6; i++) pods.add(textOf(await client.callTool({ name: 'whoami' })));
  expect([...pods].sort()).toEqual(['pod-0', 'pod-2']);
  expect(textOf(await client.callTool({ name: 'ask' }))).toMatch(/accept/);
  await cluster.restart(1);
  const after = new Set<string>();
  for (let i = 0; i < 6; i++) after.add(textOf(await client.callTool({ name: 'whoami' })));
  // The restarted pod never saw this session: it rehydrates it from Redis.
  expect(after.has('pod-1')).toBe(true);
  await transport.terminateSession();
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
