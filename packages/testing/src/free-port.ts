import { createServer, type Server } from 'node:net';

const HOST = '127.0.0.1';

function listenOnAnyPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('freePort: the probe server has no TCP address');
  }
  return address.port;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Finds a TCP port on 127.0.0.1 that is free right now: the OS picks one (port 0), we read it and
 * release it.
 *
 * Another process may take the port between this call and its use; callers that can tell (such as
 * {@link startRedisServer} without a fixed port) retry on "address in use".
 *
 * @returns a port number between 1 and 65535.
 */
export async function freePort(): Promise<number> {
  const server = await listenOnAnyPort();
  try {
    return portOf(server);
  } finally {
    await close(server);
  }
}

/**
 * Finds `count` distinct free TCP ports on 127.0.0.1.
 *
 * All probe sockets stay open until every port is known: calling {@link freePort} in a loop could
 * hand out the same port twice, since each one is released before the next is picked.
 *
 * @param count - how many ports, a non-negative integer.
 * @returns `count` distinct port numbers.
 */
export async function freePorts(count: number): Promise<number[]> {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`freePorts: count must be a non-negative integer, got ${count}`);
  }
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listenOnAnyPort());
    return servers.map(portOf);
  } finally {
    await Promise.all(servers.map(close));
  }
}
