// `pnpm demo --serve` as a child process, for the tests that serve through it: started on a free port
// (Redis, 2 pods), and stopped with SIGTERM, after which no pod answers.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@mcp-session-store/testing';

export const textOf = (result: unknown) => (result as { content: Array<{ text: string }> }).content[0]!.text;

/**
 * Starts `pnpm demo --serve` on a free port; resolves once it has printed everything it prints on
 * start (its last line, "serving until ..."): output arrives in chunks that may split a line.
 */
export async function serve(
  ...args: string[]
): Promise<{ demo: ChildProcess; endpoint: string; pods: string[]; output: () => string }> {
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
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    },
  );
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not serving within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /MCP endpoint: (\S+)\n/.exec(output);
      if (match && output.includes('serving until SIGINT/SIGTERM')) {
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
  return { demo, endpoint, pods, output: () => output };
}

/** SIGTERMs the demo; once it exited, no pod answers any more. */
export async function stopServing(demo: ChildProcess, pods: string[]): Promise<void> {
  const exited = new Promise<number | null>((resolve) =>
    demo.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))),
  );
  demo.kill('SIGTERM');
  await exited;
  for (const pod of pods) await expect(fetch(`${pod}/healthz`)).rejects.toThrow();
}
