/**
 * Runs `sweep` every `intervalMs` on a timer that never keeps the process alive. Returns a stop
 * function. `intervalMs` 0 disables it.
 */
export function startSweeper(intervalMs: number, sweep: () => void): () => void {
  if (intervalMs === 0) return () => {};
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
