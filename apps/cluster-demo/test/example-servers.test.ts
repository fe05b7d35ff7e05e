// The two example servers (SDK 1.x and SDK v2) offer the same surface and give the same answers;
// the v2 one adds tools written with inputRequired(...), which reach a 2025 client through the SDK's
// legacy shim as real elicitation and sampling requests. In process, over each SDK's own in-memory
// transport: what the pods serve, without the router.
import { Client as ClientV2, InMemoryTransport as InMemoryTransportV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createExampleServer } from '../src/example-server.js';
import { createExampleServerV2 } from '../src/example-server-v2.js';

const CAPABILITIES = { capabilities: { elicitation: {}, sampling: {} } };
const ELICITED = { action: 'accept' as const, content: { name: 'Ada' } };
const SAMPLED = { role: 'assistant' as const, content: { type: 'text' as const, text: 'Paris' }, model: 'm' };
const V2_ONLY = [
  'ask_input',
  'sample_input',
  'test_input_required_result_elicitation',
  'test_input_required_result_sampling',
];

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
  const client = new ClientV2({ name: 'v2', version: '1' }, CAPABILITIES);
  const asked: string[] = [];
  client.setRequestHandler('elicitation/create', async () => {
    asked.push('elicitation/create');
    return ELICITED;
  });
  client.setRequestHandler('sampling/createMessage', async () => {
    asked.push('sampling/createMessage');
    return SAMPLED;
  });
  const [clientSide, serverSide] = InMemoryTransportV2.createLinkedPair();
  await createExampleServerV2({ pod: 'pod-a', sessionId: null }).connect(serverSide);
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
  expect((await v2.client.listPrompts()).prompts.map((p) => p.name)).toEqual(
    (await v1.listPrompts()).prompts.map((p) => p.name),
  );
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
  ['ask_input', 'elicitation/create', 'pod-a:accept:{"name":"Ada"}'],
  ['sample_input', 'sampling/createMessage', 'pod-a:Paris'],
  ['test_input_required_result_elicitation', 'elicitation/create', 'Hello, Ada!'],
  ['test_input_required_result_sampling', 'sampling/createMessage', 'Sampling response: Paris'],
])(
  '%s: the legacy shim asks the 2025 client (%s), the handler finishes with the answer',
  async (name, method, text) => {
    v2.asked.length = 0;
    expect(await v2.client.callTool({ name, arguments: {} })).toEqual({ content: [{ type: 'text', text }] });
    expect(v2.asked).toEqual([method]);
  },
);
