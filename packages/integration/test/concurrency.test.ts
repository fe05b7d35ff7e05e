// Many processes updating one session at once, on each real backend and both SDK majors: every
// compare-and-set increment lands exactly once, and no last-writer-wins write loses another
// process's write: neither a process's own metadata key nor the log level its router (serving the
// test server of that major) persists on `logging/setLevel`.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { generateSessionId } from '@mcp-session-store/core';
import { backendFromEnv, type EnvBackend, type EnvStore } from '@mcp-session-store/env-backend';
import { type DynamoDBLocalHandle, spawnTracked, startDynamoDBLocal } from '@mcp-session-store/testing';
import pg from 'pg';
import { deleteRedisKeys, REDIS_URL } from '../src/redis-pod-cluster.js';
import { SDK_MAJORS, type SdkMajor } from '../src/sdk-major.js';

const WORKER = join(__dirname, '..', 'src', 'concurrency-worker.ts');
const PROCESSES = 6;
const UPDATES_PER_PROCESS = 25;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const suffix = randomBytes(4).toString('hex');

let dynamodb: DynamoDBLocalHandle | undefined;

/** The environment of the worker processes (and of the test's own store) for each backend and major. */
async function envFor(store: Exclude<EnvStore, 'memory'>, sdk: SdkMajor): Promise<Record<string, string>> {
  switch (store) {
    case 'redis':
      return {
        STORE: 'redis',
        REDIS_URL,
        KEY_PREFIX: `mcpss-test:conc-${suffix}-${sdk}:`,
        SDK_MAJOR: `${sdk}`,
      };
    case 'postgres':
      return {
        STORE: 'postgres',
        DATABASE_URL,
        PG_SCHEMA: `mcpss_conc_${suffix}_${sdk}`,
        SDK_MAJOR: `${sdk}`,
      };
    case 'dynamodb':
      dynamodb ??= await startDynamoDBLocal();
      return {
        STORE: 'dynamodb',
        DYNAMODB_ENDPOINT: dynamodb.endpoint,
        DYNAMODB_TABLE: 'mcp-concurrency',
        KEY_PREFIX: `conc-${suffix}-${sdk}`,
        SDK_MAJOR: `${sdk}`,
      };
  }
}

async function cleanUp(store: Exclude<EnvStore, 'memory'>, env: Record<string, string>): Promise<void> {
  if (store === 'redis') {
    await deleteRedisKeys(env.KEY_PREFIX!);
  } else if (store === 'postgres') {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${env.PG_SCHEMA} CASCADE`);
    await client.end();
  }
}

function run(child: ChildProcess): Promise<string> {
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`worker exited with ${code}:\n${err.slice(-2_000)}`)),
    );
  });
}

afterAll(async () => {
  await dynamodb?.stop();
});

// tsx compiles each worker on start; warm its cache once so six cold starts do not race the test.
beforeAll(() => {
  execFileSync(
    process.execPath,
    ['--import', 'tsx', '-e', `import(${JSON.stringify(WORKER)}).catch(() => {})`],
    {
      stdio: 'ignore',
      timeout: 60_000,
    },
  );
}, 90_000);

describe.each(SDK_MAJORS)('SDK %i', (sdk) => {
  describe.each<Exclude<EnvStore, 'memory'>>(['redis', 'postgres', 'dynamodb'])('%s', (store) => {
    test(`${store}: many processes updating one session at once lose no update`, async () => {
      const env = await envFor(store, sdk);
      let own: EnvBackend | undefined;
      try {
        own = await backendFromEnv(env);
        const id = generateSessionId();
        await own.store.create({
          id,
          principal: 'alice',
          protocolVersion: '2025-11-25',
          clientInfo: { name: 'concurrency', version: '1.0.0' },
          metadata: { counter: 0 },
        });
        const workers = Array.from({ length: PROCESSES }, (_, worker) =>
          run(
            spawnTracked(
              process.execPath,
              ['--import', 'tsx', WORKER, id, String(worker), String(UPDATES_PER_PROCESS)],
              { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
            ),
          ),
        );
        const reports = (await Promise.all(workers)).map(
          (out) => JSON.parse(out.trim().split('\n').at(-1)!) as { conflicts: number; level: string },
        );
        const record = await own.store.get(id);
        expect(record?.metadata.counter).toBe(PROCESSES * UPDATES_PER_PROCESS);
        for (let worker = 0; worker < PROCESSES; worker++) {
          expect(record?.metadata[`worker-${worker}`]).toBe(UPDATES_PER_PROCESS);
        }
        // The level is the last one some worker's router wrote (each worker's last write of it is its
        // last level): no metadata write put back an older one, nor dropped it.
        expect(reports.map((r) => r.level)).toContain(record?.logLevel);
        // Every write counted once: create (1), each increment, each keyed write and each level.
        expect(record?.version).toBe(1 + 3 * PROCESSES * UPDATES_PER_PROCESS);
        // Nothing else of the record changed.
        expect(record).toMatchObject({
          principal: 'alice',
          protocolVersion: '2025-11-25',
          clientInfo: { name: 'concurrency', version: '1.0.0' },
        });
        // The processes really raced: some compare-and-sets lost and were retried.
        expect(reports.reduce((sum, r) => sum + r.conflicts, 0)).toBeGreaterThan(0);
      } finally {
        await own?.store.close();
        await own?.disconnect();
        await cleanUp(store, env);
      }
    }, 120_000);
  });
});
