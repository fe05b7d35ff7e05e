// Encryption at rest under the router, on both SDK majors: a session created on one process is
// served by another, resumed there and deleted, while the shared backend only ever holds ciphertext.
import { randomBytes } from 'node:crypto';
import { createKeyring, encryptEventStore, encryptSessionStore } from '@mcp-session-store/core';
import { messagesOf, readEvents } from '@mcp-session-store/testing';
import { startInProcessCluster } from '../src/in-process-cluster.js';
import { HEADERS, initialize, rpc } from '../src/raw-mcp.js';
import { SDK_MAJORS } from '../src/sdk-major.js';
import { connectTestClient, textOf } from '../src/test-client.js';

const keyring = createKeyring({ activeKeyId: 'k1', keys: { k1: randomBytes(32) } });
// What the client sends at initialize, which the store keeps: it must never reach it in clear.
const SECRET_CLIENT = `secret-client-${randomBytes(6).toString('hex')}`;

/** Every string the memory backend holds, records and events, as one text. */
function dump(backend: unknown): string {
  return JSON.stringify(backend, (_key, value) =>
    value instanceof Map ? Object.fromEntries(value) : value instanceof Set ? [...value] : value,
  );
}

describe.each(SDK_MAJORS)('SDK %i', (sdk) => {
  test('sessions and events cross processes encrypted: served, rehydrated and resumed, never stored in clear', async () => {
    const cluster = await startInProcessCluster({
      sdk,
      pods: 3,
      wrapStore: (store) => encryptSessionStore(store, { keyring }),
      wrapEvents: (events) => encryptEventStore(events, { keyring }),
    });
    try {
      const client = await connectTestClient(sdk, cluster.url, {
        clientInfo: { name: SECRET_CLIENT, version: '1.0.0' },
      });
      // Round robin: these land on every pod; each one that never saw the session decrypts it.
      const pods = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const info = JSON.parse(textOf(await client.callTool('client-info'))) as {
          pod: string;
          info: { name: string };
        };
        expect(info.info.name).toBe(SECRET_CLIENT);
        pods.add(info.pod);
      }
      expect(pods.size).toBe(3);
      expect(textOf(await client.callTool('ask'))).toMatch(/accept.*Ada/);

      // A stream broken on one pod resumes on another from the encrypted events.
      const [a, b] = cluster.pods;
      const sessionId = await initialize(`${a!.url}/mcp`);
      const headers = { ...HEADERS, 'mcp-session-id': sessionId };
      const call = await fetch(`${a!.url}/mcp`, {
        method: 'POST',
        headers,
        body: rpc(7, 'tools/call', {
          name: 'count',
          arguments: { steps: 6, delayMs: 30 },
          _meta: { progressToken: 'p' },
        }),
      });
      const first = await readEvents(call, (events) => messagesOf(events).length >= 2);
      const lastSeen = first.filter((e) => e.id !== undefined).at(-1)!.id!;
      const resumed = await fetch(`${b!.url}/mcp`, { headers: { ...headers, 'last-event-id': lastSeen } });
      expect(resumed.status).toBe(200);
      const rest = await readEvents(resumed, (events) => messagesOf(events).some((m) => m.id === 7));
      const progress = [...messagesOf(first), ...messagesOf(rest)]
        .filter((m) => m.method === 'notifications/progress')
        .map((m) => m.params.progress);
      expect(progress).toEqual([1, 2, 3, 4, 5, 6]);

      // The backend held all of it, and none of it in clear.
      const stored = dump(cluster.backend);
      expect(stored).toContain('enc:v1:k1:');
      expect(stored).not.toContain(SECRET_CLIENT);
      expect(stored).not.toContain('step 1'); // the tool's log messages, stored as events
      await client.terminateSession();
      await client.close();
    } finally {
      await cluster.stop();
    }
  });
});
