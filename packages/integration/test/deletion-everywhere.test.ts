// The spec: once a session is terminated, requests with its id MUST get 404. DELETE is answered on
// one pod only after every other pod has dropped the session, so the very next request, on any
// pod, gets 404: on every shared backend and both SDK majors, many times over. The same holds for
// an operator ending all of a user's sessions (`endSessionsOf`).
import { join } from 'node:path';
import { type PodClusterHandle, startPodCluster } from '@mcp-session-store/testing';
import { type BackendNamespace, backendNamespace, SHARED_STORES } from '../src/backend-env.js';
import { HEADERS, initialize, rpc } from '../src/raw-mcp.js';
import { SDK_MAJORS } from '../src/sdk-major.js';

const POD_MAIN = join(__dirname, '..', 'src', 'pod-main.ts');
/** Per backend and SDK major: 200 rounds per backend in all. */
const ROUNDS = 100;

const call = (url: string, sessionId: string, id: number) =>
  fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { ...HEADERS, 'mcp-session-id': sessionId },
    body: rpc(id, 'tools/call', { name: 'whoami' }),
  });

describe.each(SHARED_STORES)('%s', (store) => {
  describe.each(SDK_MAJORS)('SDK %i', (sdk) => {
    let backend: BackendNamespace;
    let cluster: PodClusterHandle;

    beforeAll(async () => {
      backend = await backendNamespace(store, `del${sdk}`);
      cluster = await startPodCluster({
        command: [process.execPath, '--import', 'tsx', POD_MAIN],
        pods: 3,
        env: { ...backend.env, SDK_MAJOR: String(sdk), TEST_ADMIN: '1' },
      });
    }, 120_000);

    afterAll(async () => {
      await cluster?.stop();
      await backend?.cleanUp();
    });

    test(`DELETE on one pod, then at once a request on each other pod: 404 every time (${ROUNDS} rounds)`, async () => {
      const urls = cluster.pods.map((p) => p.url);
      const outcomes: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const deleter = round % urls.length;
        const others = urls.filter((_, i) => i !== deleter);
        const sessionId = await initialize(`${urls[deleter]}/mcp`);
        // Every other pod holds the session live, so only its own copy could answer.
        for (const url of others) {
          const held = await call(url, sessionId, 1);
          await held.text();
          if (held.status !== 200)
            throw new Error(`round ${round}: ${url} answered ${held.status} before DELETE`);
        }
        const deleted = await fetch(`${urls[deleter]}/mcp`, {
          method: 'DELETE',
          headers: { ...HEADERS, 'mcp-session-id': sessionId },
        });
        if (deleted.status !== 200) throw new Error(`round ${round}: DELETE answered ${deleted.status}`);
        const after = await Promise.all(others.map((url) => call(url, sessionId, 2)));
        for (const res of after) {
          await res.text();
          outcomes.push(String(res.status));
        }
      }
      expect(outcomes.filter((status) => status !== '404')).toEqual([]);
      expect(outcomes).toHaveLength(ROUNDS * 2);
    }, 300_000);

    test("endSessionsOf(principal) on one pod: none of that user's sessions is served anywhere after, others' are", async () => {
      const urls = cluster.pods.map((p) => p.url);
      for (let round = 0; round < 5; round++) {
        const user = `carol-${round}`;
        const theirs = [
          await initialize(`${urls[0]}/mcp`, user),
          await initialize(`${urls[1]}/mcp`, user),
          await initialize(`${urls[2]}/mcp`, user),
        ];
        const other = await initialize(`${urls[0]}/mcp`, 'dave');
        // Every pod holds every one of them live.
        for (const id of [...theirs, other]) {
          for (const url of urls) {
            const res = await fetch(`${url}/mcp`, {
              method: 'POST',
              headers: { ...HEADERS, 'mcp-session-id': id, 'x-user': id === other ? 'dave' : user },
              body: rpc(1, 'tools/list'),
            });
            await res.text();
            expect(res.status).toBe(200);
          }
        }
        const ended = await fetch(`${urls[round % urls.length]}/admin/end-sessions?principal=${user}`, {
          method: 'POST',
        });
        expect(await ended.json()).toEqual({ ended: 3 });
        for (const url of urls) {
          for (const id of theirs) {
            const res = await fetch(`${url}/mcp`, {
              method: 'POST',
              headers: { ...HEADERS, 'mcp-session-id': id, 'x-user': user },
              body: rpc(2, 'tools/list'),
            });
            await res.text();
            expect(res.status).toBe(404);
          }
          const res = await fetch(`${url}/mcp`, {
            method: 'POST',
            headers: { ...HEADERS, 'mcp-session-id': other, 'x-user': 'dave' },
            body: rpc(3, 'tools/list'),
          });
          await res.text();
          expect(res.status).toBe(200);
        }
      }
    }, 120_000);
  });
});
