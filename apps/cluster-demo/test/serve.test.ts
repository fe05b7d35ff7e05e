// `pnpm demo --serve --store redis --pods 2 --port P`: serves an MCP endpoint through the cluster
// until SIGTERM, then leaves nothing running.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@mcp-session-store/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

test('--serve serves on the given port until SIGTERM, then stops every pod', async () => {
  const port = await freePort();
  const demo = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(__dirname, '..', 'src', 'main.ts'),
      '--serve',
      '--store',
      'redis',
      '--pods',
      '2',
      '--port',
      String(port),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    },
  );
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no endpoint within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /MCP endpoint: (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    demo.stdout!.on('data', onData);
    demo.stderr!.on('data', onData);
  });
  expect(endpoint).toBe(`http://127.0.0.1:${port}/mcp`);
  const pods = [...output.matchAll(/pod-\d (http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]!);
  expect(pods).toHaveLength(2);

  const client = new Client({ name: 'serve-test', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(endpoint));
  await client.connect(transport);
  const served = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const result = (await client.callTool({ name: 'whoami' })) as { content: Array<{ text: string }> };
    served.add(result.content[0]!.text);
  }
  expect([...served].sort()).toEqual(['pod-0', 'pod-1']);
  await transport.terminateSession();
  await client.close();

  const exited = new Promise<number | null>((resolve) =>
    demo.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))),
  );
  demo.kill('SIGTERM');
  await exited;
  // Nothing keeps running: the pods refuse connections.
  for (const pod of pods) await expect(fetch(`${pod}/healthz`)).rejects.toThrow();
});
