// `pnpm demo --serve --store redis --pods 2 --port P`: serves an MCP endpoint through the cluster
// until SIGTERM, then leaves nothing running; by default (SDK v2) to clients of both protocol eras,
// with a keyring file the pods follow (`pnpm demo:rotate-key`); with `--sdk 1`, the SDK 1.x server.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { serve, stopServing, textOf } from './demo-serve.js';

const rotateKey = (file: string, step: string) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', join(__dirname, '..', 'src', 'rotate-keyring.ts'), file, step],
    { encoding: 'utf8', timeout: 60_000 },
  );

test('--serve serves both eras until SIGTERM; keys rotate on the live pods with demo:rotate-key', async () => {
  const { demo, endpoint, pods, output } = await serve();
  const keyringFile = /requestState keyring: (\S+)/.exec(output())?.[1];
  expect(keyringFile).toBeDefined();
  expect(output()).toContain(`pnpm demo:rotate-key ${keyringFile} add|activate|drop`);

  // A 2025 session client (SDK 1.x's, here) on both pods.
  const legacy = new Client({ name: 'serve-test', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(endpoint));
  await legacy.connect(transport);
  const served = new Set<string>();
  for (let i = 0; i < 4; i++) served.add(textOf(await legacy.callTool({ name: 'whoami' })));
  expect([...served].sort()).toEqual(['pod-0', 'pod-1']);

  // A 2026-07-28 client: its inputRequired rounds verify on either pod, before and after a rotation.
  const modern = new ClientV2(
    { name: 'serve-test-2026', version: '1' },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  modern.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { ok: true } }));
  await modern.connect(new TransportV2(new URL(endpoint)));
  const confirmed = async () =>
    textOf(await modern.callTool({ name: 'test_input_required_result_request_state', arguments: {} }));
  const ok = 'state-ok: requestState verified and confirmation received';
  expect(await confirmed()).toBe(ok);
  for (const [step, printed] of [
    ['add', 'active key-1; keys key-1, key-2'],
    ['activate', 'active key-2; keys key-1, key-2'],
    ['drop', 'active key-2; keys key-2'],
  ] as const) {
    const run = rotateKey(keyringFile!, step);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`${keyringFile}: ${printed}\n`);
    expect(await confirmed()).toBe(ok);
  }
  expect(rotateKey(keyringFile!, 'undo').status).toBe(2);

  await transport.terminateSession();
  await legacy.close();
  await modern.close();
  await stopServing(demo, pods);
  expect(existsSync(keyringFile!)).toBe(false);
});

test('--serve --sdk 1 serves the SDK 1.x example server to a 2025 client', async () => {
  const { demo, endpoint, pods, output } = await serve('--sdk', '1');
  expect(output()).not.toContain('requestState keyring');
  const client = new Client({ name: 'serve-test', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(endpoint));
  await client.connect(transport);
  const served = new Set<string>();
  for (let i = 0; i < 4; i++) served.add(textOf(await client.callTool({ name: 'whoami' })));
  expect([...served].sort()).toEqual(['pod-0', 'pod-1']);
  // Only the v2 example server has the 2026-07-28 scenarios' tools.
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).not.toContain('test_input_required_result_request_state');
  await transport.terminateSession();
  await client.close();
  await stopServing(demo, pods);
});

test('--serve: an inputRequired tool reaches a 2025 session client through the legacy shim', async () => {
  const { demo, endpoint, pods } = await serve();
  const client = new ClientV2({ name: 'serve-test-v2', version: '1' }, { capabilities: { elicitation: {} } });
  client.setRequestHandler('elicitation/create', async () => ({
    action: 'accept',
    content: { name: 'Grace' },
  }));
  const transport = new TransportV2(new URL(endpoint));
  await client.connect(transport);
  // Only the v2 example server has ask_input; the SDK's legacy shim sends its elicitation/create.
  // (With two pods and round robin, each answer goes to the pod that did not ask.)
  for (let i = 0; i < 3; i++) {
    expect(textOf(await client.callTool({ name: 'ask_input' }))).toMatch(
      /^pod-[01]:accept:\{"name":"Grace"\}$/,
    );
  }
  await transport.terminateSession();
  await client.close();
  await stopServing(demo, pods);
});
