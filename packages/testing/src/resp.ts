import { createConnection } from 'node:net';

/** A decoded RESP2 reply: simple and bulk strings, integers, nil and arrays. */
export type RespValue = string | number | null | RespValue[];

/** Where to send a command. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
}

/** An error reply (`-ERR ...`) from the server, as opposed to a connection failure. */
export class RedisReplyError extends Error {
  override readonly name = 'RedisReplyError';
}

const DEFAULT_TIMEOUT_MS = 2_000;
const CRLF = '\r\n';

interface Parsed {
  readonly value: RespValue | RedisReplyError;
  readonly next: number;
}

// Returns undefined while the reply is incomplete: data arrives in arbitrary chunks.
function parse(buffer: Buffer, offset: number): Parsed | undefined {
  const lineEnd = buffer.indexOf(CRLF, offset);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: afterLine };
    case '-':
      return { value: new RedisReplyError(line), next: afterLine };
    case ':':
      return { value: Number(line), next: afterLine };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next: afterLine };
      if (buffer.length < afterLine + length + 2) return undefined;
      return { value: buffer.toString('utf8', afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RespValue[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, next);
        if (!item) return undefined;
        if (item.value instanceof RedisReplyError) return item;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`Unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}

function encodeCommand(args: readonly string[]): string {
  return `*${args.length}${CRLF}${args.map((arg) => `$${Buffer.byteLength(arg)}${CRLF}${arg}${CRLF}`).join('')}`;
}

/**
 * Sends raw bytes on a new connection and decodes the first reply. One connection per call keeps
 * this free of state: it serves readiness probes and test assertions, not traffic.
 */
function exchange(
  address: RedisAddress,
  payload: string,
  timeoutMs: number = DEFAULT_TIMEOUT_MS,
): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: address.host, port: address.port });
    let received = Buffer.alloc(0);
    let settled = false;
    const settle = (error: Error | undefined, value?: RespValue): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(value ?? null);
    };
    socket.setTimeout(timeoutMs, () =>
      settle(new Error(`No reply from ${address.host}:${address.port} within ${timeoutMs} ms`)),
    );
    // The socket error keeps its `code` (ECONNREFUSED...), which callers and tests look at.
    socket.on('error', (error) => settle(error));
    socket.on('close', () =>
      settle(new Error(`${address.host}:${address.port} closed the connection before replying`)),
    );
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      try {
        const parsed = parse(received, 0);
        if (!parsed) return;
        if (parsed.value instanceof RedisReplyError) settle(parsed.value);
        else settle(undefined, parsed.value);
      } catch (error) {
        settle(error as Error);
      }
    });
  });
}

/**
 * Runs one Redis command over a fresh raw TCP connection, with no client library, and returns the
 * decoded reply.
 *
 * @example
 * ```ts
 * const info = await sendRedisCommand({ host: '127.0.0.1', port }, ['CLUSTER', 'INFO']);
 * ```
 * @param address - the server.
 * @param args - the command and its arguments, e.g. `['CONFIG', 'GET', 'maxmemory']`.
 * @param options - `timeoutMs` for the whole exchange (default 2000).
 * @throws RedisReplyError on an error reply; the socket error (with its `code`) if the connection
 * fails.
 */
export function sendRedisCommand(
  address: RedisAddress,
  args: readonly string[],
  options: { readonly timeoutMs?: number | undefined } = {},
): Promise<RespValue> {
  if (args.length === 0) return Promise.reject(new Error('sendRedisCommand: args must not be empty'));
  return exchange(address, encodeCommand(args), options.timeoutMs);
}

/**
 * Sends the inline command `PING\r\n` and tells whether the answer was `+PONG`. Never throws:
 * refused connections, timeouts and error replies (`-LOADING` during startup) all mean "not ready".
 *
 * @param address - the server.
 * @param timeoutMs - how long one attempt may take (default 1000).
 */
export async function pingRedis(address: RedisAddress, timeoutMs = 1_000): Promise<boolean> {
  try {
    return (await exchange(address, `PING${CRLF}`, timeoutMs)) === 'PONG';
  } catch {
    return false;
  }
}
