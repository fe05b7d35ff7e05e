import { createConnection } from 'node:net';

/**
 * Sends `payload` on a new TCP connection to 127.0.0.1:`port` and resolves with the first chunk
 * received. Deliberately independent of the package's RESP code, so tests check it from outside.
 */
export function rawRequest(port: number, payload: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no reply from port ${port} within ${timeoutMs} ms`));
    });
    socket.once('error', reject);
    socket.once('connect', () => socket.write(payload));
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve(chunk.toString('utf8'));
    });
  });
}

/** Resolves once nothing accepts connections on the port any more, or rejects after `timeoutMs`. */
export async function waitUntilRefused(port: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await rawRequest(port, 'PING\r\n', 500);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') return;
    }
    if (Date.now() >= deadline) throw new Error(`port ${port} still accepts connections`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
