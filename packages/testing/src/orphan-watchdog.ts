import { type ChildProcess, spawn } from 'node:child_process';

// Runs in its own `node` process and reads commands on stdin, one per line: "pid 123" /
// "unpid 123" for processes to kill, "dir /tmp/x" / "undir /tmp/x" for directories to remove.
// Its stdin reaches end of file when the parent is gone, however it died (even SIGKILL or an OOM
// kill, which run no handler), and then it SIGKILLs the pids and removes the dirs. It ignores
// terminal and termination signals so it outlives the parent long enough to do that.
const WATCHDOG_SCRIPT = `
const { rmSync } = require('node:fs');
const pids = new Set();
const dirs = new Set();
let pending = '';
const cleanUp = () => {
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL'); } catch {}
  }
  for (const dir of dirs) {
    try { rmSync(dir, { recursive: true, force: true, maxRetries: 5 }); } catch {}
  }
  process.exit(0);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  const lines = pending.split('\\n');
  pending = lines.pop();
  for (const line of lines) {
    const space = line.indexOf(' ');
    const command = line.slice(0, space);
    const arg = line.slice(space + 1);
    if (command === 'pid') pids.add(Number(arg));
    else if (command === 'unpid') pids.delete(Number(arg));
    else if (command === 'dir') dirs.add(arg);
    else if (command === 'undir') dirs.delete(arg);
  }
});
process.stdin.on('end', cleanUp);
process.stdin.on('error', cleanUp);
`;

let watchdog: ChildProcess | undefined;
let unavailable = false;
const guardedPids = new Set<number>();
const guardedDirs = new Set<string>();

function ensureWatchdog(): ChildProcess | undefined {
  if (watchdog || unavailable) return watchdog;
  try {
    const child = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: false,
    });
    // Neither the watchdog nor its pipe may keep the parent's event loop (a test run) alive.
    child.unref();
    const stdin = child.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
    stdin?.unref?.();
    // EPIPE once the watchdog is gone: the guarantee it gave is lost, the parent must not crash.
    child.stdin?.on('error', () => {});
    child.on('error', () => {
      unavailable = true;
      if (watchdog === child) watchdog = undefined;
    });
    child.once('exit', () => {
      if (watchdog === child) watchdog = undefined;
    });
    watchdog = child;
  } catch {
    // Best effort: without a watchdog the exit and signal handlers still cover graceful exits.
    unavailable = true;
  }
  return watchdog;
}

function send(line: string): void {
  ensureWatchdog()?.stdin?.write(`${line}\n`);
}

// Nothing left to guard: do not keep an idle node process around between tests.
function stopWhenIdle(): void {
  if (guardedPids.size === 0 && guardedDirs.size === 0) stopWatchdog();
}

/**
 * Asks the watchdog process to SIGKILL `pid` if this process dies before calling
 * {@link unguardPid}. Starts the watchdog on first use.
 */
export function guardPid(pid: number): void {
  guardedPids.add(pid);
  send(`pid ${pid}`);
}

/** Tells the watchdog `pid` has exited, so a later process reusing the pid is never killed. */
export function unguardPid(pid: number): void {
  if (!guardedPids.delete(pid)) return;
  if (watchdog) send(`unpid ${pid}`);
  stopWhenIdle();
}

/** Asks the watchdog to remove `dir` (recursively) if this process dies before {@link unguardDir}. */
export function guardDir(dir: string): void {
  // A newline would end the command early and the rest would be read as another one.
  if (dir.includes('\n')) return;
  guardedDirs.add(dir);
  send(`dir ${dir}`);
}

/** Tells the watchdog `dir` was removed (or must be kept after all). */
export function unguardDir(dir: string): void {
  if (!guardedDirs.delete(dir)) return;
  if (watchdog) send(`undir ${dir}`);
  stopWhenIdle();
}

/**
 * Ends the watchdog without letting it act: for a graceful exit, after this process killed its
 * children itself, so the watchdog cannot hit a reused pid later.
 */
export function stopWatchdog(): void {
  guardedPids.clear();
  guardedDirs.clear();
  watchdog?.kill('SIGKILL');
  watchdog = undefined;
}
