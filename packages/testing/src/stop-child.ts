import type { ChildProcess } from 'node:child_process';

/** How long a child gets to exit after a polite signal before it is killed. */
export const STOP_GRACE_MS = 5_000;

/** A started child process: `exited` resolves when it exits, `exit` is set once it has. */
export interface StoppableChild {
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  readonly exit?: unknown;
}

/**
 * Ends a child: sends `signal` (unless it already exited), waits up to `graceMs`, then SIGKILLs
 * it; resolves once it has exited.
 */
export async function stopChild(
  running: StoppableChild,
  signal: NodeJS.Signals,
  graceMs: number = STOP_GRACE_MS,
): Promise<void> {
  if (!running.exit) running.child.kill(signal);
  const graceOver = Symbol('grace over');
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<typeof graceOver>((resolve) => {
    timer = setTimeout(() => resolve(graceOver), graceMs);
  });
  try {
    if ((await Promise.race([running.exited, grace])) === graceOver) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
  } finally {
    clearTimeout(timer);
  }
}
