// The demo's 2026-07-28 rows (`--sdk 2`): a client pinned to 2026-07-28 (no session) next to the
// 2025 session client, through the same balancer, on the same dual-era pods. A listen stream held
// by one pod gets a change made by a tool on another, and the 2025 session's GET stream gets the
// same change; an `input_required` round is retried on another pod; that retry, replayed on a third
// pod, is refused; the `requestState` keys are rotated in the middle of a round. The pods named are
// the ones that answered each HTTP request (their `x-demo-pod` header).
import { envelopeKeyId } from '@mcp-session-store/core';
import type { PodClusterHandle } from '@mcp-session-store/testing';
import {
  type KeyringFileContents,
  type RotationStep,
  readKeyringFile,
  rotateKeyring,
  writeKeyringFile,
} from './keyring-file.js';
import { POD_HEADER } from './pod-header.js';
import type { Exchange, ScenarioClient } from './scenario-client.js';
import { createModernScenarioClient } from './scenario-client-2026.js';
import { expect, type Scenario, textOf, until } from './scenario-kit.js';

export interface ModernScenarioContext {
  cluster: PodClusterHandle;
  /** The 2025 session client of the other rows, its GET stream open. */
  legacy: ScenarioClient;
  /** The keyring file every pod seals `requestState` with. */
  keyringFile: string;
}

const STATE_TOOL = 'test_input_required_result_request_state';
const STATE_OK = 'state-ok: requestState verified and confirmation received';
const MULTI_ROUND_TOOL = 'test_input_required_result_multi_round';

type Message = Record<string, unknown> & { params?: Record<string, unknown> };

/** The tools/call requests among `exchanges`. */
const toolCalls = (exchanges: readonly Exchange[]) =>
  exchanges.filter((e) => e.messages.some((m) => m.method === 'tools/call'));

/** The `requestState` a tools/call request echoed, if any. */
const echoedState = (exchange: Exchange): string | undefined => {
  const call = exchange.messages.find((m) => m.method === 'tools/call') as Message | undefined;
  const state = call?.params?.requestState;
  return typeof state === 'string' ? state : undefined;
};

/** The JSON-RPC message answering `id` in a JSON or SSE response body. */
function answerIn(body: string, id: string): Message | undefined {
  const candidates = body.trimStart().startsWith('{')
    ? [body]
    : body
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim());
  for (const text of candidates) {
    try {
      const message = JSON.parse(text) as Message;
      if (message.id === id) return message;
    } catch {
      // a keep-alive or priming event
    }
  }
  return undefined;
}

/**
 * Sends the request of `exchange` again, with the same headers, to `podUrl` directly: a new
 * JSON-RPC id, `params` merged into its params.
 */
async function sendAgain(
  podUrl: string,
  exchange: Exchange,
  id: string,
  params: Record<string, unknown> = {},
): Promise<{ status: number; pod: string | null; answer: Message | undefined }> {
  const request = JSON.parse(exchange.body ?? '{}') as Message;
  const body = { ...request, id, params: { ...request.params, ...params } };
  const response = await fetch(`${podUrl}/mcp`, {
    method: 'POST',
    headers: exchange.headers,
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    pod: response.headers.get(POD_HEADER),
    answer: answerIn(await response.text(), id),
  };
}

/** Fails unless the answer is the SDK's refusal of a `requestState`: JSON-RPC -32602 in HTTP 200. */
function expectRefused(sent: { status: number; answer: Message | undefined }, what: string): void {
  const error = sent.answer?.error as { code?: number; message?: string } | undefined;
  expect(
    sent.status === 200 && error?.code === -32602,
    `${what}: expected HTTP 200 with JSON-RPC -32602, got ${sent.status} ${JSON.stringify(sent.answer ?? null)}`,
  );
}

/** The 2026-07-28 rows, and the 2025 row that shares their change; `close` ends the 2026 client. */
export function modernScenarios(context: ModernScenarioContext): {
  scenarios: Scenario[];
  close(): Promise<void>;
} {
  const { cluster, legacy, keyringFile } = context;
  const podCount = cluster.pods.length;
  const onePod = podCount === 1;
  const client = createModernScenarioClient(`${cluster.url}/mcp`);
  const tries = 3 * podCount;
  /** A pod other than `used` (the first such), or the only pod. */
  const otherPod = (...used: Array<string | null>) =>
    cluster.pods.find((p) => !used.includes(p.name)) ?? cluster.pods[0]!;

  // What the listen row leaves for the GET stream row.
  let change: { triggers: number; triggerPod: string; legacyBefore: number } | undefined;
  // What the input_required row leaves for the replay row.
  let round: { minted: string; verified: string; retry: Exchange } | undefined;
  let subscription: { close(): Promise<void> } | undefined;

  const rotate = async (step: RotationStep): Promise<KeyringFileContents> => {
    const next = rotateKeyring(await readKeyringFile(keyringFile), step);
    await writeKeyringFile(keyringFile, next);
    return next;
  };

  /**
   * One key rotation, in its three steps, around a call of two rounds: `add` before the call,
   * `activate` while round 1's answer is being given (between the round and its retry), `drop`
   * while round 2's is. Checks that round 1's state (old key) opens after the switch, that round
   * 2's is sealed under the new key, and that a state sealed under the old key before the
   * rotation, never used, is refused once that key is dropped.
   */
  const rotateMidRound = async () => {
    const { activeKeyId: oldKey } = await readKeyringFile(keyringFile);
    const { keys } = await rotate('add');
    const newKey = Object.keys(keys).find((id) => id !== oldKey)!;
    // The spare: round 1 of another call, its state kept for after the drop.
    let before = client.exchanges.length;
    const spare = (await client.callTool(STATE_TOOL, { allowInputRequired: true })) as {
      requestState?: string;
    };
    const spareCall = toolCalls(client.exchanges.slice(before))[0];
    expect(
      spareCall !== undefined && envelopeKeyId(spare.requestState) === oldKey,
      `the spare state was not sealed under ${oldKey}`,
    );
    client.beforeAnswer = async (fields) => {
      if (fields.includes('name')) await rotate('activate');
      if (fields.includes('color')) await rotate('drop');
    };
    before = client.exchanges.length;
    try {
      const answer = textOf(await client.callTool(MULTI_ROUND_TOOL));
      expect(answer === 'Multi-round complete: Ada likes blue', answer);
    } finally {
      client.beforeAnswer = undefined;
    }
    const [round1, retry1, retry2] = toolCalls(client.exchanges.slice(before));
    expect(
      round1 !== undefined && retry1 !== undefined && retry2 !== undefined,
      'the call did not take three requests',
    );
    expect(envelopeKeyId(echoedState(retry1)) === oldKey, `round 1's state was not sealed under ${oldKey}`);
    expect(envelopeKeyId(echoedState(retry2)) === newKey, `round 2's state was not sealed under ${newKey}`);
    // The spare's retry, as the client would send it, on a pod other than the last one used.
    const target = otherPod(retry2.pod);
    const sent = await sendAgain(target.url, spareCall, 'demo-spare', {
      inputResponses: { confirm: { action: 'accept', content: { ok: true } } },
      requestState: spare.requestState,
    });
    expectRefused(sent, `the unused ${oldKey} state on ${target.name}`);
    return { oldKey, newKey, round1, retry1, retry2, refusedOn: target.name };
  };

  const scenarios: Scenario[] = [
    {
      era: '2026',
      name: 'server/discover pinned to 2026-07-28, then tools/call on every pod, no session',
      check: async () => {
        await client.connect();
        const pods = new Set<string>();
        for (let i = 0; i < podCount * 2; i++) pods.add(textOf(await client.callTool('whoami')));
        expect(pods.size === podCount, `served by ${pods.size} of ${podCount} pods`);
        const withSession = client.exchanges.filter((e) => e.headers.has('mcp-session-id')).length;
        expect(withSession === 0, `${withSession} requests carried a session id`);
        return { pods: [...pods].sort(), detail: 'no request carried a session id' };
      },
    },
    {
      era: '2026',
      name: 'subscriptions/listen held by one pod gets tools/list_changed from a tool run on another',
      check: async () => {
        const getStream = legacy.exchanges.filter((e) => e.method === 'GET' && e.status === 200).at(-1);
        expect(getStream?.pod != null, 'the 2025 session has no GET stream open');
        // With 3 pods or more, the listen stream is held by another pod than the GET stream: opened
        // again until the balancer puts it there.
        let listen: Exchange | undefined;
        for (let attempt = 1; attempt <= tries; attempt++) {
          await subscription?.close();
          const before = client.exchanges.length;
          subscription = await client.listenForToolChanges();
          listen = client.exchanges
            .slice(before)
            .find((e) => e.messages.some((m) => m.method === 'subscriptions/listen'));
          if (podCount < 3 || listen?.pod !== getStream.pod) break;
        }
        expect(listen?.pod != null, 'no pod answered the listen request');
        const listenPod = listen.pod;
        const legacyBefore = legacy.toolListChanges;
        // The change is made on a pod holding neither stream (with 3 pods; with 2, not the listen's).
        const avoid = podCount >= 3 ? [listenPod, getStream.pod] : [listenPod];
        let triggers = 0;
        let triggerPod: string | null = null;
        for (; triggers < tries; ) {
          const sent = client.exchanges.length;
          const answer = textOf(await client.callTool('test_trigger_tool_change'));
          expect(answer === 'tools/list_changed announced', answer);
          triggers++;
          triggerPod = toolCalls(client.exchanges.slice(sent))[0]?.pod ?? null;
          if (onePod || (triggerPod !== null && !avoid.includes(triggerPod))) break;
        }
        expect(triggerPod !== null, 'no pod answered the trigger');
        expect(onePod || !avoid.includes(triggerPod), `in ${tries} calls, no trigger ran on another pod`);
        await until(
          () => client.toolListChanges.length >= triggers,
          `${triggers} change(s) on the listen stream`,
        );
        const listenId = listen.messages.find((m) => m.method === 'subscriptions/listen')?.id;
        const foreign = client.toolListChanges.filter((id) => id !== listenId).length;
        expect(foreign === 0, `${foreign} notification(s) not tagged with the listen request's id`);
        change = { triggers, triggerPod, legacyBefore };
        return {
          pods: [listenPod, triggerPod],
          detail: onePod
            ? 'one pod: listen and change there'
            : `listen on ${listenPod}, change made on ${triggerPod}`,
        };
      },
    },
    {
      era: '2025',
      name: "the same change on a 2025 session's GET stream",
      check: async () => {
        expect(change !== undefined, 'no change was made');
        const { triggers, triggerPod, legacyBefore } = change;
        await until(
          () => legacy.toolListChanges - legacyBefore >= triggers,
          `${triggers} change(s) on the 2025 GET stream`,
        );
        await subscription?.close();
        const getPod = legacy.exchanges.filter((e) => e.method === 'GET' && e.status === 200).at(-1)!.pod!;
        return {
          pods: [getPod, triggerPod],
          detail:
            getPod === triggerPod
              ? `GET stream and change on ${getPod}`
              : `GET stream on ${getPod}, change made on ${triggerPod}`,
        };
      },
    },
    {
      era: '2026',
      name: 'input_required: the retry with requestState lands on another pod and completes',
      check: async () => {
        for (let attempt = 1; attempt <= tries; attempt++) {
          const before = client.exchanges.length;
          const answer = textOf(await client.callTool(STATE_TOOL));
          expect(answer === STATE_OK, answer);
          const calls = toolCalls(client.exchanges.slice(before));
          const first = calls.find((e) => echoedState(e) === undefined);
          const retry = calls.find((e) => echoedState(e) !== undefined);
          expect(first?.pod != null && retry?.pod != null, 'the round and its retry were not both answered');
          if (onePod || retry.pod !== first.pod) {
            round = { minted: first.pod, verified: retry.pod, retry };
            const key = envelopeKeyId(echoedState(retry));
            return {
              pods: [first.pod, retry.pod],
              detail: onePod
                ? `one pod: state sealed (${key}) and verified there`
                : `state sealed (${key}) on ${first.pod}, verified on ${retry.pod}`,
            };
          }
        }
        throw new Error(`in ${tries} calls, every retry went back to the pod that minted the state`);
      },
    },
    {
      era: '2026',
      name: 'the same retry replayed on a third pod: refused (-32602), state used at most once',
      check: async () => {
        expect(round !== undefined, 'no round to replay');
        const target = otherPod(round.minted, round.verified);
        const sent = await sendAgain(target.url, round.retry, 'demo-replay');
        expectRefused(sent, `the replay on ${target.name}`);
        return {
          pods: [target.name],
          detail: `${onePod ? 'one pod: ' : ''}replayed on ${sent.pod}: ${(sent.answer!.error as { message: string }).message}`,
        };
      },
    },
    {
      era: '2026',
      name: 'keys rotated mid-round: the old key still opens, new states use the new one, then it is dropped',
      check: async () => {
        // Each attempt is a whole rotation; tried again (with the next key) should the balancer
        // have sent round 1's retry back to the pod that sealed its state.
        for (let attempt = 1; attempt <= tries; attempt++) {
          const r = await rotateMidRound();
          if (onePod || r.retry1.pod !== r.round1.pod) {
            return {
              pods: [...new Set([r.round1.pod!, r.retry1.pod!, r.retry2.pod!, r.refusedOn])].sort(),
              detail:
                `${r.oldKey} state sealed on ${r.round1.pod}, opened on ${r.retry1.pod} after ${r.newKey} went ` +
                `active; next state under ${r.newKey}; ${r.oldKey} dropped: an unused ${r.oldKey} state refused on ${r.refusedOn}`,
            };
          }
        }
        throw new Error(
          `in ${tries} rotations, every retry of round 1 went back to the pod that sealed its state`,
        );
      },
    },
  ];
  return {
    scenarios,
    close: async () => {
      await subscription?.close().catch(() => {});
      await client.close();
    },
  };
}
