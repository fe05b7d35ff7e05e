// The latency proxy: what goes through it arrives intact and in order, no sooner than the latency
// allows, and an outage cuts and refuses connections until restored.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { type LatencyProxyHandle, startLatencyProxy } from '../src/index.js';

let echo: Server;
let proxy: LatencyProxyHandle;

beforeAll(async () => {
  echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const address = echo.address();
  proxy = await startLatencyProxy({
    host: '127.0.0.1',
    port: typeof address === 'object' && address ? address.port : 0,
  });
});

afterAll(async () => {
  await proxy.stop();
  await new Promise((resolve) => echo.close(resolve));
});

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxy.port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `messages` one after another, and resolves with everything echoed once `total` bytes came back. */
function roundTrip(socket: Socket, messages: string[]): Promise<string> {
  const total = messages.join('').length;
  return new Promise((resolve, reject) => {
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (received.length >= total) resolve(received);
    });
    // A connection cut short fails the test at once instead of leaving it to the test timeout.
    socket.once('close', () => reject(new Error(`closed after ${received.length} of ${total} bytes`)));
    for (const m of messages) socket.write(m);
  });
}

test('bytes arrive intact and in order, and not before the added latency (both ways)', async () => {
  proxy.setLatency(150);
  const socket = await open();
  const messages = Array.from({ length: 50 }, (_, i) => `message-${i};`);
  const started = Date.now();
  expect(await roundTrip(socket, messages)).toBe(messages.join(''));
  // One hop out and one back, each delayed: at least twice the latency.
  expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 150 - 5);
  socket.destroy();
  proxy.setLatency(0);
});

test('cut() drops open connections; with refuse, new ones are closed until restore()', async () => {
  const socket = await open();
  const closed = new Promise((resolve) => socket.once('close', resolve));
  proxy.cut({ refuse: true });
  await closed;
  const refused = await open();
  await new Promise((resolve) => refused.once('close', resolve));
  proxy.restore();
  const again = await open();
  expect(await roundTrip(again, ['back'])).toBe('back');
  again.destroy();
});

test('a negative latency is refused', () => {
  expect(() => proxy.setLatency(-1)).toThrow(/non-negative/);
});
