// The README's examples, run as written: two copies of each behind a round-robin balancer over
// Redis, one session used across both, then shut down with SIGTERM.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startRoundRobinBalancer } from '@mcp-session-store/testing';
import { deleteRedisKeys, REDIS_URL } from '../src/redis-pod-cluster.js';
import type { SdkMajor } from '../src/sdk-major.js';
import { connectTestClient, textOf } from '../src/test-client.js';

const EXAMPLES = join(__dirname, '..', 'examples');
const keyPrefix = `mcpss-test:examples-${randomBytes(4).toString('hex')}:`;

afterAll(() => deleteRedisKeys(keyPrefix));

/** Starts an example and resolves with its MCP endpoint once it prints it. */
async function startExample(file: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(EXAMPLES, file)], {
    env: { ...process.env, PORT: String(port), REDIS_URL, KEY_PREFIX: keyPrefix },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /MCP endpoint: (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}:\n${output}`)));
  });
  return { child, url };
}

async function stopExample(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

/** Every example, with the SDK major it is written for (v2's are under examples/v2). */
const EXAMPLE_FILES: Array<[string, SdkMajor]> = [
  ...['express.mjs', 'hono.mjs', 'fastify.mjs', 'node-http.mjs'].map((f): [string, SdkMajor] => [f, 1]),
  ...['express.mjs', 'hono.mjs', 'fastify.mjs', 'node-http.mjs'].map((f): [string, SdkMajor] => [
    `v2/${f}`,
    2,
  ]),
];

test.each(EXAMPLE_FILES)(
  '%s (SDK %i): two copies behind a round-robin balancer serve one session',
  async (file, sdk) => {
    const [a, b] = [await startExample(file), await startExample(file)];
    const balancer = await startRoundRobinBalancer([new URL(a.url).origin, new URL(b.url).origin]);
    try {
      const client = await connectTestClient(sdk, `${balancer.url}/mcp`, {
        user: null,
        clientInfo: { name: 'example-test', version: '1' },
      });
      for (let i = 0; i < 4; i++) {
        expect(textOf(await client.callTool('add', { a: i, b: 40 }))).toBe(String(i + 40));
      }
      // v2's examples ask the user through inputRequired(...): a real elicitation on this session,
      // whose answer the balancer sends to the other copy.
      if (sdk === 2) expect(textOf(await client.callTool('greet'))).toBe('Hello, Ada!');
      // Both copies served this session.
      expect(new Set(balancer.log).size).toBe(2);
      await client.terminateSession();
      await client.close();
    } finally {
      await balancer.stop();
      expect(await stopExample(a.child)).toBe(0);
      expect(await stopExample(b.child)).toBe(0);
    }
  },
  60_000,
);

test('the README shows the Express and Hono examples exactly as the files the tests run', () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  for (const file of ['express.mjs', 'hono.mjs', 'v2/express.mjs']) {
    const source = readFileSync(join(EXAMPLES, file), 'utf8').trimEnd();
    expect({ file, inReadme: readme.includes(`\`\`\`js\n${source}\n\`\`\``) }).toEqual({
      file,
      inReadme: true,
    });
  }
});

test("the original proposal's snippet runs with only its imports changed", () => {
  const run = spawnSync(process.execPath, [join(EXAMPLES, 'proposal-snippet.mjs')], {
    encoding: 'utf8',
    env: { ...process.env, REDIS_URL },
    timeout: 30_000,
  });
  expect(run.stderr).toBe('');
  expect(run.stdout).toBe('external\ntrue\n');
  expect(run.status).toBe(0);
});
