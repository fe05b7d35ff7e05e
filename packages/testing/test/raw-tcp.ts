import { createConnection } from 'node:net';

/**
 * Sends `payload` on a new TCP connection to 127.0.0.1:`port` and resolves with the first chunk
 * received. Deliberately independent of the package's RESP code, so tests check it from outside.
 *
 * Always settles: with the first chunk, the socket's error (its `code` kept: ECONNREFUSED...), a
 * timeout, or an error of code `ECLOSED` when the peer closes without replying. A server that is
 * being killed can accept a connection and read it, then die before it answers: the kernel ends
 * that connection with a plain FIN, which raises no 'error' and clears the socket's timeout, so a
 * promise waiting only for data, error or timeout would never settle (that hung the watchdog test).
 */
export function rawRequest(port: number, payload: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let settled = false;
    const settle = (error: Error | undefined, reply?: string): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(reply ?? '');
    };
    socket.setTimeout(timeoutMs, () =>
      settle(new Error(`no reply from port ${port} within ${timeoutMs} ms`)),
    );
    socket.once('error', (error) => settle(error));
    socket.once('close', () =>
      settle(
        Object.assign(new Error(`port ${port} closed the connection without replying`), { code: 'ECLOSED' }),
      ),
    );
    socket.once('connect', () => socket.write(payload));
    socket.once('data', (chunk) => settle(undefined, chunk.toString('utf8')));
  });
}

/** Resolves once nothing accepts connections on the port any more, or rejects after `timeoutMs`. */
export async function waitUntilRefused(port: number, timeoutMs = 15_000): Promise<void> {
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
