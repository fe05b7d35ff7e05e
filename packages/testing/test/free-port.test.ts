import { createServer } from 'node:net';
import { freePort, freePorts } from '../src/index.js';

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('freePort', () => {
  it('returns a port that can be listened on', async () => {
    const port = await freePort();
    expect(Number.isInteger(port)).toBe(true);
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThanOrEqual(65_535);
    await expect(canListen(port)).resolves.toBe(true);
  });

  it('does not return a port that is in use', async () => {
    const first = await freePort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(first, '127.0.0.1', resolve));
    try {
      const second = await freePort();
      expect(second).not.toBe(first);
      await expect(canListen(second)).resolves.toBe(true);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});

describe('freePorts', () => {
  it('returns distinct usable ports', async () => {
    const ports = await freePorts(8);
    expect(ports).toHaveLength(8);
    expect(new Set(ports).size).toBe(8);
    for (const port of ports) await expect(canListen(port)).resolves.toBe(true);
  });

  it('rejects a bad count', async () => {
    await expect(freePorts(-1)).rejects.toThrow(RangeError);
  });
});
