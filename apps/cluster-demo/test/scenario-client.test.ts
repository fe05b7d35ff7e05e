// The scripted client's record of its HTTP exchanges: what the demo's cross-pod proofs read.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { POD_HEADER } from '../src/pod-header.js';
import { type Exchange, isResponseMessage, recordingFetch } from '../src/scenario-client.js';

let server: Server;
let url: string;

beforeAll(async () => {
  // Answers like a pod: names itself, 202 for a POST, 200 otherwise.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader(POD_HEADER, req.headers['x-answer-as'] ?? 'pod-0');
      res.writeHead(req.method === 'POST' ? 202 : 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

test('every request is recorded with its JSON-RPC messages, its status and the pod that answered', async () => {
  const exchanges: Exchange[] = [];
  const fetch = recordingFetch(exchanges);
  const answer = { jsonrpc: '2.0', id: 'mcpss.pod-1.0', result: { action: 'accept' } };
  await fetch(url, { method: 'POST', headers: { 'x-answer-as': 'pod-2' }, body: JSON.stringify(answer) });
  await fetch(url, {
    method: 'POST',
    body: JSON.stringify([{ jsonrpc: '2.0', method: 'notifications/initialized' }]),
  });
  await fetch(url);
  expect(exchanges).toEqual([
    { method: 'POST', messages: [answer], status: 202, pod: 'pod-2' },
    {
      method: 'POST',
      messages: [{ jsonrpc: '2.0', method: 'notifications/initialized' }],
      status: 202,
      pod: 'pod-0',
    },
    { method: 'GET', messages: [], status: 200, pod: 'pod-0' },
  ]);
});

test('a body that is not JSON is recorded without messages', async () => {
  const exchanges: Exchange[] = [];
  await recordingFetch(exchanges)(url, { method: 'POST', body: 'not json' });
  expect(exchanges[0]!.messages).toEqual([]);
});

test('only a client answer (result or error, no method) counts as a response', () => {
  expect(isResponseMessage({ jsonrpc: '2.0', id: 1, result: {} })).toBe(true);
  expect(isResponseMessage({ jsonrpc: '2.0', id: 1, error: { code: -1, message: 'no' } })).toBe(true);
  expect(isResponseMessage({ jsonrpc: '2.0', id: 1, method: 'tools/call' })).toBe(false);
  expect(isResponseMessage({ jsonrpc: '2.0', method: 'notifications/cancelled' })).toBe(false);
});

test('an exchange keeps the request as sent, headers and body, so the exact request can be sent again', async () => {
  const exchanges: Exchange[] = [];
  const body = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { requestState: 's' } });
  await recordingFetch(exchanges)(url, {
    method: 'POST',
    headers: { 'mcp-protocol-version': '2026-07-28', 'mcp-name': 'wizard' },
    body,
  });
  const [exchange] = exchanges;
  expect(exchange!.body).toBe(body);
  expect(exchange!.headers.get('mcp-protocol-version')).toBe('2026-07-28');
  expect(exchange!.headers.get('mcp-name')).toBe('wizard');
  // Kept out of the recorded data: exchanges still compare as what they record.
  expect(Object.keys(exchange!)).toEqual(['method', 'messages', 'status', 'pod']);
});
