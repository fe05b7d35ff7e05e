// A test waits for a condition, never for a fixed time (timing claims belong in apps/bench). The
// default bound is far above what a loaded CI machine needs and below jest's test timeout (30 s),
// so a failure names the condition instead of timing the whole test out.

/**
 * Polls `check` (every `intervalMs`) until it returns true; throws naming `what` after `timeoutMs`.
 *
 * @example
 * ```ts
 * await waitUntil(() => updates.length === 3, 'the three notifications');
 * ```
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 15_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
