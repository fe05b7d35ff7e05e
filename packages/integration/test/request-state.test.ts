// core's createRequestStateCodec on two pods of SDK v2's 2026-07-28 handler (`createMcpHandler`)
// behind a round-robin balancer, driven by SDK v2's real Client pinned to 2026-07-28: the tool's
// inputRequired round is answered on the other pod (same keyring, one claim namespace). The exact
// retry the client sent, replayed, is refused with the SDK's JSON-RPC error, never a 5xx.
import { randomBytes } from 'node:crypto';
import { createRequestStateCodec } from '@mcp-session-store/core';
import { MemoryBackend, MemoryClaimStore } from '@mcp-session-store/memory';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, inputRequired, McpServer } from '@modelcontextprotocol/server';
import { type NodeRequestHandler, serveBehindBalancer } from '../src/http-pods.js';

interface WizardState {
  mintedOn: number;
}

const keyring = { activeKeyId: 'k1', keys: { k1: randomBytes(32).toString('base64') } };

async function startPods() {
  const backend = new MemoryBackend(); // the claim store every pod shares (Redis, PostgreSQL, ... in production)
  const errors: string[] = [];
  const handlers = [0, 1].map((pod) => {
    const codec = createRequestStateCodec<WizardState>({
      keyring,
      claims: new MemoryClaimStore({ backend }),
    });
    return createMcpHandler(
      () => {
        const server = new McpServer(
          { name: 'wizard', version: '1' },
          { requestState: { verify: codec.verify } },
        );
        server.server.onerror = (error) => void errors.push(error.message);
        server.registerTool('wizard', { description: 'asks a name, then greets' }, async (ctx) => {
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
              requestState: await codec.mint({ mintedOn: pod }, ctx),
            });
          }
          const answer = ctx.mcpReq.inputResponses?.name as { content?: { name?: string } } | undefined;
          const text = `hello ${answer?.content?.name}: asked on pod ${state.mintedOn}, answered on pod ${pod}`;
          return { content: [{ type: 'text', text }] };
        });
        return server;
      },
      { legacy: 'reject' },
    );
  });
  const pods = await serveBehindBalancer(
    handlers.map((handler) => toNodeHandler(handler) as unknown as NodeRequestHandler),
  );
  return {
    url: pods.url,
    errors,
    async stop() {
      await pods.stop();
      await Promise.all(handlers.map((h) => h.close()));
    },
  };
}

/** A 2026-07-28 client that answers elicitations, recording every POST it sends. */
async function connectClient(url: string) {
  const sent: Array<{ headers: Headers; body: string }> = [];
  const client = new Client(
    { name: 'wizard-client', version: '1' },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  client.setRequestHandler('elicitation/create', async () => ({
    action: 'accept',
    content: { name: 'Ada' },
  }));
  const recording: typeof fetch = async (input, init) => {
    if (init?.method === 'POST' && typeof init.body === 'string') {
      sent.push({ headers: new Headers(init.headers), body: init.body });
    }
    return fetch(input, init);
  };
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: recording }));
  return { client, sent };
}

test('the round started on one pod is answered on the other; the client’s retry, replayed, gets -32602', async () => {
  const pods = await startPods();
  const { client, sent } = await connectClient(pods.url);
  try {
    const result = await client.callTool({ name: 'wizard', arguments: {} });
    expect(result.content).toEqual([
      {
        type: 'text',
        text: expect.stringMatching(/^hello Ada: asked on pod (\d), answered on pod (?!\1)\d$/),
      },
    ]);

    // The retry carried the state byte-exact; send exactly that request again (a new JSON-RPC id).
    const retry = sent.find(
      (r) => (JSON.parse(r.body) as { params?: { requestState?: unknown } }).params?.requestState,
    );
    expect(retry).toBeDefined();
    for (let attempt = 0; attempt < 2; attempt++) {
      const body = { ...(JSON.parse(retry!.body) as Record<string, unknown>), id: `replay-${attempt}` };
      const replay = await fetch(pods.url, {
        method: 'POST',
        headers: retry!.headers,
        body: JSON.stringify(body),
      });
      expect(replay.status).toBe(200);
      const text = await replay.text();
      const json = text.startsWith('{') ? text : /^data: (.*)$/m.exec(text)?.[1];
      expect(JSON.parse(json!)).toMatchObject({
        id: `replay-${attempt}`,
        error: {
          code: -32602,
          message: 'Invalid or expired requestState',
          data: { reason: 'invalid_request_state' },
        },
      });
    }
    expect(pods.errors).toEqual([
      'requestState verification rejected tools/call: requestState was already used',
      'requestState verification rejected tools/call: requestState was already used',
    ]);

    // A new call is a new flow with a new state: it goes through.
    const again = await client.callTool({ name: 'wizard', arguments: {} });
    expect(again.content).toEqual([{ type: 'text', text: expect.stringMatching(/^hello Ada: /) }]);
  } finally {
    await client.close();
    await pods.stop();
  }
});
