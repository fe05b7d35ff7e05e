// The pods' memory probe: what it reports moves with data kept alive, and not with garbage. The
// measurements run in a process of their own (fixtures/memory-probe-run.ts), as in a pod.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { RetainedMemory } from '../src/memory-probe.js';

const MIB = 1024 * 1024;

interface Run {
  pid: number;
  before: RetainedMemory;
  holding: RetainedMemory;
  after: RetainedMemory;
  afterGarbage: RetainedMemory;
  keptCount: number;
}

let run: Run;
beforeAll(() => {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'fixtures', 'memory-probe-run.ts')],
    { encoding: 'utf8', timeout: 60_000 },
  );
  expect(child.stderr).toBe('');
  run = JSON.parse(child.stdout) as Run;
});

test('retained memory counts what is still referenced, and drops once it is released', () => {
  expect(run.before.pid).toBe(run.pid);
  expect(run.keptCount).toBe(256);
  // 64 MiB kept alive, far above the little else the process does.
  expect(run.holding.retained - run.before.retained).toBeGreaterThan(56 * MIB);
  expect(run.holding.retained - run.after.retained).toBeGreaterThan(56 * MIB);
});

test('garbage made just before a probe is not counted', () => {
  expect(run.afterGarbage.retained - run.after.retained).toBeLessThan(8 * MIB);
});
