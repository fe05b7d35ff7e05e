// The README's examples, run as written: two copies of each behind a round-robin balancer over
// Redis, one session used across both, then shut down with SIGTERM: each answers /readyz and
// /healthz, turns not-ready on the signal while it still serves, and exits 0 once drained.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startRoundRobinBalancer } from '@mcp-session-store/testing';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { deleteRedisKeys, REDIS_URL } from '../src/redis-pod-cluster.js';
import type { SdkMajor } from '../src/sdk-major.js';
import { connectTestClient, textOf } from '../src/test-client.js';
import { waitUntil } from './support/wait-until.js';

const EXAMPLES = join(__dirname, '..', 'examples');
const keyPrefix = `mcpss-test:examples-${randomBytes(4).toString('hex')}:`;

/** The text of a result of SDK v2's own client. */
const textOfResult = (result: unknown): string =>
  (result as { content: Array<{ text?: string }> }).content[0]?.text ?? '';

/** The examples' grace period here: long enough to see /readyz turn 503 before the process exits. */
const SHUTDOWN_GRACE_MS = 3_000;

/** The keyring every copy of the dual-era example shares. */
const KEYRING = JSON.stringify({ activeKeyId: 'k1', keys: { k1: randomBytes(32).toString('base64') } });

afterAll(() => deleteRedisKeys(keyPrefix));

/** Starts an example and resolves with its MCP endpoint once it prints it. */
async function startExample(file: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(EXAMPLES, file)], {
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_URL,
      KEY_PREFIX: keyPrefix,
      REQUEST_STATE_KEYRING: KEYRING,
      SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    // A bound against a hang, not a speed claim: a loaded machine may take long to start node.
    const timer = setTimeout(() => reject(new Error(`${file} did not start:\n${output}`)), 45_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /MCP endpoint: (\S+)\n/.exec(output);
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

/** GET `path` of an example: its status, or 'refused' once it stopped listening. */
async function probe(url: string, path: string): Promise<number | 'refused'> {
  try {
    const res = await fetch(new URL(path, url));
    await res.text();
    return res.status;
  } catch {
    return 'refused';
  }
}

/**
 * SIGTERMs an example and follows its shutdown: ready before, not ready (503) while it still
 * serves (alive: /healthz 200), then the exit code.
 */
async function stopExample({ child, url }: { child: ChildProcess; url: string }) {
  const readyBefore = await probe(url, '/readyz');
  const aliveBefore = await probe(url, '/healthz');
  let code: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (exitCode) => {
      code = exitCode;
      resolve();
    }),
  );
  child.kill('SIGTERM');
  let readyWhileDraining: number | 'refused' | undefined;
  let aliveWhileDraining: number | 'refused' | undefined;
  while (code === undefined && readyWhileDraining !== 503) {
    readyWhileDraining = await probe(url, '/readyz');
    aliveWhileDraining = await probe(url, '/healthz');
  }
  await exited;
  return { readyBefore, aliveBefore, readyWhileDraining, aliveWhileDraining, code };
}

/** What a stopped example must have shown. */
const DRAINED = {
  readyBefore: 200,
  aliveBefore: 200,
  readyWhileDraining: 503,
  aliveWhileDraining: 200,
  code: 0,
};

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
      expect(await Promise.all([stopExample(a), stopExample(b)])).toEqual([DRAINED, DRAINED]);
    }
  },
  150_000,
);

test('v2/dual-era.mjs: two copies serve a 2025 session and a 2026-07-28 client; one announce reaches both', async () => {
  const [a, b] = [await startExample('v2/dual-era.mjs'), await startExample('v2/dual-era.mjs')];
  const balancer = await startRoundRobinBalancer([new URL(a.url).origin, new URL(b.url).origin]);
  try {
    const url = `${balancer.url}/mcp`;
    const changes = { legacy: 0, modern: 0 };
    // 2025: a session, a real elicitation answered through the other copy, a GET stream.
    let getStreamOpen = false;
    const legacy = new Client(
      { name: 'example-test', version: '1' },
      { capabilities: { elicitation: { form: {} } } },
    );
    legacy.setRequestHandler('elicitation/create', async () => ({
      action: 'accept',
      content: { name: 'Ada' },
    }));
    legacy.setNotificationHandler('notifications/tools/list_changed', () => void changes.legacy++);
    const legacyTransport = new StreamableHTTPClientTransport(new URL(url), {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if ((init?.method ?? 'GET') === 'GET' && response.ok) getStreamOpen = true;
        return response;
      },
    });
    await legacy.connect(legacyTransport);
    expect(legacyTransport.sessionId).toBeDefined();
    expect(textOfResult(await legacy.callTool({ name: 'greet', arguments: {} }))).toBe('Hello, Ada!');
    // 2026-07-28: an input_required round whose retry the balancer sends to the other copy.
    const modern = new Client(
      { name: 'example-test', version: '1' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    modern.setRequestHandler('elicitation/create', async () => ({
      action: 'accept',
      content: { name: 'Bo' },
    }));
    modern.setNotificationHandler('notifications/tools/list_changed', () => void changes.modern++);
    await modern.connect(new StreamableHTTPClientTransport(new URL(url)));
    expect(textOfResult(await modern.callTool({ name: 'greet', arguments: {} }))).toBe('Hello, Bo!');
    const listen = await modern.listen({ toolsListChanged: true });
    await waitUntil(() => getStreamOpen, 'the 2025 GET stream');
    // Announced by whichever copy runs the call: both clients hear it once.
    expect(textOfResult(await modern.callTool({ name: 'announce', arguments: {} }))).toBe('announced');
    await waitUntil(() => changes.legacy === 1 && changes.modern === 1, 'the change on both streams');
    expect(new Set(balancer.log).size).toBe(2);
    await listen.close();
    await modern.close();
    await legacyTransport.terminateSession();
    await legacy.close();
  } finally {
    await balancer.stop();
    expect(await Promise.all([stopExample(a), stopExample(b)])).toEqual([DRAINED, DRAINED]);
  }
}, 150_000);

test('the README shows the Express and Hono examples exactly as the files the tests run', () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  for (const file of ['express.mjs', 'hono.mjs', 'v2/express.mjs', 'v2/dual-era.mjs']) {
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
