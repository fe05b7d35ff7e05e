import { existsSync } from 'node:fs';
import { type RedisServerHandle, sendRedisCommand, startRedisServer } from '../src/index.js';
import { rawRequest } from './raw-tcp.js';

// Every handle a test starts, stopped even when the test fails halfway.
const handles: RedisServerHandle[] = [];

async function start(options?: Parameters<typeof startRedisServer>[0]): Promise<RedisServerHandle> {
  const handle = await startRedisServer(options);
  handles.push(handle);
  return handle;
}

afterEach(async () => {
  await Promise.all(handles.splice(0).map((handle) => handle.stop()));
});

describe('startRedisServer', () => {
  it('starts a server on 127.0.0.1 that answers PING over raw TCP', async () => {
    const redis = await start();
    expect(redis.host).toBe('127.0.0.1');
    expect(redis.port).not.toBe(6379);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.pid).toEqual(expect.any(Number));
    await expect(rawRequest(redis.port, 'PING\r\n')).resolves.toBe('+PONG\r\n');
  });

  it('runs without persistence, in its temp dir', async () => {
    const redis = await start();
    const dir = redis.dir!;
    expect(existsSync(dir)).toBe(true);
    await expect(sendRedisCommand(redis, ['CONFIG', 'GET', 'save'])).resolves.toEqual(['save', '']);
    await expect(sendRedisCommand(redis, ['CONFIG', 'GET', 'appendonly'])).resolves.toEqual([
      'appendonly',
      'no',
    ]);
    await expect(sendRedisCommand(redis, ['CONFIG', 'GET', 'dir'])).resolves.toEqual(['dir', dir]);
  });

  it('kill() makes the port refuse connections and start() brings it back on the same port', async () => {
    const redis = await start();
    const { port } = redis;
    await sendRedisCommand(redis, ['SET', 'k', 'v']);

    await redis.kill();
    expect(redis.pid).toBeUndefined();
    await expect(rawRequest(port, 'PING\r\n')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await redis.start();
    expect(redis.port).toBe(port);
    await expect(rawRequest(port, 'PING\r\n')).resolves.toBe('+PONG\r\n');
    // No persistence: a crash loses the data, as the fault tests expect.
    await expect(sendRedisCommand(redis, ['GET', 'k'])).resolves.toBeNull();
  });

  it('stop() shuts the server down and removes its temp dir; start() works again after it', async () => {
    const redis = await start();
    const dir = redis.dir!;
    await redis.stop();
    expect(existsSync(dir)).toBe(false);
    expect(redis.dir).toBeUndefined();
    await expect(rawRequest(redis.port, 'PING\r\n')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await redis.stop(); // idempotent

    await redis.start();
    await expect(rawRequest(redis.port, 'PING\r\n')).resolves.toBe('+PONG\r\n');
    expect(existsSync(redis.dir!)).toBe(true);
  });

  it('uses the requested port and extra args', async () => {
    const first = await start();
    const { port } = first;
    await first.stop();
    const redis = await start({ port, args: ['--maxmemory', '10mb'] });
    expect(redis.port).toBe(port);
    await expect(sendRedisCommand(redis, ['CONFIG', 'GET', 'maxmemory'])).resolves.toEqual([
      'maxmemory',
      String(10 * 1024 * 1024),
    ]);
  });

  it('rejects when the requested port is already taken', async () => {
    const first = await start();
    await expect(startRedisServer({ port: first.port })).rejects.toThrow(
      /Address already in use|another Redis/,
    );
    await expect(rawRequest(first.port, 'PING\r\n')).resolves.toBe('+PONG\r\n');
  });

  it('fails fast with the server output when redis-server cannot start', async () => {
    await expect(startRedisServer({ args: ['--no-such-option', 'x'] })).rejects.toThrow(
      /redis-server exited with code 1[\s\S]*no-such-option/,
    );
  });

  it('says how to install redis-server when it is not on PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startRedisServer()).rejects.toThrow(/apt-get install redis-server/);
    } finally {
      process.env.PATH = path;
    }
  });
});
