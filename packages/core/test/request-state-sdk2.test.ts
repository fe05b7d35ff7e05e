// createRequestStateCodec as SDK v2's `ServerOptions.requestState.verify`, in v2's own 2026-07-28
// handler (`createMcpHandler`), on two "pods" sharing a keyring and a claim namespace: a round
// started on one pod finishes on the other; a replayed, tampered, foreign or misdirected state is
// answered with the SDK's JSON-RPC error in an HTTP 200, never a 5xx, also when the claim store is down.
import { randomBytes } from 'node:crypto';
import {
  type AuthInfo,
  createMcpHandler,
  inputRequired,
  McpServer,
  type ServerOptions,
  type RequestStateCodec as V2RequestStateCodec,
} from '@modelcontextprotocol/server';
import {
  type ClaimStore,
  type Clock,
  createRequestStateCodec,
  SessionStoreError,
  systemClock,
  TestClock,
} from '../src/index.js';
import { ReferenceClaimStore } from './fixtures/reference-claim-store.mjs';

interface WizardState {
  step: number;
  secret: string;
}

const keyring = { activeKeyId: 'k1', keys: { k1: randomBytes(32) } };
const SECRET = 'state-secret-d41c';

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw-client', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
};

/** One pod: v2's handler whose servers verify requestState with our codec. */
function startPod(claims: ClaimStore, clock: Clock = systemClock) {
  const codec = createRequestStateCodec<WizardState>({ keyring, claims, clock });
  // The codec is SDK v2's RequestStateCodec shape, and its verify is v2's verify hook.
  const asV2: V2RequestStateCodec<WizardState> = codec;
  const hook: NonNullable<ServerOptions['requestState']>['verify'] = codec.verify;
  void [asV2, hook];
  const errors: string[] = [];
  const handler = createMcpHandler(
    () => {
      const server = new McpServer(
        { name: 'wizard', version: '1' },
        { requestState: { verify: codec.verify } },
      );
      server.server.onerror = (error) => void errors.push(error.message);
      for (const tool of ['wizard', 'other']) {
        server.registerTool(tool, { description: 'asks a name, then greets' }, async (ctx) => {
          const state = ctx.mcpReq.requestState<WizardState>();
          if (state === undefined) {
            const name = inputRequired.elicit({
              message: 'Your name?',
              requestedSchema: {
                type: 'object',
                properties: { name: { type: 'string' } },
                required: ['name'],
              },
            });
            return inputRequired({
              inputRequests: { name },
              requestState: await codec.mint({ step: 1, secret: SECRET }, ctx),
            });
          }
          const answer = ctx.mcpReq.inputResponses?.name as { content?: { name?: string } } | undefined;
          return {
            content: [
              { type: 'text', text: `hello ${answer?.content?.name} (step ${state.step}, ${state.secret})` },
            ],
          };
        });
      }
      return server;
    },
    { legacy: 'reject' },
  );
  return { handler, errors };
}

/** What the tests read of a JSON-RPC answer. */
interface RpcMessage {
  result?: {
    resultType?: string;
    requestState?: string;
    inputRequests?: Record<string, unknown>;
    content?: Array<{ type: string; text?: string }>;
  };
  error?: { code: number; message: string; data?: unknown };
}

let nextId = 1;

/** A 2026-07-28 `tools/call` as a client sends it; returns the HTTP status and the JSON-RPC message. */
async function callTool(
  pod: ReturnType<typeof startPod>,
  tool: string,
  extra: { requestState?: string; inputResponses?: unknown; authInfo?: AuthInfo } = {},
) {
  const { authInfo, ...params } = extra;
  const request = new Request('http://localhost/mcp', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': tool,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: nextId++,
      method: 'tools/call',
      params: { name: tool, arguments: {}, _meta: ENVELOPE, ...params },
    }),
  });
  const response = await pod.handler.fetch(request, authInfo ? { authInfo } : undefined);
  const text = await response.text();
  const json = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? text);
  return { status: response.status, message: JSON.parse(json) as RpcMessage };
}

const ANSWER = { name: { action: 'accept', content: { name: 'Ada' } } };
const SDK_REFUSAL = {
  code: -32602,
  message: 'Invalid or expired requestState',
  data: { reason: 'invalid_request_state' },
};

function user(sub: string): AuthInfo {
  return { token: `token-of-${sub}`, clientId: 'app', scopes: [], extra: { sub } };
}

test('an inputRequired round started on one pod finishes on the other; a replay on either is refused with -32602', async () => {
  const namespace = `ns${randomBytes(6).toString('hex')}`;
  const [a, b] = [0, 1].map(() => startPod(new ReferenceClaimStore({ namespace, clock: { now: Date.now } })));
  try {
    const first = await callTool(a!, 'wizard', { authInfo: user('alice') });
    expect(first.status).toBe(200);
    expect(first.message.result).toMatchObject({ resultType: 'input_required', inputRequests: { name: {} } });
    const state = first.message.result?.requestState as string;
    expect(state).not.toContain(SECRET);

    const retry = await callTool(b!, 'wizard', {
      requestState: state,
      inputResponses: ANSWER,
      authInfo: user('alice'),
    });
    expect(retry.status).toBe(200);
    expect(retry.message.result?.content).toEqual([{ type: 'text', text: `hello Ada (step 1, ${SECRET})` }]);

    for (const pod of [a!, b!]) {
      const replay = await callTool(pod, 'wizard', {
        requestState: state,
        inputResponses: ANSWER,
        authInfo: user('alice'),
      });
      expect(replay.status).toBe(200);
      expect(replay.message.error).toEqual(SDK_REFUSAL);
    }
    expect([...a!.errors, ...b!.errors]).toEqual([
      'requestState verification rejected tools/call: requestState was already used',
      'requestState verification rejected tools/call: requestState was already used',
    ]);
  } finally {
    await Promise.all([a!.handler.close(), b!.handler.close()]);
  }
});

test('a tampered, foreign, misdirected or expired state gets -32602, and leaves the state usable by its owner', async () => {
  const clock = new TestClock();
  const pod = startPod(
    new ReferenceClaimStore({ namespace: `ns${randomBytes(6).toString('hex')}`, clock }),
    clock,
  );
  try {
    const state = (await callTool(pod, 'wizard', { authInfo: user('alice') })).message.result
      ?.requestState as string;
    const tampered = `${state.slice(0, 30)}${state[30] === 'A' ? 'B' : 'A'}${state.slice(31)}`;
    const attempts = [
      await callTool(pod, 'wizard', {
        requestState: tampered,
        inputResponses: ANSWER,
        authInfo: user('alice'),
      }),
      await callTool(pod, 'wizard', {
        requestState: state,
        inputResponses: ANSWER,
        authInfo: user('mallory'),
      }),
      await callTool(pod, 'wizard', { requestState: state, inputResponses: ANSWER }),
      await callTool(pod, 'other', { requestState: state, inputResponses: ANSWER, authInfo: user('alice') }),
    ];
    const expiring = (await callTool(pod, 'wizard', { authInfo: user('alice') })).message.result
      ?.requestState as string;
    clock.advance(600_000);
    attempts.push(
      await callTool(pod, 'wizard', {
        requestState: expiring,
        inputResponses: ANSWER,
        authInfo: user('alice'),
      }),
    );
    clock.advance(-600_000);
    for (const attempt of attempts) {
      expect(attempt.status).toBe(200);
      expect(attempt.message.error).toEqual(SDK_REFUSAL);
    }
    expect(pod.errors.map((e) => e.replace(/^requestState verification rejected tools\/call: /, ''))).toEqual(
      [
        'requestState failed authentication: altered, forged or sealed for another use',
        'requestState was issued to another principal',
        'requestState was issued to another principal',
        'requestState was issued for another request',
        'requestState has expired',
      ],
    );
    for (const message of pod.errors)
      for (const secret of [SECRET, 'alice', 'mallory']) expect(message).not.toContain(secret);
    // Refused attempts claimed nothing: the owner's retry still goes through, once.
    const retry = await callTool(pod, 'wizard', {
      requestState: state,
      inputResponses: ANSWER,
      authInfo: user('alice'),
    });
    expect(retry.message.result?.content?.[0]?.text).toBe(`hello Ada (step 1, ${SECRET})`);
  } finally {
    await pod.handler.close();
  }
});

test('a claim store outage answers -32602 in an HTTP 200 (fail closed), never a 5xx and never the tool result', async () => {
  const down: ClaimStore = {
    capabilities: {
      adapter: 'down',
      clock: 'backend',
      nativeTtl: true,
      sharedAcrossProcesses: true,
      ttlGranularityMs: 1,
    },
    claim: async () => {
      throw new SessionStoreError('BACKEND_UNAVAILABLE', 'claim store unreachable');
    },
    close: async () => {},
  };
  const pod = startPod(down);
  try {
    const state = (await callTool(pod, 'wizard')).message.result?.requestState as string;
    const retry = await callTool(pod, 'wizard', { requestState: state, inputResponses: ANSWER });
    expect(retry.status).toBe(200);
    expect(retry.message.error).toEqual(SDK_REFUSAL);
    expect(retry.message.result).toBeUndefined();
    expect(pod.errors).toEqual([
      'requestState verification rejected tools/call: requestState could not be checked for reuse: the claim store is unavailable',
    ]);
  } finally {
    await pod.handler.close();
  }
});
