// The scripted client: one MCP session, driven through what a user cares about, across the pods of
// a cluster behind a round-robin balancer with no affinity.

import type { PodClusterHandle } from '@mcp-session-store/testing';
import { messagesOf, readEvents } from '@mcp-session-store/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

/** One row of the demo's table. */
export interface ScenarioResult {
  name: string;
  pods: string;
  status: 'passed' | 'failed' | 'skipped';
  ms: number;
  detail?: string;
}

type Check = () => Promise<{ pods: string[]; detail?: string; skipped?: boolean }>;

/** What the scenarios may expect of the cluster. */
export interface ScenarioOptions {
  /** Sessions survive a pod restart (false for process memory, where a restart loses them). */
  durable: boolean;
}

const textOf = (result: unknown): string =>
  ((result as { content: Array<{ text: string }> }).content[0] as { text: string }).text;

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function runScenarios(
  cluster: PodClusterHandle,
  options: ScenarioOptions,
  onResult: (result: ScenarioResult) => void,
): Promise<ScenarioResult[]> {
  const endpoint = `${cluster.url}/mcp`;
  const client = new Client(
    { name: 'cluster-demo-client', version: '1.0.0' },
    { capabilities: { elicitation: {}, sampling: {} } },
  );
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Ada' } }));
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    role: 'assistant',
    content: { type: 'text', text: 'hello from the client LLM' },
    model: 'demo-model',
  }));
  const updates: string[] = [];
  const logs: string[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
  client.setNotificationHandler(
    LoggingMessageNotificationSchema,
    (n) => void logs.push(String(n.params.data)),
  );
  const transport = new StreamableHTTPClientTransport(new URL(endpoint));
  let sessionId = '';
  const podCount = cluster.pods.length;

  const scenarios: Array<[string, Check]> = [
    [
      'initialize (session stored before the id is seen)',
      async () => {
        await client.connect(transport);
        sessionId = transport.sessionId ?? '';
        expect(sessionId.length > 0, 'no session id');
        return { pods: [], detail: 'through the balancer' };
      },
    ],
    [
      'tools/call on every pod',
      async () => {
        const pods = new Set<string>();
        for (let i = 0; i < podCount * 2; i++) pods.add(textOf(await client.callTool({ name: 'whoami' })));
        expect(pods.size === podCount, `served by ${pods.size} of ${podCount} pods`);
        return { pods: [...pods].sort() };
      },
    ],
    [
      'elicitation: the answer POST goes round robin, the asking pod gets it',
      async () => {
        const answer = textOf(await client.callTool({ name: 'ask' }));
        expect(answer.endsWith(':accept:{"name":"Ada"}'), answer);
        return { pods: [answer.split(':')[0]!], detail: 'asked by this pod' };
      },
    ],
    [
      'sampling: the same, for a sampling request',
      async () => {
        const answer = textOf(await client.callTool({ name: 'sample' }));
        expect(answer.endsWith(':hello from the client LLM'), answer);
        return { pods: [answer.split(':')[0]!], detail: 'asked by this pod' };
      },
    ],
    [
      'progress and logging',
      async () => {
        const progress: number[] = [];
        const before = logs.length;
        const result = await client.callTool(
          { name: 'count', arguments: { steps: 3, delayMs: 10 } },
          undefined,
          {
            onprogress: (p) => void progress.push(p.progress),
          },
        );
        expect(progress.join() === '1,2,3', `progress ${progress.join()}`);
        expect(logs.length - before === 3, `${logs.length - before} log messages`);
        return { pods: [textOf(result).split(':')[0]!] };
      },
    ],
    [
      'notification from one pod on the GET stream held by another',
      async () => {
        const emitters = new Set<string>();
        for (let i = 0; i < podCount; i++) emitters.add(textOf(await client.callTool({ name: 'announce' })));
        await until(() => updates.length >= podCount, `${podCount} resource updates`);
        return { pods: [...emitters].sort() };
      },
    ],
    [
      'resource subscription kept in the store: any pod notifies, until unsubscribed',
      async () => {
        const watched = 'test://watched-resource';
        const notified = () => updates.filter((u) => u === watched).length;
        const before = notified();
        await client.subscribeResource({ uri: watched });
        // Round robin: the updates run on every pod, and each finds the subscription in the store.
        const pods = new Set<string>();
        for (let i = 0; i < podCount; i++) {
          const [pod, outcome] = textOf(await client.callTool({ name: 'update_watched_resource' })).split(
            ':',
          );
          expect(outcome === 'notified', `${pod} answered ${outcome}`);
          pods.add(pod!);
        }
        await until(() => notified() - before >= podCount, `${podCount} updates of ${watched}`);
        await client.unsubscribeResource({ uri: watched });
        const after = textOf(await client.callTool({ name: 'update_watched_resource' }));
        expect(after.endsWith(':not subscribed'), `after unsubscribing: ${after}`);
        return { pods: [...pods].sort() };
      },
    ],
    [
      'stream resumed on another pod (Last-Event-ID)',
      async () => {
        const [a, b] = [cluster.pods[0]!, cluster.pods[podCount - 1]!];
        const headers = {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-11-25',
        };
        const call = await fetch(`${a.url}/mcp`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 'resume-demo',
            method: 'tools/call',
            params: { name: 'count', arguments: { steps: 6, delayMs: 40 }, _meta: { progressToken: 'r' } },
          }),
        });
        const first = await readEvents(call, (events) => messagesOf(events).length >= 2);
        const lastSeen = first.filter((e) => e.id !== undefined).at(-1)!.id!;
        const resumed = await fetch(`${b.url}/mcp`, { headers: { ...headers, 'last-event-id': lastSeen } });
        const rest = await readEvents(resumed, (events) =>
          messagesOf(events).some((m) => m.id === 'resume-demo'),
        );
        const all = [...messagesOf(first), ...messagesOf(rest)];
        const progress = all
          .filter((m) => m.method === 'notifications/progress')
          .map((m) => m.params.progress);
        expect(progress.join() === '1,2,3,4,5,6', `progress ${progress.join()}`);
        expect(all.filter((m) => m.id === 'resume-demo').length === 1, 'result not delivered exactly once');
        return { pods: [a.name, b.name], detail: 'nothing lost, nothing twice' };
      },
    ],
    [
      'a pod killed (SIGKILL) mid-session',
      async () => {
        if (!options.durable) {
          return {
            pods: [],
            detail: 'needs a shared backend: process memory dies with the pod',
            skipped: true,
          };
        }
        const victim = podCount - 1;
        await cluster.kill(victim);
        const pods = new Set<string>();
        for (let i = 0; i < podCount * 2; i++) pods.add(textOf(await client.callTool({ name: 'whoami' })));
        expect(!pods.has(cluster.pods[victim]!.name), 'the killed pod answered');
        await cluster.restart(victim);
        for (let i = 0; i < podCount * 2; i++) pods.add(textOf(await client.callTool({ name: 'whoami' })));
        expect(pods.has(cluster.pods[victim]!.name), 'the restarted pod never served the session');
        return {
          pods: [...pods].sort(),
          detail: `${cluster.pods[victim]!.name} killed, restarted, rehydrated`,
        };
      },
    ],
    [
      'DELETE, then 404 on every pod',
      async () => {
        await transport.terminateSession();
        // The pod that served DELETE answers 404 at once; the others once the deletion broadcast
        // reaches them over the bus (milliseconds): measured, with a bound.
        const started = performance.now();
        for (const pod of cluster.pods) {
          for (;;) {
            const res = await fetch(`${pod.url}/mcp`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                accept: 'application/json, text/event-stream',
                'mcp-session-id': sessionId,
                'mcp-protocol-version': '2025-11-25',
              },
              body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
            });
            await res.body?.cancel();
            if (res.status === 404) break;
            if (performance.now() - started > 2_000) {
              throw new Error(`${pod.name} still answered ${res.status} 2 s after DELETE`);
            }
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        }
        const ms = Math.round(performance.now() - started);
        return { pods: cluster.pods.map((p) => p.name), detail: `404 everywhere within ${ms} ms` };
      },
    ],
  ];

  const results: ScenarioResult[] = [];
  for (const [name, check] of scenarios) {
    const started = performance.now();
    let result: ScenarioResult;
    try {
      const { pods, detail, skipped } = await check();
      result = {
        name,
        pods: pods.join(', '),
        status: skipped ? 'skipped' : 'passed',
        ms: performance.now() - started,
        ...(detail && { detail }),
      };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      result = { name, pods: '', status: 'failed', ms: performance.now() - started, detail };
    }
    results.push(result);
    onResult(result);
    // A failed step leaves the session in an unknown state: stop there.
    if (result.status === 'failed') break;
  }
  await client.close().catch(() => {});
  return results;
}
