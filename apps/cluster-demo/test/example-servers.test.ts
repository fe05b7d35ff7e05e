// The two example servers (SDK 1.x and SDK v2) offer the same surface and give the same answers;
// the v2 one adds what the 2026-07-28 scenarios expect: tools and a prompt written with
// inputRequired(...), which reach a 2025 client through the SDK's legacy shim as real elicitation,
// sampling and roots requests, listen triggers and diagnostic tools. In process, over each SDK's own
// in-memory transport: what the pods serve, without the router.

import { createRequestStateCodec } from '@mcp-session-store/core';
import { Client as ClientV2, InMemoryTransport as InMemoryTransportV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ServerNotifier } from '@modelcontextprotocol/server';
import { createExampleServer } from '../src/example-server.js';
import { createExampleServerV2, type ExampleRequestState } from '../src/example-server-v2.js';
import { newKeyring } from '../src/keyring-file.js';

const CAPABILITIES = { capabilities: { elicitation: {}, sampling: {} } };
const ELICITED = { action: 'accept' as const, content: { name: 'Ada' } };
/** What the v2 client answers for each form field the v2 tools ask about. */
const FIELD_ANSWERS: Record<string, string | boolean> = {
  name: 'Ada',
  color: 'blue',
  ok: true,
  context: 'tests',
};
const SAMPLED = { role: 'assistant' as const, content: { type: 'text' as const, text: 'Paris' }, model: 'm' };
const ROOTS = { roots: [{ uri: 'file:///work', name: 'work' }] };
/** The 2026-07-28 scenarios' tools, on the v2 server only. */
const V2_ONLY = [
  'ask_input',
  'sample_input',
  'test_input_required_result_elicitation',
  'test_input_required_result_sampling',
  'test_input_required_result_list_roots',
  'test_input_required_result_request_state',
  'test_input_required_result_tampered_state',
  'test_input_required_result_multi_round',
  'test_input_required_result_multiple_inputs',
  'test_input_required_result_capabilities',
  'test_missing_capability',
  'test_trigger_tool_change',
  'test_trigger_prompt_change',
  'test_trigger_resource_change',
  'test_streaming_elicitation',
  'test_logging_tool',
  'test_x_mcp_header',
];
const V2_ONLY_PROMPTS = ['test_input_required_result_prompt'];

/** A notifier that records what the server announced through it. */
const announced: string[] = [];
const notify: ServerNotifier = {
  toolsChanged: () => void announced.push('tools'),
  promptsChanged: () => void announced.push('prompts'),
  resourcesChanged: () => void announced.push('resources'),
  resourceUpdated: (uri) => void announced.push(`updated ${uri}`),
};
const requestState = createRequestStateCodec<ExampleRequestState>({ keyring: newKeyring() });

async function connectV1() {
  const client = new Client({ name: 'v1', version: '1' }, CAPABILITIES);
  client.setRequestHandler(ElicitRequestSchema, async () => ELICITED);
  client.setRequestHandler(CreateMessageRequestSchema, async () => SAMPLED);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createExampleServer({ pod: 'pod-a', sessionId: null }).connect(serverSide);
  await client.connect(clientSide);
  return client;
}

async function connectV2() {
  const client = new ClientV2(
    { name: 'v2', version: '1' },
    { capabilities: { ...CAPABILITIES.capabilities, roots: {} } },
  );
  const asked: string[] = [];
  client.setRequestHandler('elicitation/create', async (request) => {
    asked.push('elicitation/create');
    const fields = Object.keys(
      (request.params as { requestedSchema?: { properties?: object } }).requestedSchema?.properties ?? {},
    );
    // Fields it has no answer for are left out (as the 1.x client's fixed answer leaves them).
    const known = fields.filter((f) => FIELD_ANSWERS[f] !== undefined);
    return { action: 'accept', content: Object.fromEntries(known.map((f) => [f, FIELD_ANSWERS[f]!])) };
  });
  client.setRequestHandler('sampling/createMessage', async () => {
    asked.push('sampling/createMessage');
    return SAMPLED;
  });
  client.setRequestHandler('roots/list', async () => {
    asked.push('roots/list');
    return ROOTS;
  });
  const [clientSide, serverSide] = InMemoryTransportV2.createLinkedPair();
  await createExampleServerV2({ pod: 'pod-a', sessionId: null, notify, requestState }).connect(serverSide);
  await client.connect(clientSide);
  return { client, asked };
}

let v1: Client;
let v2: Awaited<ReturnType<typeof connectV2>>;

beforeAll(async () => {
  v1 = await connectV1();
  v2 = await connectV2();
});

afterAll(async () => {
  await v1.close();
  await v2.client.close();
});

test('the same tools, resources, templates and prompts on both SDKs (v2 adds its inputRequired tools)', async () => {
  const v1Tools = (await v1.listTools()).tools.map((t) => t.name);
  const v2Tools = (await v2.client.listTools()).tools.map((t) => t.name);
  expect(v2Tools.filter((name) => !V2_ONLY.includes(name)).sort()).toEqual([...v1Tools].sort());
  expect(v2Tools).toEqual(expect.arrayContaining(V2_ONLY));
  expect((await v2.client.listResources()).resources).toEqual((await v1.listResources()).resources);
  expect((await v2.client.listResourceTemplates()).resourceTemplates).toEqual(
    (await v1.listResourceTemplates()).resourceTemplates,
  );
  const v2Prompts = (await v2.client.listPrompts()).prompts.map((p) => p.name);
  expect(v2Prompts.filter((name) => !V2_ONLY_PROMPTS.includes(name))).toEqual(
    (await v1.listPrompts()).prompts.map((p) => p.name),
  );
  expect(v2Prompts).toEqual(expect.arrayContaining(V2_ONLY_PROMPTS));
});

test('the 2020-12 tool schema reaches tools/list as written on both SDKs', async () => {
  const schemaOf = async (tools: Array<{ name: string; inputSchema: unknown }>) =>
    tools.find((t) => t.name === 'json_schema_2020_12_tool')!.inputSchema;
  const v1Schema = await schemaOf((await v1.listTools()).tools);
  expect(await schemaOf((await v2.client.listTools()).tools)).toEqual(v1Schema);
  expect(v1Schema).toMatchObject({
    $defs: { address: { $anchor: 'addressDef' } },
    additionalProperties: false,
  });
});

test.each([
  ['test_simple_text', {}],
  ['test_multiple_content_types', {}],
  ['test_elicitation_sep1034_defaults', {}],
  ['test_sampling', { prompt: 'Capital of France?' }],
  ['ask', {}],
  ['sample', {}],
])('%s answers the same on both SDKs', async (name, args) => {
  const call = { name, arguments: args };
  expect(await v2.client.callTool(call)).toEqual(await v1.callTool(call));
});

test('prompts and resources render the same on both SDKs', async () => {
  const prompt = { name: 'test_prompt_with_arguments', arguments: { arg1: 'a', arg2: 'b' } };
  expect(await v2.client.getPrompt(prompt)).toEqual(await v1.getPrompt(prompt));
  for (const uri of ['test://static-text', 'test://static-binary', 'test://template/7/data']) {
    expect(await v2.client.readResource({ uri })).toEqual(await v1.readResource({ uri }));
  }
  const completion = {
    ref: { type: 'ref/prompt' as const, name: 'test_prompt_with_arguments' },
    argument: { name: 'arg1', value: 'tes' },
  };
  expect((await v2.client.complete(completion)).completion.values).toEqual(
    (await v1.complete(completion)).completion.values,
  );
});

test.each([
  ['ask_input', ['elicitation/create'], 'pod-a:accept:{"name":"Ada"}'],
  ['sample_input', ['sampling/createMessage'], 'pod-a:Paris'],
  ['test_input_required_result_elicitation', ['elicitation/create'], 'Hello, Ada!'],
  ['test_input_required_result_sampling', ['sampling/createMessage'], 'Sampling response: Paris'],
  ['test_input_required_result_list_roots', ['roots/list'], 'Client exposed 1 root(s): file:///work'],
  [
    'test_input_required_result_request_state',
    ['elicitation/create'],
    'state-ok: requestState verified and confirmation received',
  ],
  [
    'test_input_required_result_multi_round',
    ['elicitation/create', 'elicitation/create'],
    'Multi-round complete: Ada likes blue',
  ],
  [
    'test_input_required_result_multiple_inputs',
    ['elicitation/create', 'sampling/createMessage', 'roots/list'],
    'Paris Ada: 1 root(s) visible',
  ],
])(
  '%s: the legacy shim asks the 2025 client, the handler finishes with the answers',
  async (name, methods, text) => {
    v2.asked.length = 0;
    expect(await v2.client.callTool({ name, arguments: {} })).toEqual({ content: [{ type: 'text', text }] });
    expect([...v2.asked].sort()).toEqual([...methods].sort());
  },
);

test('on a 2025 session the capability-aware tool asks for what the session declared at initialize', async () => {
  v2.asked.length = 0;
  const result = await v2.client.callTool({ name: 'test_input_required_result_capabilities', arguments: {} });
  expect(result).toEqual({
    content: [
      { type: 'text', text: 'Capability-aware input requests fulfilled: user_name, greeting, client_roots' },
    ],
  });
  expect([...v2.asked].sort()).toEqual(['elicitation/create', 'roots/list', 'sampling/createMessage']);
});

test('the input-required prompt asks (elicitation), then renders with the answer', async () => {
  expect(await v2.client.getPrompt({ name: 'test_input_required_result_prompt' })).toEqual({
    messages: [{ role: 'user', content: { type: 'text', text: 'Use the following context: tests' } }],
  });
});

test('the listen triggers announce through the notify the process passes in', async () => {
  announced.length = 0;
  for (const name of [
    'test_trigger_tool_change',
    'test_trigger_prompt_change',
    'test_trigger_resource_change',
  ]) {
    await v2.client.callTool({ name, arguments: {} });
  }
  expect(announced).toEqual(['tools', 'prompts', 'resources']);
});
