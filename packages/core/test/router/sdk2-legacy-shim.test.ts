// Pins what the router's server-to-client routing relies on in SDK v2 (`@modelcontextprotocol/server`
// 2.x) for a tool written once with `inputRequired(...)` and called by a 2025 session client: the
// SDK's legacy shim turns the result into a real `elicitation/create` request that goes out through
// the session transport's `send`, tied to the tool call (`relatedRequestId`) and numbered by the
// server instance from 0, as in SDK 1.x. That is what makes wire ids (unique across pods) and
// forwarding the client's answer to the asking pod work for v2 as for 1.x. If an SDK upgrade
// changes it, this fails before the router does.
import {
  inputRequired,
  type JSONRPCMessage,
  McpServer,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';

const SESSION = 'shim-session-1';
const NAME_SCHEMA = { type: 'object' as const, properties: { name: { type: 'string' as const } } };

function post(body: unknown, session?: string) {
  return new Request('http://localhost/mcp', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(session && { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' }),
    },
    body: JSON.stringify(body),
  });
}

async function session() {
  const server = new McpServer({ name: 'shim', version: '1' });
  server.registerTool('ask_name', { description: 'asks the client for a name' }, async (ctx) => {
    const answer = ctx.mcpReq.inputResponses?.name;
    if (!answer) {
      return inputRequired({
        inputRequests: {
          name: inputRequired.elicit({ message: 'Your name?', requestedSchema: NAME_SCHEMA }),
        },
      });
    }
    return { content: [{ type: 'text', text: `hello ${JSON.stringify(answer)}` }] };
  });
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: () => SESSION });
  const sent: Array<{ message: JSONRPCMessage; relatedRequestId: unknown }> = [];
  const send = transport.send.bind(transport);
  transport.send = async (message, options) => {
    sent.push({ message, relatedRequestId: options?.relatedRequestId });
    await send(message, options);
  };
  await server.connect(transport);
  const init = await transport.handleRequest(
    post({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: { elicitation: {} },
        clientInfo: { name: 'c', version: '1' },
      },
    }),
  );
  await init.text();
  await (
    await transport.handleRequest(post({ jsonrpc: '2.0', method: 'notifications/initialized' }, SESSION))
  ).text();
  return { transport, sent };
}

/** Reads the SSE body until `done(text)` holds; returns what was read. */
async function readUntil(res: Response, done: (text: string) => boolean): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!done(text)) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  void reader.cancel();
  return text;
}

test('an inputRequired tool asks a 2025 session client through transport.send, tied to the call, id 0', async () => {
  const { transport, sent } = await session();
  const call = await transport.handleRequest(
    post(
      { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'ask_name', arguments: {} } },
      SESSION,
    ),
  );
  const stream = readUntil(call, (text) => text.includes('"id":7'));
  // Wait for the request the shim sends (bounded by the test timeout, not a fixed time).
  while (!sent.some((s) => 'method' in s.message && s.message.method === 'elicitation/create')) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const asked = sent.find((s) => 'method' in s.message && s.message.method === 'elicitation/create')!;
  expect(asked.relatedRequestId).toBe(7);
  expect((asked.message as { id: unknown }).id).toBe(0);

  // The client's answer, POSTed to this transport, completes the call on the call's own stream.
  const answer = await transport.handleRequest(
    post({ jsonrpc: '2.0', id: 0, result: { action: 'accept', content: { name: 'Ada' } } }, SESSION),
  );
  expect(answer.status).toBe(202);
  const text = await stream;
  expect(text).toContain('"method":"elicitation/create"');
  expect(text).toContain('hello {\\"action\\":\\"accept\\",\\"content\\":{\\"name\\":\\"Ada\\"}}');
});
