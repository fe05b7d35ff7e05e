import { createServer, get } from 'node:http';
import { type PodClusterHandle, type PodClusterOptions, startPodCluster } from '../src/index.js';

// Plain Node fixtures, no tsx: pods start fast and the test does not depend on a loader.
const POD = [process.execPath, `${__dirname}/fixtures/pod.mjs`];
const FAILING_POD = [process.execPath, `${__dirname}/fixtures/failing-pod.mjs`];
const DRAINING_POD = [process.execPath, `${__dirname}/fixtures/draining-pod.mjs`];
// A bound against hangs, not a speed claim: a loaded CI machine may take seconds to start pods.
const TEST_TIMEOUT_MS = 60_000;

// Every cluster a test starts, stopped even when the test fails halfway.
const clusters: PodClusterHandle[] = [];

async function start(options: Partial<PodClusterOptions> = {}): Promise<PodClusterHandle> {
  const cluster = await startPodCluster({ command: POD, ...options });
  clusters.push(cluster);
  return cluster;
}

afterEach(async () => {
  await Promise.all(clusters.splice(0).map((cluster) => cluster.stop()));
});

interface Reply {
  readonly status: number;
  readonly body: string;
}

// node:http without an agent rather than fetch: no kept-alive sockets between requests, and a
// refused connection rejects with its `code`.
function request(url: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: 2_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no reply from ${url} within 2000 ms`)));
    req.on('error', reject);
  });
}

// Sends `count` requests one after the other (round robin is only exact when they do not overlap)
// and returns the name of the pod that served each.
async function podsServing(url: string, count: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const reply = await request(`${url}/whoami`);
    expect(reply.status).toBe(200);
    names.push((JSON.parse(reply.body) as { pod: string }).pod);
  }
  return names;
}

function countBy(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startPodCluster', () => {
  it(
    'starts 3 pods behind a balancer that sends requests round robin',
    async () => {
      const cluster = await start();
      expect(cluster.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(cluster.pods.map((pod) => pod.name)).toEqual(['pod-0', 'pod-1', 'pod-2']);
      expect(new Set(cluster.pods.map((pod) => pod.port)).size).toBe(3);
      for (const pod of cluster.pods) {
        expect(pod.url).toBe(`http://127.0.0.1:${pod.port}`);
        expect(pod.pid).toEqual(expect.any(Number));
        await expect(request(`${pod.url}/whoami`)).resolves.toEqual({
          status: 200,
          body: JSON.stringify({ pod: pod.name }),
        });
      }

      const names = await podsServing(cluster.url, 6);
      expect(countBy(names)).toEqual({ 'pod-0': 2, 'pod-1': 2, 'pod-2': 2 });
      expect(cluster.output(2)).toContain(`pod-2 listening on ${cluster.pods[2]!.port}`);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'kill() crashes a pod: the balancer stops sending to it and its port refuses connections',
    async () => {
      const cluster = await start();
      const pod = cluster.pods[1]!;
      await cluster.kill(1);
      expect(pod.pid).toBeUndefined();
      await expect(request(`${pod.url}/whoami`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      // The balancer skips refused upstreams on its own, so a refused port proves nothing: an
      // intruder now answers on pod-1's port, and must never be reached.
      const intruder = createServer((_req, res) => res.end(JSON.stringify({ pod: 'intruder' })));
      await new Promise<void>((resolve) => intruder.listen(pod.port, '127.0.0.1', resolve));
      try {
        const names = await podsServing(cluster.url, 8);
        expect(countBy(names)).toEqual({ 'pod-0': 4, 'pod-2': 4 });
      } finally {
        await new Promise((resolve) => intruder.close(resolve));
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'restart() brings a killed pod back on the same port and into the balancer',
    async () => {
      const cluster = await start();
      const pod = cluster.pods[1]!;
      const { port } = pod;
      await cluster.kill(1);
      await cluster.restart(1);

      expect(pod.port).toBe(port);
      expect(pod.pid).toEqual(expect.any(Number));
      await expect(request(`${pod.url}/whoami`)).resolves.toEqual({
        status: 200,
        body: JSON.stringify({ pod: 'pod-1' }),
      });
      const names = await podsServing(cluster.url, 6);
      expect(countBy(names)).toEqual({ 'pod-0': 2, 'pod-1': 2, 'pod-2': 2 });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers 503 through the balancer once every pod is killed',
    async () => {
      const cluster = await start({ pods: 2 });
      await Promise.all([cluster.kill(0), cluster.kill(1)]);
      await expect(request(`${cluster.url}/whoami`)).resolves.toMatchObject({ status: 503 });

      await cluster.restart(0);
      await expect(podsServing(cluster.url, 2)).resolves.toEqual(['pod-0', 'pod-0']);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'rejects with the pod output when a pod exits before it is ready',
    async () => {
      await expect(
        startPodCluster({ command: FAILING_POD, env: { FAIL_REASON: 'bad config' } }),
      ).rejects.toThrow(/pod-\d exited with code 3[\s\S]*pod-\d: cannot start: bad config/);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'rejects within readyTimeoutMs, with the pod output, and kills a pod that never gets ready',
    async () => {
      const neverReady = [
        process.execPath,
        '-e',
        "console.log('never ready, pid ' + process.pid); setInterval(() => {}, 1000);",
      ];
      const started = Date.now();
      // Long enough for a loaded machine to start node and print that line, far short of the default.
      const error = await startPodCluster({ command: neverReady, pods: 1, readyTimeoutMs: 3_000 }).then(
        () => undefined,
        (reason: unknown) => reason as Error,
      );
      // The option was used: it gave up long before the 20 s default (a loaded machine needs a
      // second or two to start the pod and see it exit, so nothing tighter is asserted).
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(error?.message).toMatch(/pod-0 did not answer 200 on .*\/healthz within 3000 ms/);
      const pid = Number(/never ready, pid (\d+)/.exec(error?.message ?? '')?.[1]);
      expect(pid).toBeGreaterThan(0);
      expect(isAlive(pid)).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'stop() ends every pod and the balancer, and can be called twice',
    async () => {
      const cluster = await start();
      const pids = cluster.pods.map((pod) => pod.pid!);
      for (const pid of pids) expect(isAlive(pid)).toBe(true);

      await cluster.stop();
      for (const pid of pids) expect(isAlive(pid)).toBe(false);
      for (const pod of cluster.pods) {
        expect(pod.pid).toBeUndefined();
        await expect(request(`${pod.url}/whoami`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      }
      await expect(request(`${cluster.url}/whoami`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await cluster.stop();
      await expect(cluster.restart(0)).rejects.toThrow(/stopped/);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'with readiness probes, restart() SIGTERMs a pod still in the balancer: its failing probe takes it out, it exits by itself and comes back',
    async () => {
      const cluster = await start({ command: DRAINING_POD, readiness: { intervalMs: 50 } });
      expect([...cluster.balancer.routable()].sort()).toEqual(cluster.pods.map((pod) => pod.url).sort());
      // The fixture exits only once the balancer probed it not ready twice: a pod taken out of the
      // balancer before its signal would never be probed again, and be SIGKILLed.
      await cluster.restart(1);
      expect(cluster.pods[1]!.lastExit).toEqual({ code: 0, signal: null });
      expect(cluster.balancer.routable()).toContain(cluster.pods[1]!.url);
      const names = await podsServing(cluster.url, 6);
      expect(countBy(names)).toEqual({ 'pod-0': 2, 'pod-1': 2, 'pod-2': 2 });
      expect(cluster.balancer.stats).toMatchObject({ resetBeforeAnswer: 0, cutMidAnswer: 0, unavailable: 0 });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a pod still running terminationGraceMs after SIGTERM is SIGKILLed',
    async () => {
      const cluster = await start({
        command: DRAINING_POD,
        pods: 1,
        readiness: {},
        terminationGraceMs: 300,
        env: { IGNORE_SIGTERM: '1' },
      });
      await cluster.restart(0);
      expect(cluster.pods[0]!.lastExit).toEqual({ code: null, signal: 'SIGKILL' });
    },
    TEST_TIMEOUT_MS,
  );

  it('rejects bad options and pod indexes', async () => {
    await expect(startPodCluster({ command: [] })).rejects.toThrow(RangeError);
    await expect(startPodCluster({ command: POD, pods: 0 })).rejects.toThrow(
      /pods must be a positive integer/,
    );
    const cluster = await start({ pods: 1 });
    await expect(cluster.kill(1)).rejects.toThrow(/pod index must be an integer from 0 to 0, got 1/);
    expect(() => cluster.output(-1)).toThrow(RangeError);
  });
});
