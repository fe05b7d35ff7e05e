// The router's node:http path (node-http.ts, node-request.ts): what a handler sees of a node
// request, and what the client gets of a web Response, over real sockets.
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BodyDoneSlot } from '../../src/router/body-done.js';
import { serveNodeRequest } from '../../src/router/node-http.js';

type Handler = (request: Request, parsedBody: unknown, slot: BodyDoneSlot) => Promise<Response>;

let server: Server;
let handler: Handler;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    void serveNodeRequest(req, res, { parsedBody: undefined, maxBodyBytes: 1024 }, (r, b, s) =>
      handler(r, b, s),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp?x=1`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

/** A raw HTTP exchange: status, headers and the body as it arrived. */
function send(
  body: string | undefined,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: body === undefined ? 'GET' : 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the handler gets a Request: method, URL, headers; a JSON body parsed, none left on the Request', async () => {
  let seen: { request: Request; parsedBody: unknown } | undefined;
  handler = async (request, parsedBody) => {
    seen = { request, parsedBody };
    return new Response('ok');
  };
  await send('{"a":1}', { 'content-type': 'application/json', 'x-multi': 'one', 'mcp-session-id': 's1' });
  const { request, parsedBody } = seen!;
  expect(request).toBeInstanceOf(Request);
  expect(request.method).toBe('POST');
  expect(request.url).toBe(url);
  expect(request.headers.get('mcp-session-id')).toBe('s1');
  expect(request.headers.get('content-type')).toBe('application/json');
  expect(parsedBody).toEqual({ a: 1 });
  // Everything else is the real Request's: a signal, clone(), an empty body.
  expect(request.signal).toBeInstanceOf(AbortSignal);
  expect(request.clone().headers.get('mcp-session-id')).toBe('s1');
  expect(request.body).toBeNull();
});

test('a body that is not JSON stays on the Request for the handler to answer', async () => {
  let text: string | undefined;
  handler = async (request, parsedBody) => {
    expect(parsedBody).toBeUndefined();
    text = await request.text();
    return new Response(null, { status: 400 });
  };
  const res = await send('not json {', { 'content-type': 'application/json' });
  expect(res.status).toBe(400);
  expect(text).toBe('not json {');
});

test('a body over the limit is answered 413 without reaching the handler', async () => {
  let called = false;
  handler = async () => {
    called = true;
    return new Response('ok');
  };
  const res = await send(JSON.stringify({ pad: 'x'.repeat(64 * 1024) }), {
    'content-type': 'application/json',
  });
  expect(res.status).toBe(413);
  // The rest of the body was not read: the connection is not reused for another request.
  expect(res.headers.connection).toBe('close');
  expect(called).toBe(false);
});

test('an answer complete at once goes out with a Content-Length, and the end-of-body callback runs once', async () => {
  let done = 0;
  handler = async (_request, _body, slot) => {
    slot.done = () => done++;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('event: message\ndata: {"a":1}\n\n'));
        controller.close();
      },
    });
    return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
  };
  const res = await send('{}', { 'content-type': 'application/json' });
  expect(res.body).toBe('event: message\ndata: {"a":1}\n\n');
  expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body)));
  expect(res.headers['transfer-encoding']).toBeUndefined();
  expect(done).toBe(1);
});

test('a streamed answer gets its head before its first event, every chunk in order, then the callback', async () => {
  let done = 0;
  let push: ((text: string | null) => void) | undefined;
  handler = async (_request, _body, slot) => {
    slot.done = () => done++;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) =>
          text === null ? controller.close() : controller.enqueue(new TextEncoder().encode(text));
      },
    });
    return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
  };
  const chunks: string[] = [];
  const finished = new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.setEncoding('utf8');
        // The head arrived while the body is still open: send the events now.
        push!('a\n\n');
        res.on('data', (chunk: string) => {
          chunks.push(chunk);
          if (chunks.join('') === 'a\n\n') push!('b\n\n');
          if (chunks.join('') === 'a\n\nb\n\n') push!(null);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
  const res = await finished;
  expect(res.status).toBe(200);
  expect(res.headers['transfer-encoding']).toBe('chunked');
  expect(chunks.join('')).toBe('a\n\nb\n\n');
  expect(done).toBe(1);
});

test('a client that goes away cancels the body and runs the callback once', async () => {
  let done = 0;
  let cancelled: (() => void) | undefined;
  const wasCancelled = new Promise<void>((resolve) => {
    cancelled = resolve;
  });
  handler = async (_request, _body, slot) => {
    slot.done = () => done++;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(': open\n\n'));
      },
      cancel() {
        cancelled!();
      },
    });
    return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
  };
  // The client reads the first event, then hangs up.
  const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
    res.once('data', () => req.destroy());
  });
  req.on('error', () => {});
  req.end('{}');
  await wasCancelled;
  expect(done).toBe(1);
});

test('a body that fails mid-stream ends the connection instead of leaving the client waiting', async () => {
  let done = 0;
  handler = async (_request, _body, slot) => {
    slot.done = () => done++;
    let step = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        step++;
        if (step === 1) controller.enqueue(new TextEncoder().encode('partial'));
        else {
          await new Promise((resolve) => setTimeout(resolve, 5));
          controller.error(new Error('backend gone'));
        }
      },
    });
    return new Response(stream);
  };
  const outcome = await new Promise<string>((resolve) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve('ended'));
        res.on('error', () => resolve('reset'));
        res.on('aborted', () => resolve('reset'));
      },
    );
    req.on('error', () => resolve('reset'));
    req.end('{}');
  });
  expect(outcome).toBe('reset');
  expect(done).toBe(1);
});
