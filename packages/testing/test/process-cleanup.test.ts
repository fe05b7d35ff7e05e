import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { rawRequest, waitUntilRefused } from './raw-tcp.js';

// Runs the fixture in a real Node process (tsx strips the types): Jest's sandboxed `process`
// never emits 'exit' or signals, so only a separate process shows what really happens.
const FIXTURE = `${__dirname}/fixtures/start-server.ts`;

interface Started {
  readonly parent: ChildProcess;
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
}

const parents: ChildProcess[] = [];
// Servers the fixtures started: killed here if a failing test left one behind.
const serverPids: number[] = [];

afterEach(() => {
  for (const parent of parents.splice(0)) parent.kill('SIGKILL');
  for (const pid of serverPids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone: the expected case.
    }
  }
});

async function waitUntilRemoved(dir: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (existsSync(dir)) {
    if (Date.now() >= deadline) throw new Error(`${dir} still exists`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function startFixture(mode: 'wait' | 'exit'): Promise<Started> {
  const parent = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode], {
    cwd: `${__dirname}/..`,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  parents.push(parent);
  const lines = createInterface({ input: parent.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    parent.once('exit', (code, signal) => reject(new Error(`fixture exited early: ${code ?? signal}`)));
  });
  lines.close();
  const started = JSON.parse(first) as Omit<Started, 'parent'>;
  serverPids.push(started.pid);
  return { parent, ...started };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('process cleanup', () => {
  it('kills the server and removes its dir when the parent calls process.exit()', async () => {
    const { parent, port, dir } = await startFixture('exit');
    await expect(exitOf(parent)).resolves.toEqual({ code: 0, signal: null });
    await waitUntilRefused(port);
    expect(existsSync(dir)).toBe(false);
  }, 60_000);

  it('kills the server on SIGTERM, then lets the parent die of the signal', async () => {
    const { parent, port, dir } = await startFixture('wait');
    await expect(rawRequest(port, 'PING\r\n')).resolves.toBe('+PONG\r\n');
    parent.kill('SIGTERM');
    await expect(exitOf(parent)).resolves.toEqual({ code: null, signal: 'SIGTERM' });
    await waitUntilRefused(port);
    expect(existsSync(dir)).toBe(false);
  }, 60_000);

  it('kills the server through the watchdog when the parent is SIGKILLed', async () => {
    const { parent, port, dir } = await startFixture('wait');
    await expect(rawRequest(port, 'PING\r\n')).resolves.toBe('+PONG\r\n');
    parent.kill('SIGKILL');
    await exitOf(parent);
    // No handler runs on SIGKILL: only the watchdog can have done this. Generous bounds: on a
    // loaded CI machine the watchdog (a node process) may take seconds to notice and act.
    await waitUntilRefused(port);
    await waitUntilRemoved(dir);
  }, 60_000);
});
