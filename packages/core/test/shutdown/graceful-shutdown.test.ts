// createGracefulShutdown on a real node:http server: the probes, what changes at the signal (not
// ready, still serving, every answer the last on its connection), the order of the drain (the
// handler only after the grace period, the listener only after the handler), and its inputs.
import { createServer, get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGracefulShutdown, type Drainable } from '../../src/router/index.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

// No agent: each request on its own connection, and a refused one rejects with its code.
function request(port: number, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** An app whose answers ask for keep-alive, as SSE responses do, in each way node:http allows. */
function startApp(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url === '/object') res.writeHead(200, { connection: 'keep-alive' }).end('object');
    else if (req.url === '/array') res.writeHead(200, ['Connection', 'keep-alive']).end('array');
    else if (req.url === '/set-header') {
      res.setHeader('Connection', 'keep-alive');
      res.end('set-header');
    } else res.writeHead(404).end('app');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })),
  );
}

/** A handler whose `close` the test finishes when it wants, recording when and how it was called. */
function heldHandler() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const calls: Array<{ at: number; options: unknown }> = [];
  const handler: Drainable = {
    close: async (options) => {
      calls.push({ at: Date.now(), options });
      await released;
    },
  };
  return { handler, calls, release };
}

// Closed even when a test fails halfway (a held handler would keep its listener open).
const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.close();
    server.closeAllConnections();
  }
});

test('on the signal: not ready but serving, each answer closes its connection; the handler drains after the grace period, the listener closes last', async () => {
  const { server, port } = await startApp();
  servers.push(server);
  const { handler, calls, release } = heldHandler();
  const log: string[] = [];
  let closedListener = false;
  const shutdown = createGracefulShutdown({
    server,
    handler,
    graceMs: 200,
    deadlineMs: 1_234,
    signals: ['SIGUSR2'],
    exit: false,
    log: (line) => void log.push(line),
    onClosed: () => {
      closedListener = !server.listening;
    },
  });

  // Serving: both probes 200, the app's answers keep their connection.
  expect(shutdown.phase).toBe('serving');
  expect(await request(port, '/readyz')).toMatchObject({ status: 200, body: 'ready' });
  expect(await request(port, '/healthz')).toMatchObject({ status: 200, body: 'ok' });
  expect((await request(port, '/object')).headers.connection).toBe('keep-alive');
  expect(await request(port, '/other')).toMatchObject({ status: 404, body: 'app' });

  const signalled = Date.now();
  // Emitted rather than sent: jest gives each test file its own `process` object.
  process.emit('SIGUSR2', 'SIGUSR2');
  await until(() => shutdown.phase !== 'serving', 'the signal');
  // Not ready, alive, and still serving; every answer is the last on its connection, whatever
  // the app asked for. (The handler is held open by the test, so the listener is still there.)
  expect(shutdown.ready).toBe(false);
  expect((await request(port, '/readyz')).status).toBe(503);
  expect((await request(port, '/healthz')).status).toBe(200);
  for (const path of ['/object', '/array', '/set-header']) {
    const reply = await request(port, path);
    expect({ path, status: reply.status, connection: reply.headers.connection }).toEqual({
      path,
      status: 200,
      connection: 'close',
    });
  }

  // The handler drains only once the grace period is over, with the deadline it was given.
  await until(() => calls.length === 1, 'the handler to be closed');
  expect(calls[0]!.at - signalled).toBeGreaterThanOrEqual(190);
  expect(calls[0]!.options).toEqual({ deadlineMs: 1_234 });
  expect(shutdown.phase).toBe('closing');
  // The listener outlives the drain: a request arriving now is still answered.
  expect((await request(port, '/healthz')).status).toBe(200);

  release();
  await shutdown.shutdown();
  expect(shutdown.phase).toBe('closed');
  expect(closedListener).toBe(true);
  await expect(request(port, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  expect(log[0]).toBe('SIGUSR2 received');
  expect(log.at(-1)).toBe('closed');
  // The signal handler is gone with it.
  expect(process.listenerCount('SIGUSR2')).toBe(0);
});

test('shutdown() without a signal; a handler that fails to close still ends with the listener closed', async () => {
  const { server, port } = await startApp();
  servers.push(server);
  const log: string[] = [];
  const shutdown = createGracefulShutdown({
    server,
    handler: { close: () => Promise.reject(new Error('bus unreachable')) },
    graceMs: 0,
    signals: [],
    exit: false,
    log: (line) => void log.push(line),
  });
  const run = shutdown.shutdown();
  expect(shutdown.shutdown()).toBe(run);
  await run;
  expect(shutdown.phase).toBe('closed');
  expect(log).toContain('the handler did not close cleanly: bus unreachable');
  await expect(request(port, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
});

test('probe paths can be changed or left to the app', async () => {
  const custom = await startApp();
  servers.push(custom.server);
  createGracefulShutdown({
    server: custom.server,
    handler: heldHandler().handler,
    signals: [],
    exit: false,
    probes: { readiness: '/ready' },
  });
  expect(await request(custom.port, '/ready')).toMatchObject({ status: 200, body: 'ready' });
  expect(await request(custom.port, '/healthz')).toMatchObject({ status: 200, body: 'ok' });
  expect(await request(custom.port, '/readyz')).toMatchObject({ status: 404, body: 'app' });

  const none = await startApp();
  servers.push(none.server);
  createGracefulShutdown({
    server: none.server,
    handler: heldHandler().handler,
    signals: [],
    exit: false,
    probes: false,
  });
  expect(await request(none.port, '/readyz')).toMatchObject({ status: 404, body: 'app' });
});

test('bad options are refused with INVALID_ARGUMENT', () => {
  const server = createServer();
  const handler = heldHandler().handler;
  const invalid = expect.objectContaining({ code: 'INVALID_ARGUMENT' });
  expect(() => createGracefulShutdown({ server, handler: undefined as unknown as Drainable })).toThrow(
    invalid,
  );
  expect(() => createGracefulShutdown({ server: undefined as unknown as Server, handler })).toThrow(invalid);
  expect(() => createGracefulShutdown({ server, handler, graceMs: -1, signals: [] })).toThrow(invalid);
  expect(() => createGracefulShutdown({ server, handler, deadlineMs: Number.NaN, signals: [] })).toThrow(
    invalid,
  );
});
