// The v2 example server on the 2026-07-28 wire, served by SDK v2's own `createMcpHandler` in
// process: its multi-round state is sealed with core's codec and the keyring the process is given
// (as the pods do), so a round answered on another process holding the same keyring completes, and
// nothing else gets through (a tampered state, a state sealed under another key); its cacheable
// results carry the caching hints it sets.
import { createRequestStateCodec } from '@mcp-session-store/core';
import { createMcpHandler, type McpHttpHandler, type ServerNotifier } from '@modelcontextprotocol/server';
import { createExampleServerV2, type ExampleRequestState } from '../src/example-server-v2.js';
import { type KeyringFileContents, newKeyring } from '../src/keyring-file.js';

const REVISION = '2026-07-28';
const ignored: ServerNotifier = {
  toolsChanged: () => {},
  promptsChanged: () => {},
  resourcesChanged: () => {},
  resourceUpdated: () => {},
};

/** One process serving the example server on the 2026 wire, sealing state with `keyring`. */
function process2026(keyring: KeyringFileContents): McpHttpHandler {
  const requestState = createRequestStateCodec<ExampleRequestState>({ keyring });
  return createMcpHandler(
    () => createExampleServerV2({ pod: 'p', sessionId: null, notify: ignored, requestState }),
    { legacy: 'reject' },
  );
}

let nextId = 1;
/** Sends one 2026-07-28 request (the per-request `_meta` envelope and headers); resolves to its JSON-RPC answer. */
async function send(
  handler: McpHttpHandler,
  method: string,
  params: Record<string, unknown>,
): Promise<{ result?: Record<string, unknown>; error?: { code: number; message: string } }> {
  const name = (params.name ?? params.uri) as string | undefined;
  const response = await handler.fetch(
    new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': REVISION,
        'mcp-method': method,
        ...(name !== undefined && { 'mcp-name': name }),
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: nextId++,
        method,
        params: {
          ...params,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': REVISION,
            'io.modelcontextprotocol/clientInfo': { name: 'test', version: '1' },
            'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
          },
        },
      }),
    }),
  );
  return (await response.json()) as never;
}

const TOOL = 'test_input_required_result_request_state';
const CONFIRMED = { confirm: { action: 'accept', content: { ok: true } } };

/** Round 1 of the requestState tool on `handler`: the state it sealed. */
async function firstRound(handler: McpHttpHandler): Promise<string> {
  const { result } = await send(handler, 'tools/call', { name: TOOL, arguments: {} });
  expect(result).toMatchObject({
    resultType: 'input_required',
    inputRequests: { confirm: expect.anything() },
  });
  return result!.requestState as string;
}

const keyring = newKeyring();
const podA = process2026(keyring);
const podB = process2026(keyring);
afterAll(async () => {
  await podA.close();
  await podB.close();
});

test('a requestState sealed by one process is accepted by another holding the same keyring', async () => {
  const requestState = await firstRound(podA);
  const { result } = await send(podB, 'tools/call', {
    name: TOOL,
    arguments: {},
    inputResponses: CONFIRMED,
    requestState,
  });
  expect(result?.content).toEqual([
    { type: 'text', text: 'state-ok: requestState verified and confirmation received' },
  ]);
});

test('a tampered requestState, or one sealed under another key, is refused with -32602', async () => {
  const requestState = await firstRound(podA);
  // The same key id, another key.
  const stranger = process2026(newKeyring());
  try {
    for (const [handler, state] of [
      [podB, `${requestState}x`],
      [stranger, requestState],
    ] as const) {
      const { error } = await send(handler, 'tools/call', {
        name: TOOL,
        arguments: {},
        inputResponses: CONFIRMED,
        requestState: state,
      });
      expect(error?.code).toBe(-32602);
    }
  } finally {
    await stranger.close();
  }
});

test('the multi-round tool carries the first answer to the last round in its state, across processes', async () => {
  const tool = 'test_input_required_result_multi_round';
  const r1 = (await send(podA, 'tools/call', { name: tool, arguments: {} })).result!;
  const r2 = (
    await send(podB, 'tools/call', {
      name: tool,
      arguments: {},
      inputResponses: { step1: { action: 'accept', content: { name: 'Ada' } } },
      requestState: r1.requestState,
    })
  ).result!;
  expect(r2).toMatchObject({ resultType: 'input_required', inputRequests: { step2: expect.anything() } });
  expect(r2.requestState).not.toBe(r1.requestState);
  const r3 = (
    await send(podA, 'tools/call', {
      name: tool,
      arguments: {},
      inputResponses: { step2: { action: 'accept', content: { color: 'blue' } } },
      requestState: r2.requestState,
    })
  ).result!;
  expect(r3.content).toEqual([{ type: 'text', text: 'Multi-round complete: Ada likes blue' }]);
});

test('cacheable results carry the example server caching hints; the watched resource is not cached', async () => {
  expect((await send(podA, 'tools/list', {})).result).toMatchObject({ ttlMs: 60_000, cacheScope: 'public' });
  expect((await send(podA, 'resources/read', { uri: 'test://static-text' })).result).toMatchObject({
    ttlMs: 300_000,
    cacheScope: 'public',
  });
  expect((await send(podA, 'resources/read', { uri: 'test://watched-resource' })).result).toMatchObject({
    ttlMs: 0,
    cacheScope: 'private',
  });
});
