// What every scenario of the demo is made of: a row of the table (which protocol era it drives, what
// it shows, on which pods), the check that produces it, and the small helpers the checks share.

/** The protocol era a row drives: a 2025 session client, or a 2026-07-28 (session-less) client. */
export type Era = '2025' | '2026';

/** One row of the demo's table. */
export interface ScenarioResult {
  era: Era;
  name: string;
  pods: string;
  status: 'passed' | 'failed' | 'skipped';
  ms: number;
  detail?: string;
}

/** What a check reports: the pods it involved, a note, or that it could not be shown here. */
export type Check = () => Promise<{ pods: string[]; detail?: string; skipped?: boolean }>;

/** One scenario: its row's era and name, and its check. */
export interface Scenario {
  era: Era;
  name: string;
  check: Check;
}

/** The text of a tool result's first content block. */
export const textOf = (result: unknown): string =>
  ((result as { content: Array<{ text: string }> }).content[0] as { text: string }).text;

/** Fails the check with `message` unless `condition` holds. */
export function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Waits until `check()` holds (polling), or fails after `timeoutMs` naming `what`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs `scenarios` in order, reporting each row; stops at the first failure. */
export async function runChecks(
  scenarios: readonly Scenario[],
  onResult: (result: ScenarioResult) => void,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const { era, name, check } of scenarios) {
    const started = performance.now();
    let result: ScenarioResult;
    try {
      const { pods, detail, skipped } = await check();
      result = {
        era,
        name,
        pods: pods.join(', '),
        status: skipped ? 'skipped' : 'passed',
        ms: performance.now() - started,
        ...(detail && { detail }),
      };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      result = { era, name, pods: '', status: 'failed', ms: performance.now() - started, detail };
    }
    results.push(result);
    onResult(result);
    // A failed step leaves the clients in an unknown state: stop there.
    if (result.status === 'failed') break;
  }
  return results;
}
