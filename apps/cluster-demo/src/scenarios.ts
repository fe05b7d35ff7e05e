// The scripted clients: one MCP session, driven through what a user cares about, across the pods
// of a cluster behind a round-robin balancer with no affinity, with the real client of the SDK major
// the pods serve with; on SDK v2, also a 2026-07-28 client next to it (scenarios-2026.ts).

import type { PodClusterHandle } from '@mcp-session-store/testing';
import { messagesOf, readEvents } from '@mcp-session-store/testing';
import { CLIENT_ANSWERS, isResponseMessage, type ScenarioClient } from './scenario-client.js';
import { createScenarioClientV1 } from './scenario-client-v1.js';
import { createScenarioClientV2 } from './scenario-client-v2.js';
import { expect, runChecks, type Scenario, type ScenarioResult, textOf, until } from './scenario-kit.js';
import { modernScenarios } from './scenarios-2026.js';
import type { SdkMajor } from './sdk-major.js';

export type { ScenarioResult } from './scenario-kit.js';

type Check = Scenario['check'];

/** What the scenarios may expect of the cluster. */
export interface ScenarioOptions {
  /** Sessions survive a pod restart (false for process memory, where a restart loses them). */
  durable: boolean;
  /** The SDK major of the pods, and so of the client. Default 1. */
  sdk?: SdkMajor | undefined;
  /** The keyring file the pods seal `requestState` with (SDK v2: the rotation row rewrites it). */
  keyringFile?: string | undefined;
}

export async function runScenarios(
  cluster: PodClusterHandle,
  options: ScenarioOptions,
  onResult: (result: ScenarioResult) => void,
): Promise<ScenarioResult[]> {
  const endpoint = `${cluster.url}/mcp`;
  const sdk = options.sdk ?? 1;
  const client: ScenarioClient =
    sdk === 2 ? createScenarioClientV2(endpoint) : createScenarioClientV1(endpoint);
  const { updates, logs } = client;
  const answered = `:${CLIENT_ANSWERS.elicitation.action}:${JSON.stringify(CLIENT_ANSWERS.elicitation.content)}`;
  let sessionId = '';
  const podCount = cluster.pods.length;

  // SDK v2 only: a tool written the v2 way, returning inputRequired(...), whose elicitation the SDK's
  // legacy shim sends on the call's stream. The proof that the answer crossed pods: the result names
  // the pod that ran the call (and asked), and the pod header on the answer's POST names the pod the
  // balancer sent it to.
  const inputRequiredScenario = (): [string, Check] => [
    'inputRequired elicitation (v2): the answer POST lands on another pod, the asking pod gets it',
    async () => {
      // Round robin sends the answer to the next pod; tried again should another request of this
      // client (a GET stream reconnecting) have turned the rotation back to the asking pod.
      const tries = 3 * podCount;
      for (let attempt = 1; attempt <= tries; attempt++) {
        const before = client.exchanges.length;
        const answer = textOf(await client.callTool('ask_input'));
        expect(answer.endsWith(answered), answer);
        const asker = answer.split(':')[0]!;
        const sent = client.exchanges.slice(before);
        const call = sent.find((e) => e.messages.some((m) => m.method === 'tools/call'));
        const reply = sent.find((e) => e.messages.some(isResponseMessage));
        expect(call?.pod === asker, `the call went to ${call?.pod}, but ${asker} says it ran it`);
        expect(reply !== undefined, "no POST carried the client's answer");
        // The tool's result can arrive before the answer's own 202 is read.
        await reply.answered;
        expect(reply.status === 202, `the answer's POST got ${reply.status}`);
        if (podCount === 1) return { pods: [asker], detail: 'one pod: asked and answered there' };
        if (reply.pod !== null && reply.pod !== asker) {
          return { pods: [asker, reply.pod], detail: `asked by ${asker}, answer POSTed to ${reply.pod}` };
        }
      }
      throw new Error(`in ${tries} calls, every answer went back to the pod that asked`);
    },
  ];

  const scenarios: Array<[string, Check]> = [
    [
      'initialize (session stored before the id is seen)',
      async () => {
        sessionId = await client.connect();
        expect(sessionId.length > 0, 'no session id');
        return { pods: [], detail: 'through the balancer' };
      },
    ],
    [
      'tools/call on every pod',
      async () => {
        const pods = new Set<string>();
        for (let i = 0; i < podCount * 2; i++) pods.add(textOf(await client.callTool('whoami')));
        expect(pods.size === podCount, `served by ${pods.size} of ${podCount} pods`);
        return { pods: [...pods].sort() };
      },
    ],
    [
      'elicitation: the answer POST goes round robin, the asking pod gets it',
      async () => {
        const answer = textOf(await client.callTool('ask'));
        expect(answer.endsWith(answered), answer);
        return { pods: [answer.split(':')[0]!], detail: 'asked by this pod' };
      },
    ],
    [
      'sampling: the same, for a sampling request',
      async () => {
        const answer = textOf(await client.callTool('sample'));
        expect(answer.endsWith(`:${CLIENT_ANSWERS.llmText}`), answer);
        return { pods: [answer.split(':')[0]!], detail: 'asked by this pod' };
      },
    ],
    ...(sdk === 2 ? [inputRequiredScenario()] : []),
    [
      'progress and logging',
      async () => {
        const progress: number[] = [];
        const before = logs.length;
        const result = await client.callTool(
          'count',
          { steps: 3, delayMs: 10 },
          (p) => void progress.push(p),
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
        for (let i = 0; i < podCount; i++) emitters.add(textOf(await client.callTool('announce')));
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
        await client.subscribeResource(watched);
        // Round robin: the updates run on every pod, and each finds the subscription in the store.
        const pods = new Set<string>();
        for (let i = 0; i < podCount; i++) {
          const [pod, outcome] = textOf(await client.callTool('update_watched_resource')).split(':');
          expect(outcome === 'notified', `${pod} answered ${outcome}`);
          pods.add(pod!);
        }
        await until(() => notified() - before >= podCount, `${podCount} updates of ${watched}`);
        await client.unsubscribeResource(watched);
        const after = textOf(await client.callTool('update_watched_resource'));
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
        for (let i = 0; i < podCount * 2; i++) pods.add(textOf(await client.callTool('whoami')));
        expect(!pods.has(cluster.pods[victim]!.name), 'the killed pod answered');
        await cluster.restart(victim);
        for (let i = 0; i < podCount * 2; i++) pods.add(textOf(await client.callTool('whoami')));
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
        await client.terminateSession();
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

  const rows: Scenario[] = scenarios.map(([name, check]) => ({ era: '2025', name, check }));
  // SDK v2: the 2026-07-28 client's rows, while the session's GET stream is still open and before a
  // pod is killed.
  const modern =
    sdk === 2 && options.keyringFile !== undefined
      ? modernScenarios({ cluster, legacy: client, keyringFile: options.keyringFile })
      : undefined;
  if (modern)
    rows.splice(
      rows.findIndex((r) => r.name.startsWith('a pod killed')),
      0,
      ...modern.scenarios,
    );
  const results = await runChecks(rows, onResult);
  await modern?.close().catch(() => {});
  await client.close().catch(() => {});
  return results;
}
