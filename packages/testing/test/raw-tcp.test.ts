// The raw TCP probe the process-cleanup tests poll with must settle however the server goes away:
// a probe that hung when a dying server closed its connection without a reply is what made "kills
// the server through the watchdog when the parent is SIGKILLed" time out once in CI.
import { createServer, type Server, type Socket } from 'node:net';
import { rawRequest, waitUntilRefused } from './raw-tcp.js';

function listen(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port }),
    ),
  );
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

test('a server that reads the request and closes without replying (FIN): rejected with ECLOSED', async () => {
  const { server, port } = await listen((socket) => socket.once('data', () => socket.end()));
  servers.push(server);
  // A timeout far beyond the test's own: only the close can settle the probe in time.
  await expect(rawRequest(port, 'PING\r\n', 600_000)).rejects.toMatchObject({ code: 'ECLOSED' });
});

test('a server that resets the connection: rejected with the socket error', async () => {
  const { server, port } = await listen((socket) => socket.once('data', () => socket.resetAndDestroy()));
  servers.push(server);
  await expect(rawRequest(port, 'PING\r\n', 600_000)).rejects.toMatchObject({ code: 'ECONNRESET' });
});

test('a reply resolves with its first chunk', async () => {
  const { server, port } = await listen((socket) => socket.once('data', () => socket.end('+PONG\r\n')));
  servers.push(server);
  await expect(rawRequest(port, 'PING\r\n')).resolves.toBe('+PONG\r\n');
});

test('waitUntilRefused keeps polling through closed connections until the port refuses', async () => {
  let accepted = 0;
  const { server, port } = await listen((socket) => {
    accepted += 1;
    // Closes without a reply, then stops listening after a few: a server on its way down.
    socket.once('data', () => socket.end());
    if (accepted === 3) server.close();
  });
  await waitUntilRefused(port, 60_000);
  expect(accepted).toBe(3);
});
