// The demo refuses what it cannot do, before starting anything, with a message that says why.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const demo = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'src', 'main.ts'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });

test('--store memory with several pods is refused: process memory is not shared', () => {
  const run = demo('--store', 'memory', '--pods', '2');
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('--store memory keeps sessions in one process');
  expect(run.stdout).not.toContain('pods: starting');
});

test('an unknown store is refused with the usage', () => {
  const run = demo('--store', 'mongodb');
  expect(run.status).toBe(2);
  expect(run.stderr).toContain("unknown store 'mongodb'");
  expect(run.stderr).toContain('--store memory|redis|postgres|dynamodb');
});
