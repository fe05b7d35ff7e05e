import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { guardDir, guardPid, stopWatchdog, unguardDir, unguardPid } from './orphan-watchdog.js';

const children = new Set<ChildProcess>();
const exitCleanups = new Set<() => void>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const signalHandlers = new Map<NodeJS.Signals, () => void>();
let handlersInstalled = false;

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

// Kills the children first: cleanups remove their directories.
function cleanUpAll(): void {
  killTrackedChildProcesses();
  for (const cleanup of exitCleanups) {
    try {
      cleanup();
    } catch {
      // One failing cleanup must not stop the others.
    }
  }
  exitCleanups.clear();
  // Everything is done: the watchdog must not act on the (reusable) pids later.
  stopWatchdog();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanUpAll();
  // Our listener replaced the default action (terminate). If no one else handles the signal,
  // raise it again without us so the process still dies of it, with the exit status callers
  // expect. Otherwise the other listeners decide, and ours stays for later servers.
  const handler = signalHandlers.get(signal);
  if (handler && process.listeners(signal).every((listener) => listener === handler)) {
    process.removeListener(signal, handler);
    process.kill(process.pid, signal);
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // 'exit' handlers must be synchronous: kill() and rmSync are, which is why cleanups are sync.
  process.once('exit', cleanUpAll);
  for (const signal of SIGNALS) {
    const handler = (): void => onSignal(signal);
    signalHandlers.set(signal, handler);
    process.on(signal, handler);
  }
}

/**
 * Registers a child process so it is SIGKILLed when this process exits: on `process.exit()` or an
 * empty event loop ('exit'), on SIGINT/SIGTERM (which are then re-raised unless other listeners
 * handle them), and, through a small watchdog process, when this process dies hard (SIGKILL,
 * crash, OOM kill). The child is forgotten when it exits on its own.
 *
 * Limits: a watchdog that was itself SIGKILLed cannot act; a pid the watchdog kills might in
 * theory have been reused between the parent's death and the kill (it is removed from the watchdog
 * as soon as the child exits, so this needs the parent to die in that window). Inside Jest, test
 * code sees a copy of `process` whose 'exit' and signal events never fire, so there only the
 * watchdog (which reacts when the Jest worker ends) and explicit `stop()` calls clean up.
 *
 * @param child - a spawned child process; ignored if it has no pid (the spawn failed).
 */
export function trackChildProcess(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined || !isRunning(child)) return;
  installHandlers();
  children.add(child);
  guardPid(pid);
  child.once('exit', () => {
    children.delete(child);
    unguardPid(pid);
  });
}

/**
 * Spawns a process that {@link trackChildProcess} tracks from the start.
 *
 * `detached` is always `false`: the child stays in our process group and session, so a Ctrl-C
 * in the terminal or a signal sent to the whole group (what CI runners do on cancel) reaches it
 * as well. Node has no portable "die with the parent" flag (Linux `PR_SET_PDEATHSIG` is not
 * exposed), hence the watchdog described on {@link trackChildProcess}.
 *
 * @param command - the program, preferably an absolute path.
 * @param args - its arguments, passed without a shell.
 * @param options - `spawn` options other than `detached`.
 * @returns the child process, already tracked.
 */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: Omit<SpawnOptions, 'detached'> = {},
): ChildProcess {
  const child = spawn(command, args, { ...options, detached: false });
  trackChildProcess(child);
  return child;
}

/**
 * Registers a synchronous cleanup (such as removing a temp dir) to run when this process exits,
 * after tracked children are killed. Cleanups that throw are skipped.
 *
 * @returns a function that unregisters the cleanup, for when it has been done already.
 */
export function registerExitCleanup(cleanup: () => void): () => void {
  installHandlers();
  exitCleanups.add(cleanup);
  return () => {
    exitCleanups.delete(cleanup);
  };
}

/**
 * SIGKILLs every tracked child still running. Synchronous, so it can run in a process 'exit'
 * handler; it does not wait for the children to exit. Exit cleanups are not run.
 */
export function killTrackedChildProcesses(): void {
  for (const child of children) {
    if (isRunning(child)) child.kill('SIGKILL');
  }
}

/**
 * Registers a temp directory to remove (recursively) when this process exits, in the same cases
 * where {@link trackChildProcess} kills children, hard deaths included.
 *
 * @param dir - an absolute path this package created.
 * @returns a function to call once the dir was removed otherwise, so exit does not touch it.
 */
export function registerTempDir(dir: string): () => void {
  const forget = registerExitCleanup(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  guardDir(dir);
  return () => {
    forget();
    unguardDir(dir);
  };
}
